"""API URLs of the network, included under the `api` namespace. Each name is declared in
`bangfu.network.permissions.URL_PERMISSIONS`."""

from django.urls import path

from . import units as api

urlpatterns = [
    path("org-units/", api.OrgUnitListApi.as_view(), name="orgunit_list"),
    path("org-units/create/", api.OrgUnitCreateApi.as_view(), name="orgunit_create"),
    path("org-units/<int:unit_id>/", api.OrgUnitDetailApi.as_view(), name="orgunit_detail"),
    path("org-units/<int:unit_id>/update/", api.OrgUnitUpdateApi.as_view(), name="orgunit_update"),
    path("org-units/<int:unit_id>/delete/", api.OrgUnitDeleteApi.as_view(), name="orgunit_delete"),
]
