"""System checks: refuse to start with keys that are not the installation's.

`check_keys` runs with every management command that runs system checks (runserver, db_worker,
migrate, check, …); `config/wsgi.py` runs it before gunicorn serves (`refuse_wrong_keys`). It
compares the configured keys with the fingerprints recorded at the first migrate
(`core.keys`), and says in Chinese and English which key is wrong. Without a database, or
before the first migrate, there is nothing to compare and it passes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

KEYS_TAG = "bangfu_keys"


def _recorded() -> list[Any] | None:
    from .models import KeyFingerprint

    try:
        return list(KeyFingerprint.objects.all())
    except DatabaseError:
        # No database yet, or not migrated this far: nothing recorded to compare with.
        return None


@checks.register(KEYS_TAG)
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not getattr(settings, "BANGFU_CHECK_KEYS", True):
        return []
    recorded = _recorded()
    if not recorded:
        return []
    from .keys import Purpose, configured_keys

    try:
        configured = configured_keys()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="bangfu.E100")]
    have = {(key.purpose, key.fingerprint) for key in configured}
    active = [row for row in recorded if row.retired_at is None]
    problems: list[checks.CheckMessage] = []

    field_rows = [row for row in active if row.purpose == Purpose.FIELD]
    missing = [row.key_id for row in field_rows if (row.purpose, row.fingerprint) not in have]
    if missing:
        ids = ", ".join(missing)
        problems.append(
            checks.Error(
                f"BANGFU_FIELD_KEYS 缺少本系统登记的敏感字段加密密钥 {ids}:用它加密的数据将无法解密"
                "(档案打不开或显示“未找到”)。请恢复原来的密钥;轮换时新密钥放在最前、旧密钥"
                "保留在后,运行 manage.py rotate_keys,待其报告旧密钥已停用后才可移除。"
                f" / BANGFU_FIELD_KEYS lacks the field key(s) {ids} recorded by this "
                "installation: data encrypted under them cannot be read. Restore the original "
                "key; to rotate, put the new key first, keep the old ones after it and run "
                "manage.py rotate_keys, which retires an old key once nothing is left under it.",
                id="bangfu.E101",
            )
        )
    recorded_field = {row.fingerprint for row in recorded if row.purpose == Purpose.FIELD}
    newest = next((key for key in configured if key.purpose == Purpose.FIELD), None)
    if field_rows and newest is not None and newest.fingerprint not in recorded_field:
        problems.append(
            checks.Warning(
                f"BANGFU_FIELD_KEYS 最前面的新密钥 {newest.key_id} 尚未登记:请运行 "
                "manage.py rotate_keys(登记新密钥并把数据转到其下)。"
                f" / The newest field key {newest.key_id} is not recorded yet: run "
                "manage.py rotate_keys (records it and moves the data under it).",
                id="bangfu.W101",
            )
        )

    for purpose, variable, id_, damage_zh, damage_en in (
        (
            Purpose.BLIND_INDEX,
            "BANGFU_BLIND_INDEX_KEY",
            "bangfu.E102",
            "按身份证号等查找将找不到已有档案,同一证件号可能被重复建档",
            "look-ups by ID number would miss existing archives and let the same ID be filed twice",
        ),
        (
            Purpose.AUDIT,
            "BANGFU_AUDIT_KEY"
            + (
                ""
                if getattr(settings, "BANGFU_AUDIT_KEY", "")
                else "(未设置,由 DJANGO_SECRET_KEY 派生)"
            ),
            "bangfu.E103",
            "新写入的审计事件将使审计链永久断裂,已有事件也无法校验",
            "new audit events would break the chain for good and old ones fail to verify",
        ),
    ):
        rows = [row for row in active if row.purpose == purpose]
        if rows and not any((purpose, row.fingerprint) in have for row in rows):
            problems.append(
                checks.Error(
                    f"{variable} 与本系统登记的密钥不符:{damage_zh}。请恢复原来的密钥。"
                    f" / {variable.split('(')[0]} is not the key this installation recorded: "
                    f"{damage_en}. Restore the original key.",
                    id=id_,
                )
            )
    return problems


def refuse_wrong_keys() -> None:
    """Raise ImproperlyConfigured listing the key problems, for entry points without checks.

    gunicorn loads `config.wsgi` without running system checks; calling this there makes a
    worker with a wrong key fail to boot instead of serving 500s.
    """
    errors = [
        message for message in checks.run_checks(tags=[KEYS_TAG]) if message.level >= checks.ERROR
    ]
    if errors:
        raise ImproperlyConfigured("\n".join(f"({e.id}) {e.msg}" for e in errors))
