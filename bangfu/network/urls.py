from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/search/", views.unit_search, name="unit_search"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_update, name="unit_update"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("units/<int:unit_pk>/people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_update, name="person_update"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("map/", views.network_map, name="map"),
    path("map/pdf/", views.network_map_pdf, name="map_pdf"),
    path("map/png/", views.network_map_png, name="map_png"),
]
