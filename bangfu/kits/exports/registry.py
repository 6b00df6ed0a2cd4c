"""Exporters, one per kind of export, registered by the context that owns the data.

An exporter says what may be exported by whom and writes its rows; the kit does the rest
(purpose, masking, permission and reason for full values, the access log, inline or job,
formats, encrypted storage, expiry, the pages). See `docs/dev/CONTEXT.md`, "Adding an export".

    class RosterExporter(Exporter):
        kind = "archives.roster"
        ...

    register(RosterExporter())      # from the context's AppConfig.ready
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.errors import NotFound


@dataclass
class Selection:
    """What the user chose on the export's page: `params` (JSON) are kept with the export for
    the writer (personal data in them sealed), `words` describe the filters (masked), `form`
    is shown on the page to change them (GET) and `query` carries them to the POST."""

    params: dict[str, Any]
    words: str
    query: str = ""
    form: forms.Form | None = None


@dataclass
class Sheet:
    """The columns of an export: titles, the ones kept as text (IDs, card numbers), a title
    line above them."""

    headers: Sequence[str]
    text_columns: frozenset[str] = field(default_factory=frozenset)
    title_line: str = ""
    # The columns a printed (PDF) export shows, when not all: a page holds a dozen at most.
    pdf_columns: Sequence[str] = ()


class Exporter:
    """The protocol of one kind of export (subclass and fill in)."""

    kind: str = ""
    title: Any = ""  # (lazy) text, e.g. 困难职工花名册: the file's name and the records' name
    permission: str = ""  # to export at all (masked)
    reveal_permission: str = ""  # to export full values (with a reason)
    full_fields: tuple[str, ...] = ()  # the fields shown in full, for the access log
    count_unit: Any = ""  # (lazy) text: what `count` counts, e.g. 户
    pdf: bool = True  # a printable PDF is offered for small exports

    def select(self, *, user: Any, data: QueryDict) -> Selection:
        """Return the filters asked for in `data` (the page's query)."""
        raise NotImplementedError

    def scope(self, *, user: Any) -> str:
        """Return the user's export scope in words: the units where they hold `permission`."""
        return scope_words(user, self.permission)

    def count(self, *, user: Any, params: dict[str, Any]) -> int:
        """Return how many items (`count_unit`) the export would hold: decides inline or job."""
        raise NotImplementedError

    def sheet(self, *, masked: bool) -> Sheet:
        raise NotImplementedError

    def batches(
        self, *, user: Any, params: dict[str, Any], masked: bool, counts: dict[str, int]
    ) -> Iterator[list[Sequence[Any]]]:
        """Yield the rows in batches (the query count grows with batches, not rows); fill
        `counts` with what `summary` reports."""
        raise NotImplementedError

    def summary(self, counts: dict[str, int]) -> str:
        """Return the export's size in words, e.g. 12 户 28 人."""
        return _("%(rows)d 行") % {"rows": counts.get("rows", 0)}

    def inline_limit(self) -> int:
        """Above this `count`, the export is written by a background job."""
        return int(settings.BANGFU_EXPORT_INLINE_HOUSEHOLDS)


def scope_words(user: Any, perm: str) -> str:
    """Return the units under which `user` holds `perm`, in words (one query)."""
    from bangfu.network.models import OrgUnit

    paths = policy.scope_paths(user, perm)
    units = OrgUnit.objects.filter(path__in=paths).order_by("path")
    names = list(units.values_list("name", flat=True))
    if not names:
        return _("无")
    return _("%(units)s(含下属单位)") % {"units": "、".join(names)}


_EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    known = _EXPORTERS.get(exporter.kind)
    if not exporter.kind or (known is not None and type(known) is not type(exporter)):
        raise RuntimeError(f"Exporter kind {exporter.kind!r} is empty or registered twice.")
    _EXPORTERS[exporter.kind] = exporter
    return exporter


def exporter_for(kind: str) -> Exporter:
    try:
        return _EXPORTERS[kind]
    except KeyError:
        raise NotFound(_("没有这种导出。")) from None


def exporters() -> list[Exporter]:
    return list(_EXPORTERS.values())
