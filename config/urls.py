from django.urls import include, path

from bangfu.accounts import captcha

urlpatterns = [
    path("", include("bangfu.workbench.urls")),
    path("accounts/", include("bangfu.accounts.urls")),
    path("network/", include("bangfu.network.urls")),
    path("notices/", include("bangfu.notices.urls")),
    path("archives/", include("bangfu.archives.urls")),
    path("petitions/", include("bangfu.petitions.urls")),
    path("assistance/", include("bangfu.assistance.urls")),
    path("funds/", include("bangfu.funds.urls")),
    path("exports/", include("bangfu.kits.exports.urls")),
    path("captcha/image/<str:key>/", captcha.captcha_image, name="captcha-image"),
    path("captcha/refresh/", captcha.captcha_refresh, name="captcha-refresh"),
    path("api/", include("config.api_urls")),
]

handler403 = "bangfu.core.errorviews.permission_denied"
handler404 = "bangfu.core.errorviews.page_not_found"
