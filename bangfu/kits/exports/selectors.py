"""Reads of the export kit: a user's own exports and their files (never anyone else's)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.crypto import decrypt_bytes
from bangfu.core.errors import NotFound

from .models import Export, ExportChunk
from .registry import exporter_for

MY_EXPORTS_SHOWN = 50


def my_exports(*, user: Any) -> QuerySet[Export]:
    return Export.objects.filter(created_by=user).select_related("job")[:MY_EXPORTS_SHOWN]


def export_for_user(*, user: Any, export_id: Any) -> Export:
    """Return the user's own export; NotFound for anyone else's, a missing one or a bad id."""
    if not getattr(user, "is_authenticated", False):
        raise NotFound(_("未找到该导出文件。"))
    try:
        return Export.objects.select_related("job").get(pk=export_id, created_by=user)
    except (Export.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("未找到该导出文件。")) from None


def is_downloadable(export: Export) -> bool:
    return export.status == Export.Status.READY and (
        export.expires_at is None or export.expires_at > timezone.now()
    )


def export_file(*, user: Any, export: Export) -> Iterator[bytes]:
    """Return the export's file, decrypted chunk by chunk (one query per chunk: the file is
    never whole in memory). The user must still hold the permissions it was made with."""
    exporter = exporter_for(export.kind)
    policy.require_perm(user, exporter.permission)
    if not export.masked:
        policy.require_perm(user, exporter.reveal_permission)
    if not is_downloadable(export):
        raise NotFound(_("导出文件尚未生成、生成失败或已过期清除。"))
    seqs = list(
        ExportChunk.objects.filter(export=export).order_by("seq").values_list("seq", flat=True)
    )

    def chunks() -> Iterator[bytes]:
        for seq in seqs:
            blob = ExportChunk.objects.filter(export=export, seq=seq).values_list(
                "data", flat=True
            )[0]
            yield decrypt_bytes(bytes(blob))

    return chunks()
