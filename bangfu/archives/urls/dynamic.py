"""Dynamic management: reviews, 脱困 proposals, closing and reopening, spot checks."""

from django.urls import path

from ..views import dynamic

urlpatterns = [
    path("reviews/due/", dynamic.review_due_list, name="review_due_list"),
    path("recovery/", dynamic.recovery_list, name="recovery_list"),
    path("closed/", dynamic.closed_list, name="closed_list"),
    path("<int:pk>/review/", dynamic.annual_review_create, name="annual_review_create"),
    path("<int:pk>/income/", dynamic.monthly_income_record, name="monthly_income_record"),
    path("<int:pk>/close/", dynamic.household_close, name="household_close"),
    path("<int:pk>/reopen/", dynamic.household_reopen, name="household_reopen"),
    path("spot-checks/", dynamic.spot_check_list, name="spot_check_list"),
    path("spot-checks/draw/", dynamic.spot_check_draw, name="spot_check_draw"),
    path("spot-checks/<int:pk>/", dynamic.spot_check_detail, name="spot_check_detail"),
    path(
        "spot-checks/items/<int:pk>/",
        dynamic.spot_check_item_record,
        name="spot_check_item_record",
    ),
]
