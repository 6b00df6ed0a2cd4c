"""Archive pages. Each area keeps its routes in its own module, included here."""

from django.urls import include, path

app_name = "archives"

urlpatterns: list = [
    # path("", include("bangfu.archives.urls_<area>")),
    path("", include("bangfu.archives.urls_dynamic")),
    path("", include("bangfu.archives.urls_browse")),
    path("", include("bangfu.archives.urls_filing")),
    path("", include("bangfu.archives.urls_importing")),
    path("", include("bangfu.archives.urls_standards")),
]
