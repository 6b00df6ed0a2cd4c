from django.urls import path
from django.views.i18n import set_language

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("worklist/", views.worklist, name="worklist"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/<int:seq>/", views.audit_detail, name="audit_detail"),
    path("access-log/", views.access_log, name="access_log"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/progress/", views.job_progress, name="job_progress"),
]
