"""Archive pages. Each area keeps its routes in its own module, included here."""

from django.urls import include, path

app_name = "archives"

urlpatterns: list = [
    # path("", include("bangfu.archives.urls.<area>")),
    path("", include("bangfu.archives.urls.dynamic")),
    path("", include("bangfu.archives.urls.browse")),
    path("", include("bangfu.archives.urls.filing")),
    path("", include("bangfu.archives.urls.importing")),
    path("", include("bangfu.archives.urls.standards")),
]
