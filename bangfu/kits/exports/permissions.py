"""The export pages are for any signed-in user: what each kind needs (to export, to export in
full) is checked by the service and the selectors with the exporter's own permissions, and a
user only ever sees their own exports."""

from bangfu.accounts.policy import AUTHENTICATED

ROLE_GRANTS: dict[str, set[str]] = {}

URL_PERMISSIONS = {
    "exports:list": AUTHENTICATED,
    "exports:new": AUTHENTICATED,
    "exports:detail": AUTHENTICATED,
    "exports:download": AUTHENTICATED,
}
