"""API URLs of assistance, included under the `api` namespace. Each name is declared in
`bangfu.assistance.permissions.URL_PERMISSIONS`."""

from django.urls import path

from . import applications as api
from . import followups

urlpatterns: list = [
    path(
        "assistance/programmes/",
        api.ProgrammeListApi.as_view(),
        name="assistance_programme_list",
    ),
    path(
        "assistance/applications/",
        api.ApplicationListApi.as_view(),
        name="assistance_application_list",
    ),
    path(
        "assistance/applications/create/",
        api.ApplicationCreateApi.as_view(),
        name="assistance_application_create",
    ),
    path(
        "assistance/applications/<int:application_id>/",
        api.ApplicationDetailApi.as_view(),
        name="assistance_application_detail",
    ),
    path(
        "assistance/followups/",
        followups.FollowUpListApi.as_view(),
        name="assistance_followup_list",
    ),
    path(
        "assistance/followups/<int:followup_id>/record/",
        followups.FollowUpRecordApi.as_view(),
        name="assistance_followup_record",
    ),
    *[
        path(
            f"assistance/applications/<int:application_id>/{step}/",
            view.as_view(),
            name=f"assistance_application_{step}",
        )
        for step, view in api.STEPS.items()
    ],
]
