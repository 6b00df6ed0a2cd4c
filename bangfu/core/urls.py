from django.urls import path
from django.views.i18n import set_language

from . import calendar_views, views

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
    path("calendar/", calendar_views.calendar, name="calendar"),
    path("calendar/days/new/", calendar_views.calendar_day_create, name="calendar_day_create"),
    path(
        "calendar/ranges/new/", calendar_views.calendar_range_create, name="calendar_range_create"
    ),
    path(
        "calendar/days/<str:day>/delete/",
        calendar_views.calendar_day_delete,
        name="calendar_day_delete",
    ),
]
