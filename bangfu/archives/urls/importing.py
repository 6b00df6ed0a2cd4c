from django.urls import path

from bangfu.kits.imports.views import import_urls

from ..services.importing import KIND
from ..views import importing as views

urlpatterns = [
    *import_urls(KIND),
    path("export/roster/", views.export_roster, name="export_roster"),
]
