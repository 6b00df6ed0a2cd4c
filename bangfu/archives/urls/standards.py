"""Standards, benefit types, re-evaluations, category determination and policy benefits."""

from django.urls import path

from ..views import benefits, standards

urlpatterns = [
    # 低保标准 and minimum wages by area (system admin)
    path("standards/", standards.standard_area_list, name="standard_area_list"),
    path("standards/areas/new/", standards.area_create, name="area_create"),
    path("standards/areas/<int:pk>/", standards.standard_area_detail, name="standard_area_detail"),
    path(
        "standards/areas/<int:pk>/dibao/new/",
        standards.dibao_standard_create,
        name="dibao_standard_create",
    ),
    path(
        "standards/areas/<int:pk>/wage/new/",
        standards.minimum_wage_create,
        name="minimum_wage_create",
    ),
    path(
        "standards/dibao/<int:pk>/delete/",
        standards.dibao_standard_delete,
        name="dibao_standard_delete",
    ),
    path(
        "standards/wage/<int:pk>/delete/",
        standards.minimum_wage_delete,
        name="minimum_wage_delete",
    ),
    path("standards/benefit-types/", standards.benefit_type_list, name="benefit_type_list"),
    path(
        "standards/benefit-types/<int:pk>/", standards.benefit_type_edit, name="benefit_type_edit"
    ),
    # re-evaluations after a standard changed (staff)
    path("reevaluations/", standards.reevaluation_list, name="reevaluation_list"),
    path("reevaluations/<int:pk>/", standards.reevaluation_detail, name="reevaluation_detail"),
    path(
        "reevaluations/<int:pk>/confirm-all/",
        standards.reevaluation_confirm_all,
        name="reevaluation_confirm_all",
    ),
    path(
        "reevaluations/<int:pk>/dismiss-all/",
        standards.reevaluation_dismiss_all,
        name="reevaluation_dismiss_all",
    ),
    path(
        "reevaluations/items/<int:pk>/confirm/",
        standards.reevaluation_item_confirm,
        name="reevaluation_item_confirm",
    ),
    path(
        "reevaluations/items/<int:pk>/dismiss/",
        standards.reevaluation_item_dismiss,
        name="reevaluation_item_dismiss",
    ),
    # an archive's category and its benefits
    path("<int:pk>/determine/", standards.household_determine, name="household_determine"),
    path("<int:pk>/benefits/add/", benefits.household_benefit_add, name="household_benefit_add"),
    path("benefits/<int:pk>/end/", benefits.household_benefit_end, name="household_benefit_end"),
    path("benefits/dibao-gap/", benefits.dibao_gap_list, name="dibao_gap_list"),
]
