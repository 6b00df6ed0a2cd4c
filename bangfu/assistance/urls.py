"""Pages of assistance, under /assistance/ (each name declared in `permissions.URL_PERMISSIONS`)."""

from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("followups/<int:pk>/record/", views.followup_record, name="followup_record"),
    path("students/", views.student_register, name="student_register"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/rules/", views.rule_revise, name="rule_revise"),
]
