"""API URLs of accounts, included under the `api` namespace. Each name is declared in
`bangfu.accounts.permissions.URL_PERMISSIONS`."""

from django.urls import path

from . import users as api

urlpatterns = [
    path("token/", api.TokenObtainApi.as_view(), name="token"),
    path("token/logout/", api.TokenLogoutApi.as_view(), name="token_logout"),
    path("token/logout-all/", api.TokenLogoutAllApi.as_view(), name="token_logout_all"),
    path("me/", api.MeApi.as_view(), name="me"),
    path("users/", api.UserListApi.as_view(), name="user_list"),
    path("users/create/", api.UserCreateApi.as_view(), name="user_create"),
    path("users/<int:user_id>/", api.UserDetailApi.as_view(), name="user_detail"),
]
