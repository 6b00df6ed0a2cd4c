from django.urls import path

from ..views import importing as views

urlpatterns = [
    path("import/", views.import_upload, name="import_upload"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<uuid:batch_id>/", views.import_batch, name="import_batch"),
    path("import/<uuid:batch_id>/errors.xlsx", views.import_errors, name="import_errors"),
    path("import/<uuid:batch_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:batch_id>/cancel/", views.import_cancel, name="import_cancel"),
    path("export/roster/", views.export_roster, name="export_roster"),
]
