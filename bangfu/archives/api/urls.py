"""API URLs of the archives, included under the `api` namespace. Each name is declared in
`bangfu.archives.permissions.URL_PERMISSIONS`."""

from django.urls import path

from . import households as api_archives

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
]
