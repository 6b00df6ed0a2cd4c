"""The project's URLs plus Django's admin for the archive change list (benchmarks only)."""

from django.contrib import admin
from django.urls import include, path

from bangfu.accounts import policy
from bangfu.archives.models import Household
from config.urls import handler403, handler404  # noqa: F401


class HouseholdAdmin(admin.ModelAdmin):
    """The admin's change list with the columns of the archive list, newest first."""

    list_display = ("archive_no", "name", "sex", "category", "main_cause", "unit", "status")
    list_select_related = ("unit",)
    search_fields = ("name", "name_initials", "id_last4", "mobile_last4")
    ordering = ("-created_at", "-id")


admin.site.register(Household, HouseholdAdmin)

urlpatterns = [path("bench-admin/", admin.site.urls), path("", include("config.urls"))]

# Every URL must be declared (undeclared = refused); the admin checks is_staff itself.
policy.register(
    role_grants={},
    url_permissions=dict.fromkeys(
        ("admin:index", "admin:archives_household_changelist", "admin:login"), policy.AUTHENTICATED
    ),
)
