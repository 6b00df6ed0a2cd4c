from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bangfu.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the key check
        from .discovery import autodiscover
        from .pgarrays import register as register_array_dumper

        register_array_dumper()  # before the first connection: bulk inserts' arrays

        # Every app's models are loaded by now: the contexts' panels and due items can register.
        autodiscover()
        post_migrate.connect(_record_key_fingerprints, sender=self)


def _record_key_fingerprints(
    sender: AppConfig, using: str = "default", apps: Any = None, **kwargs: Any
) -> None:
    """At the first migrate, record the fingerprints of the keys configured then (audited).

    Only where the key check is on (not in the test suite), and only once the table exists.
    """
    from django.conf import settings
    from django.db import transaction
    from django.utils.translation import gettext

    if not getattr(settings, "BANGFU_CHECK_KEYS", True):
        return
    if apps is not None:  # migrate passes the migrated state; flush passes none
        try:
            apps.get_model("core", "KeyFingerprint")
        except LookupError:
            return
    from .audit import audit_record, checkpoint_after_commit
    from .audit_actions import CoreAction
    from .keys import fingerprints_summary, key_fingerprints_record

    with transaction.atomic(using=using):
        created = key_fingerprints_record()
        if created:
            audit_record(
                actor=None,
                action=CoreAction.KEY_RECORD,
                object_type="core.keyfingerprint",
                summary=gettext("登记本系统使用的密钥指纹"),
                changes=fingerprints_summary(created),
            )
            # The installation's first event: anchor it outside the database at once.
            checkpoint_after_commit(reason="first-migrate")
