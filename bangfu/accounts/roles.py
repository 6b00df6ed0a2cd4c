"""The roles of Bangfu and the rules that keep them apart (三员分立)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("审计员")
    LEADER = "leader", _("中心领导")
    STAFF = "staff", _("专职工作人员")
    FINANCE = "finance", _("财务")
    LAWYER = "lawyer", _("律师/法律志愿者")
    LIAISON = "liaison", _("站联络员")
    # Business supervision of the fund (纪检/审计): reads archives masked, changes nothing.
    SUPERVISOR = "supervisor", _("监督(纪检/审计)")


# The three administrative roles exclude each other and every business role: whoever runs the
# system, grants rights or audits must not also do the work being controlled.
ADMIN_ROLES: frozenset[str] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
BUSINESS_ROLES: frozenset[str] = frozenset(set(Role.values) - ADMIN_ROLES)


# Who supervises the work must not do it: the supervisor holds no other role, and no one who
# works on archives or the fund supervises them.
INDEPENDENT_ROLES: frozenset[str] = ADMIN_ROLES | {Role.SUPERVISOR}


def incompatible_roles(role: str) -> frozenset[str]:
    """Return the roles that a user holding `role` may not also hold."""
    if role in INDEPENDENT_ROLES:
        return frozenset(set(Role.values) - {role})
    return INDEPENDENT_ROLES
