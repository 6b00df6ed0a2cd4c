from enum import StrEnum

from bangfu.accounts.roles import Role


class NetworkPermission(StrEnum):
    VIEW = "network.view"
    MANAGE = "network.manage"  # units, their people, the leading group


_EVERY_ROLE = set(Role.values)

ROLE_GRANTS = {
    **{role: {NetworkPermission.VIEW} for role in _EVERY_ROLE},
    Role.SYSTEM_ADMIN: {NetworkPermission.VIEW, NetworkPermission.MANAGE},
    Role.LEADER: {NetworkPermission.VIEW, NetworkPermission.MANAGE},
    Role.STAFF: {NetworkPermission.VIEW, NetworkPermission.MANAGE},
}

URL_PERMISSIONS = {
    "network:unit_list": NetworkPermission.VIEW,
    # The unit picker: scoped by the permission the asking form names (one the user holds).
    "network:unit_search": NetworkPermission.VIEW,
    "network:unit_detail": NetworkPermission.VIEW,
    "network:unit_create": NetworkPermission.MANAGE,
    "network:unit_update": NetworkPermission.MANAGE,
    "network:unit_delete": NetworkPermission.MANAGE,
    "network:person_create": NetworkPermission.MANAGE,
    "network:person_update": NetworkPermission.MANAGE,
    "network:person_delete": NetworkPermission.MANAGE,
    "network:map": NetworkPermission.VIEW,
    "network:map_pdf": NetworkPermission.VIEW,
    "network:map_png": NetworkPermission.VIEW,
    "api:orgunit_list": NetworkPermission.VIEW,
    "api:orgunit_detail": NetworkPermission.VIEW,
    "api:orgunit_create": NetworkPermission.MANAGE,
    "api:orgunit_update": NetworkPermission.MANAGE,
    "api:orgunit_delete": NetworkPermission.MANAGE,
}
