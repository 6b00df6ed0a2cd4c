"""Filing and the filing procedure: new archive, edit, members, and the procedure's actions."""

from django.urls import path

from ..views import filing, procedure

urlpatterns = [
    path("new/", filing.household_create, name="household_create"),
    path("<int:pk>/edit/", filing.household_update, name="household_update"),
    path("<int:pk>/members/add/", filing.member_add, name="member_add"),
    path("members/<int:pk>/edit/", filing.member_update, name="member_update"),
    path("members/<int:pk>/remove/", filing.member_remove, name="member_remove"),
    path("<int:pk>/procedure/apply/", procedure.procedure_apply, name="procedure_apply"),
    path("<int:pk>/procedure/resubmit/", procedure.procedure_resubmit, name="procedure_resubmit"),
    path(
        "<int:pk>/procedure/investigation/",
        procedure.procedure_investigation,
        name="procedure_investigation",
    ),
    path("<int:pk>/procedure/review/", procedure.procedure_review, name="procedure_review"),
    path("<int:pk>/procedure/notice/", procedure.procedure_notice, name="procedure_notice"),
    path("<int:pk>/procedure/submit/", procedure.procedure_submit, name="procedure_submit"),
    path("<int:pk>/procedure/decide/", procedure.procedure_decide, name="procedure_decide"),
    path("<int:pk>/procedure/consent/", procedure.procedure_consent, name="procedure_consent"),
]
