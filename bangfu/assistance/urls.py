"""Pages of assistance, under /assistance/ (each name declared in `permissions.URL_PERMISSIONS`)."""

from django.urls import path

from bangfu.kits.imports.views import import_urls

from . import views

app_name = "assistance"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("new/", views.application_create, name="application_create"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("<int:pk>/resubmit/", views.application_resubmit, name="application_resubmit"),
    path("<int:pk>/visit/", views.application_visit, name="application_visit"),
    path("<int:pk>/review/", views.application_review, name="application_review"),
    path("<int:pk>/notice/", views.application_notice, name="application_notice"),
    path("<int:pk>/send/", views.application_send, name="application_send"),
    path("<int:pk>/signoff/", views.application_signoff, name="application_signoff"),
    path("<int:pk>/release/", views.application_release, name="application_release"),
    path("approvals/", views.approval_batch, name="approval_batch"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    *import_urls("assistance.campaign", prefix="batches/import/"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/submit/", views.batch_submit, name="batch_submit"),
    path("batches/<int:pk>/review/", views.batch_review, name="batch_review"),
    path("batches/<int:pk>/notice/", views.batch_notice, name="batch_notice"),
    path("batches/<int:pk>/send/", views.batch_send, name="batch_send"),
    path("batches/<int:pk>/signoff/", views.batch_signoff, name="batch_signoff"),
    path("followups/<int:pk>/record/", views.followup_record, name="followup_record"),
    path("students/", views.student_register, name="student_register"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/rules/", views.rule_revise, name="rule_revise"),
]
