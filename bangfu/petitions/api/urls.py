"""API URLs of petitions, included under the `api` namespace. Each name is declared in
`bangfu.petitions.permissions.URL_PERMISSIONS`."""

from django.urls import path

from . import petitions as api

STEPS = {
    "accept": api.PetitionAcceptApi,
    "decline": api.PetitionDeclineApi,
    "transfer": api.PetitionTransferApi,
    "refer": api.PetitionReferApi,
    "acknowledge": api.PetitionAcknowledgeApi,
    "extend": api.PetitionExtendApi,
    "reply": api.PetitionReplyApi,
    "review_request": api.PetitionReviewRequestApi,
    "review_reply": api.PetitionReviewReplyApi,
    "recheck_request": api.PetitionRecheckRequestApi,
    "recheck_reply": api.PetitionRecheckReplyApi,
    "rate": api.PetitionRateApi,
}

urlpatterns: list = [
    path("petitions/", api.PetitionListApi.as_view(), name="petition_list"),
    path("petitions/create/", api.PetitionCreateApi.as_view(), name="petition_create"),
    path("petitions/<int:petition_id>/", api.PetitionDetailApi.as_view(), name="petition_detail"),
    *[
        path(
            f"petitions/<int:petition_id>/{step.replace('_', '-')}/",
            view.as_view(),
            name=f"petition_{step}",
        )
        for step, view in STEPS.items()
    ],
]
