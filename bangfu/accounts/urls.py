from django.urls import path

from . import csp, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_update, name="user_update"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/activate/", views.user_activate, name="user_activate"),
    path("users/<int:pk>/roles/", views.role_assign, name="role_assign"),
    path(
        "users/<int:pk>/roles/<int:assignment_pk>/revoke/",
        views.role_revoke,
        name="role_revoke",
    ),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/password-reset/", views.password_reset, name="password_reset"),
    path("password/set/", views.password_set, name="password_set"),
    path("users/<int:pk>/changes/new/", views.change_propose, name="change_propose"),
    path("changes/<int:change_pk>/approve/", views.change_approve, name="change_approve"),
    path("changes/<int:change_pk>/reject/", views.change_reject, name="change_reject"),
    path("csp-report/", csp.csp_report, name="csp_report"),
    path("csp-reports/", views.csp_report_list, name="csp_report_list"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<str:key>/revoke/", views.token_revoke, name="token_revoke"),
]
