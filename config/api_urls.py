"""The API: every context adds its views here under the `api` namespace."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("bangfu.accounts.api.urls")),
    path("", include("bangfu.network.api.urls")),
    path("", include("bangfu.archives.api.urls")),
    path("", include("bangfu.petitions.api.urls")),
    path("", include("bangfu.assistance.api.urls")),
    path("", include("bangfu.funds.api.urls")),
]
