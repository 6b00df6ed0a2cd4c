"""The importer protocol and the registry of importers by kind (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.functional import Promise

from bangfu.core.errors import NotFound
from bangfu.core.xlsx import CellError, Table

Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    """What an importer's check (or write) found or did.

    `errors` empty and `writable` 0 means there is nothing to import (everything exists).
    `counts` are the importer's own figures, shown with its `count_labels`.
    """

    rows: int = 0
    errors: list[CellError] = field(default_factory=list)
    writable: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[list[Any]] = field(default_factory=list)  # [row, name, what it already is]


class Importer(Protocol):
    """One kind of file the kit imports. Its methods write nothing but `write`."""

    # Plain class attributes in an importer; read-only here.
    @property
    def kind(self) -> str:
        """The kind ("archives.roster"), stored on the batch; names the importer."""

    @property
    def label(self) -> str | Promise:
        """What is imported ("困难职工花名册"), shown on the pages."""

    @property
    def permission(self) -> str:
        """The permission to upload, confirm and see one's batches."""

    @property
    def url_namespace(self) -> str:
        """The URL namespace in which the context included `views.import_urls(kind)`."""

    @property
    def upload_help(self) -> str | Promise:
        """One paragraph on the upload page."""

    @property
    def count_labels(self) -> Sequence[tuple[str, str | Promise, str | Promise]]:
        """(count key, label before writing, label after writing) for the batch page."""

    @property
    def skipped_labels(self) -> tuple[str | Promise, str | Promise]:
        """Headings of the "已存在,跳过" list: (name, what it already is)."""

    def template(self) -> bytes | None:
        """The template workbook users fill in, or None."""

    def read(self, content: bytes, columns: dict[str, str] | None = None) -> Table:
        """Read the file (`columns`: the user's {header title: field key or ""} overriding the
        titles and aliases); raise `core.errors.ValidationError(field="file")` when it cannot."""

    def fields(self) -> Sequence[tuple[str, str]]:
        """(key, title) of every field a column may be mapped to, in the template's order."""

    def choice_columns(self) -> Mapping[str, Sequence[str]]:
        """{field key: the labels of its choices} for the columns whose values are mapped."""

    def value_matches(self, key: str, value: Any) -> bool:
        """Whether the importer takes this cell of a choice column as it is."""

    def check(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        """Check the whole file (every error in one pass) and write nothing."""

    def write(self, *, user: Any, batch: Any, table: Table, progress: Progress) -> Outcome:
        """Check again and write, idempotently (rows already present are skipped), in one
        transaction. Return the errors instead when the check now finds some (nothing written).
        """

    def summary(self, batch: Any) -> str:
        """The sentence shown once the check has run (or the write is done)."""


_IMPORTERS: dict[str, Importer] = {}


def importer_register(importer: Importer) -> Importer:
    """Register `importer` under its kind (from its context's `AppConfig.ready`)."""
    _IMPORTERS[importer.kind] = importer
    return importer


def importer_for(kind: str) -> Importer:
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise NotFound(f"no importer for {kind!r}") from None


def importers() -> list[Importer]:
    return list(_IMPORTERS.values())
