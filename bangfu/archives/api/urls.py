"""API URLs of the archives, included under the `api` namespace. Each name is declared in
`bangfu.archives.permissions.URL_PERMISSIONS`."""

from django.urls import path

from . import households as api_archives
from . import procedure as api_procedure

urlpatterns: list = [
    path("households/", api_archives.HouseholdListApi.as_view(), name="household_list"),
    path("households/search/", api_archives.HouseholdSearchApi.as_view(), name="household_search"),
    path("households/create/", api_archives.HouseholdCreateApi.as_view(), name="household_create"),
    path(
        "households/<int:household_id>/update/",
        api_archives.HouseholdUpdateApi.as_view(),
        name="household_update",
    ),
    path(
        "households/<int:household_id>/",
        api_archives.HouseholdDetailApi.as_view(),
        name="household_detail",
    ),
    path(
        "households/<int:household_id>/reveal/",
        api_archives.HouseholdRevealApi.as_view(),
        name="household_reveal",
    ),
    path(
        "households/<int:household_id>/close/",
        api_archives.HouseholdCloseApi.as_view(),
        name="household_close",
    ),
    path(
        "households/<int:household_id>/reopen/",
        api_archives.HouseholdReopenApi.as_view(),
        name="household_reopen",
    ),
    path(
        "households/<int:household_id>/reviews/",
        api_archives.AnnualReviewCreateApi.as_view(),
        name="annual_review_create",
    ),
    # The filing procedure (one view per action, as on the procedure panel).
    path(
        "households/<int:household_id>/procedure/",
        api_procedure.ProcedureDetailApi.as_view(),
        name="procedure_detail",
    ),
    path(
        "households/<int:household_id>/procedure/consent/",
        api_procedure.ProcedureConsentApi.as_view(),
        name="procedure_consent",
    ),
    path(
        "households/<int:household_id>/procedure/visit/",
        api_procedure.ProcedureVisitApi.as_view(),
        name="procedure_visit",
    ),
    path(
        "households/<int:household_id>/procedure/review/",
        api_procedure.ProcedureReviewApi.as_view(),
        name="procedure_review",
    ),
    path(
        "households/<int:household_id>/procedure/notice/",
        api_procedure.ProcedureNoticeApi.as_view(),
        name="procedure_notice",
    ),
    path(
        "households/<int:household_id>/procedure/submit/",
        api_procedure.ProcedureSubmitApi.as_view(),
        name="procedure_submit",
    ),
    path(
        "households/<int:household_id>/procedure/decide/",
        api_procedure.ProcedureDecideApi.as_view(),
        name="procedure_decide",
    ),
    path(
        "households/<int:household_id>/procedure/objections/",
        api_procedure.ProcedureObjectionApi.as_view(),
        name="procedure_objection",
    ),
    path(
        "households/<int:household_id>/procedure/objections/<int:objection_id>/settle/",
        api_procedure.ProcedureObjectionSettleApi.as_view(),
        name="procedure_objection_settle",
    ),
]
