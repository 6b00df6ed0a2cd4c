"""Pages of the export kit, under /exports/ (declared in `permissions.URL_PERMISSIONS`)."""

from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.export_list, name="list"),
    path("new/<str:kind>/", views.export_new, name="new"),
    path("<uuid:export_id>/", views.export_detail, name="detail"),
    path("<uuid:export_id>/download/", views.export_download, name="download"),
]
