"""Reads for the roster export: the archives a user may export, with the list's filters, and
their rows in the import template (so an export imports again as "already present")."""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.db.models import Case, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.crypto import decrypt
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.core.queries import any_of

from .. import xlsx as roster
from ..models import Household, HouseholdMember
from ..models import choices as c
from ..permissions import ArchivesPermission
from .browse import HouseholdFilters, household_list

EXPORT = ArchivesPermission.EXPORT
CHUNK = 1000  # households per batch: their members come with one more query


def roster_households(*, user: Any, filters: HouseholdFilters) -> QuerySet[Household]:
    """Return the archives the user may export that match the list's filters, in list order
    (`-created_at, -id`, the order of the list's index), with every column.

    The scope is the user's VIEW scope (the list) narrowed to its EXPORT scope.
    """
    return (
        household_list(user=user, filters=filters)
        .defer(None)  # the list loads a few columns only; the roster needs every field
        .filter(policy.scope_q(user, EXPORT, field="unit"))
        .select_related("unit", "area")
    )


def roster_count(*, user: Any, filters: HouseholdFilters) -> int:
    return (
        household_list(user=user, filters=filters)
        .filter(policy.scope_q(user, EXPORT, field="unit"))
        .count()
    )


def _keys_in_list_order(households: QuerySet[Household]) -> array[int]:
    """The keys of the archives to export, in list order, read once through a cursor into an
    array of 8 bytes a key (8 MB for a million archives).

    The batches then read their archives by key (`id IN (…)`, the primary key's index),
    whatever the scope and filters: a keyset on the list order (`(created_at, id) < (…)`) is
    an index range for the whole city but not for a county's 111 stations, where PostgreSQL
    joins the stations and sorts every archive before the bound again, batch after batch
    (EXPLAIN on a million archives: 75,000 rows sorted for the 50th batch of 500, 0.25–0.36 s
    a batch, 50 s of a county's 100,000-archive export)."""
    keys = array("q")
    keys.extend(
        households.order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .iterator(chunk_size=20_000)
    )
    return keys


# The roster's rows from plain tuples (`values_list`), not model instances: what
# `archives.xlsx.household_rows` writes for an archive and its members, cell for cell (a test
# compares them), with each choice's labels looked up once per export instead of once per cell
# and — for a masked export — the masked forms kept beside the ciphertext instead of decrypting.
_YES_NO_KEYS = (
    "union_member",
    "single_parent",
    "zero_employment",
    "sudden_hardship",
    "receives_dibao",
    "controlling_shareholder",
    "multiple_homes",
    "owns_vehicle",
    "refuses_cooperation",
)
# Roster column key → (field of the archive, choices whose label is written, or None).
_HEAD_COLUMNS: dict[str, tuple[str, Any]] = {
    "name": ("name", None),
    "sex": ("sex", c.Sex),
    "birth_date": ("birth_date", None),
    "ethnicity": ("ethnicity", None),
    "political_status": ("political_status", c.PoliticalStatus),
    "health": ("health", c.Health),
    "disability": ("disability", c.Disability),
    "medical_insurance": ("medical_insurance", c.MedicalInsurance),
    "income": ("head_monthly_income", None),
    "work_unit": ("employer", None),
    "work_status": ("work_status", c.WorkStatus),
    "model_worker": ("model_worker", c.ModelWorker),
    "work_started_on": ("work_started_on", None),
    "industry": ("industry", c.Industry),
    "employer_nature": ("employer_nature", c.EmployerNature),
    "enterprise_status": ("enterprise_status", c.EnterpriseStatus),
    "marital_status": ("marital_status", c.Marital),
    "hukou": ("hukou", c.Hukou),
    "hukou_area_code": ("hukou_area_code", None),
    "unit": ("unit__name", None),
    "area": ("area__code", None),
    "applied_on": ("applied_on", None),
    "category": ("category", c.Category),
    "address": ("address", None),
    "postcode": ("postcode", None),
    "housing": ("housing", c.Housing),
    "floor_area": ("floor_area", None),
    "main_cause": ("main_cause", c.HardshipCause),
    "bank_name": ("bank_name", None),
    "bank_branch": ("bank_branch", None),
    "consent_sensitive_on": ("consent_sensitive_on", None),
    "consent_publication_on": ("consent_publication_on", None),
    "notes": ("notes", None),
    "wage_income": ("wage_income", None),
    "business_income": ("business_income", None),
    "property_income": ("property_income", None),
    "transfer_income": ("transfer_income", None),
    "other_income": ("other_income", None),
    "medical_spending": ("medical_spending", None),
    "disability_spending": ("disability_spending", None),
    "education_spending": ("education_spending", None),
    "housing_spending": ("housing_spending", None),
    "other_spending": ("other_spending", None),
}
_MEMBER_COLUMNS: dict[str, tuple[str, Any]] = {
    "relation": ("relation", c.Relation),
    "name": ("name", None),
    "sex": ("sex", c.Sex),
    "birth_date": ("birth_date", None),
    "health": ("health", c.Health),
    "disability": ("disability", c.Disability),
    "medical_insurance": ("medical_insurance", c.MedicalInsurance),
    "income": ("monthly_income", None),
    "work_unit": ("employer_or_school", None),
    "identity": ("identity", c.MemberIdentity),
    "able_to_work": ("able_to_work", "yes_no"),
    "education": ("education", c.Education),
    "enrolled_year": ("enrolled_year", None),
    "schooling_years": ("schooling_years", None),
}
# The fields read besides the columns above: (head) id, household number, status, causes.
# (Not `created_at`: reading it cost a time-zone conversion per archive for nothing.) The
# positions below (`_PK` …) are these fields' in the tuple read.
_HEAD_EXTRA = ("id", "archive_no", "status", "secondary_causes")
_PK, _NO, _STATUS, _CAUSES, _ID, _MOBILE, _CARD = range(7)


class _Labels(dict[Any, str]):
    """{code: label} of one choices class, translated once: `labels[value]` is what
    `archives.xlsx._label` writes ("" for no value, the value itself for an unknown code)."""

    def __init__(self, choices: Any) -> None:
        super().__init__({code: str(label) for code, label in choices.choices})
        self[None] = self[""] = ""

    def __missing__(self, value: Any) -> str:
        return str(value)


class _YesNo(dict[Any, str]):
    """`archives.xlsx._yes_no` as a mapping: 是 for a true value, else 否."""

    def __init__(self) -> None:
        super().__init__({True: _("是"), False: _("否")})

    def __missing__(self, value: Any) -> str:
        return self[bool(value)]


def _masked_or_decrypted(masked: str, token: str | None, mask: Any) -> str:
    """The masked form kept beside the ciphertext; for a row stored before it was kept (or
    written by code that does not keep it), the value decrypted and masked as before."""
    if masked or not token:
        return masked
    return mask(decrypt(token))


# The values a row takes besides the fields read: appended to the tuple, picked by position.
_HEAD_FIXED = (
    "household_no",
    "relation",
    "id_number",
    "mobile",
    "bank_card",
    "bank_account_holder",
    "secondary_causes",
)
_MEMBER_FIXED = ("household_no", "id_number")


class _RowBuilder:
    """Builds the roster rows of one batch from `values_list` tuples (see `roster_batches`):
    each row is the tuple, with the values computed per row appended, picked in column order
    by one `itemgetter`; then the choice and yes/no columns are replaced by their labels."""

    def __init__(self, *, masked: bool) -> None:
        self.masked = masked
        self.yes_no = _YesNo()
        self.head_relation = _("户主")
        self.cause = _Labels(c.HardshipCause)
        self.status = _Labels(Household.Status)
        personal = (
            ["id_masked", "mobile_masked", "bank_card_masked"]
            if masked
            else ["id_number", "mobile", "bank_card"]
        )
        head_fields = list(_HEAD_EXTRA) + personal + [f for f, _k in _HEAD_COLUMNS.values()]
        head_fields += [key for key in _YES_NO_KEYS if key not in head_fields]
        self.head_fields = list(dict.fromkeys(head_fields))
        assert self.head_fields[_PK : _CARD + 1] == [*_HEAD_EXTRA, *personal]
        self.member_fields = ["household_id", "id_masked" if masked else "id_number"] + [
            field for field, _kind in _MEMBER_COLUMNS.values()
        ]
        self.name_index = self.head_fields.index("name")
        head_columns = {
            **_HEAD_COLUMNS,
            **{key: (key, "yes_no") for key in _YES_NO_KEYS},
        }
        tokens = len(self.annotations(member=False))
        self.head_pick, self.head_convert = self._plan(
            head_columns, self.head_fields, _HEAD_FIXED, skip=tokens
        )
        tokens = len(self.annotations(member=True))
        self.member_pick, self.member_convert = self._plan(
            _MEMBER_COLUMNS, self.member_fields, _MEMBER_FIXED, skip=tokens
        )

    def _plan(
        self,
        columns: dict[str, tuple[str, Any]],
        fields: list[str],
        fixed: tuple[str, ...],
        *,
        skip: int,
    ) -> tuple[Any, list[tuple[int, dict[Any, str]]]]:
        """Return the `itemgetter` of the roster's columns from (tuple read, `skip` tokens,
        the fixed values, None) and the (column, labels) of the columns to translate."""
        base = len(fields) + skip
        empty = base + len(fixed)  # the None appended last: a column the row leaves blank
        positions: list[int] = []
        convert: list[tuple[int, dict[Any, str]]] = []
        for column, spec in enumerate(roster.SPECS):
            if spec.key in fixed:
                positions.append(base + fixed.index(spec.key))
            elif spec.key in columns:
                field, kind = columns[spec.key]
                positions.append(fields.index(field))
                if kind == "yes_no":
                    convert.append((column, self.yes_no))
                elif kind is not None:
                    convert.append((column, _Labels(kind)))
            else:
                positions.append(empty)
        return itemgetter(*positions), convert

    def annotations(self, *, member: bool) -> dict[str, Any]:
        """For a masked export: the ciphertext, read only where no masked form is kept."""
        if not self.masked:
            return {}
        pairs = [("id_masked", "id_number")]
        if not member:
            pairs += [("mobile_masked", "mobile"), ("bank_card_masked", "bank_card")]
        return {
            f"_{source}_token": Case(
                When(**{masked: ""}, then=Cast(source, TextField())),
                default=Value(""),
                output_field=TextField(),
            )
            for masked, source in pairs
        }

    def rows(self, head: tuple[Any, ...], members: list[tuple[Any, ...]]) -> list[list[Any]]:
        """Return the rows of one archive (head, then members), each ending with its status."""
        pk, archive_no = head[_PK], head[_NO]
        number = archive_no or f"D{pk}"
        if self.masked:
            tokens = head[len(self.head_fields) :]
            id_text = _masked_or_decrypted(head[_ID], tokens[0], mask_id_number)
            mobile = _masked_or_decrypted(head[_MOBILE], tokens[1], mask_phone)
            card = _masked_or_decrypted(head[_CARD], tokens[2], mask_bank_card)
        else:
            id_text, mobile, card = head[_ID] or "", head[_MOBILE], head[_CARD]
        cause = self.cause
        row = list(
            self.head_pick(
                (
                    *head,
                    number,
                    self.head_relation,
                    id_text,
                    mobile,
                    card,
                    head[self.name_index] if card else "",
                    "、".join(cause[int(code)] for code in head[_CAUSES] or ()),
                    None,
                )
            )
        )
        for column, labels in self.head_convert:
            row[column] = labels[row[column]]
        status = self.status[head[_STATUS]]
        row.append(status)
        rows = [row]
        masked, pick, convert = self.masked, self.member_pick, self.member_convert
        for member in members:
            if masked:
                member_id = _masked_or_decrypted(member[1], member[-1], mask_id_number)
            else:
                member_id = member[1] or ""
            row = list(pick((*member, number, member_id, None)))
            for column, labels in convert:
                row[column] = labels[row[column]]
            row.append(status)
            rows.append(row)
        return rows


def roster_batches(
    households: QuerySet[Household], *, masked: bool, counts: dict[str, int], size: int = CHUNK
) -> Iterator[list[Sequence[Any]]]:
    """Yield the roster rows of `households` (head, then members; each row ends with the
    archive's status), `size` households at a time.

    The keys of the archives are read first, in list order (`_keys_in_list_order`); then each
    batch is one query for its `size` archives by key and one for their members, so the
    queries grow with the batches, never with the rows, no cursor stays open between batches,
    and only one batch of rows is in memory (beside the keys, 8 bytes an archive). Rows are
    built from tuples, not model instances; a masked export reads the masked forms kept beside
    the ciphertext and decrypts nothing (but rows stored before they were kept). `counts`
    receives items (households), households and people as they go.
    """
    for key in ("items", "households", "people"):
        counts.setdefault(key, 0)
    builder = _RowBuilder(masked=masked)
    heads_query = households.annotate(**builder.annotations(member=False))
    head_columns = [*builder.head_fields, *builder.annotations(member=False)]
    member_tokens = list(builder.annotations(member=True))
    members_query = HouseholdMember.objects.annotate(**builder.annotations(member=True)).order_by(
        "household_id", "sort_order", "id"
    )
    keys = _keys_in_list_order(households)
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size].tolist()
        # Read by key; the filters again (an archive changed since no longer matching is left
        # out, as a page of the list would leave it), then in the keys' order.
        found = {
            head[0]: head
            for head in any_of(heads_query, "id", chunk).order_by().values_list(*head_columns)
        }
        heads = [found[key] for key in chunk if key in found]
        if not heads:
            continue
        members: dict[int, list[tuple[Any, ...]]] = {head[0]: [] for head in heads}
        for member in any_of(members_query, "household_id", list(members)).values_list(
            *builder.member_fields, *member_tokens
        ):
            members[member[0]].append(member)
        batch: list[Sequence[Any]] = []
        for head in heads:
            rows = builder.rows(head, members[head[0]])
            batch.extend(rows)
            counts["people"] += len(rows)
        counts["items"] = counts["households"] = counts["households"] + len(heads)
        yield batch


@dataclass(slots=True)
class ArchiveRows:
    """An archive as the roster import compares a file's household with it (`archives_in_full`):
    what it is found, named and matched by, its members' (ID number, name, relation code) in
    their order, and its rows in full as an export writes them (the head's, then each member's;
    no status column)."""

    pk: int
    status: str
    archive_no: str
    name: str
    id_number: str
    unit_id: int
    area_id: int | None
    members: list[tuple[str, str, str]]
    rows: list[list[Any]]


def archives_in_full(households: QuerySet[Household]) -> list[ArchiveRows]:
    """Read `households` (a batch, narrowed by key or index) with their members as the roster
    import compares them: two queries of plain tuples, the rows built as a full export builds
    them — not model instances (building an archive and its members as models, and their rows
    from the models, was a quarter of a second import's check)."""
    builder = _RowBuilder(masked=False)
    fields = len(builder.head_fields)
    heads = list(households.order_by().values_list(*builder.head_fields, "unit_id", "area_id"))
    if not heads:
        return []
    members: dict[int, list[tuple[Any, ...]]] = {head[0]: [] for head in heads}
    query = HouseholdMember.objects.order_by("household_id", "sort_order", "id")
    for member in any_of(query, "household_id", list(members)).values_list(*builder.member_fields):
        members[member[0]].append(member)
    name_at = builder.member_fields.index("name")
    relation_at = builder.member_fields.index("relation")
    found = []
    for head in heads:
        own = members[head[0]]
        rows = builder.rows(head[:fields], own)
        for row in rows:
            row.pop()  # the status column
        found.append(
            ArchiveRows(
                pk=head[0],
                status=head[_STATUS],
                archive_no=head[_NO] or "",
                name=head[builder.name_index],
                id_number=head[_ID] or "",
                unit_id=head[fields],
                area_id=head[fields + 1],
                members=[(m[1] or "", m[name_at], m[relation_at]) for m in own],
                rows=rows,
            )
        )
    return found
