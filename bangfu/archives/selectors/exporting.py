"""Reads for the roster export: the archives a user may export, with the list's filters, and
their rows in the import template (so an export imports again as "already present")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connections
from django.db.models import Case, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.crypto import decrypt
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone

from .. import xlsx as roster
from ..models import Household, HouseholdMember
from ..models import choices as c
from ..permissions import ArchivesPermission
from .browse import HouseholdFilters, household_list

EXPORT = ArchivesPermission.EXPORT
CHUNK = 500  # households per fetch: members come with one prefetch query per chunk


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


def _after(households: QuerySet[Household], created_at: Any, pk: int) -> QuerySet[Household]:
    """The archives after (`created_at`, `pk`) in list order (keyset: newest first, then by
    id), as a row comparison that the list's index answers as a range: `created_at < … OR
    (created_at = … AND id < …)` is a filter PostgreSQL applies to every row before the bound
    again, batch after batch (EXPLAIN on 200,000 archives: 150,001 rows removed by filter for
    the 300th batch)."""
    table = Household._meta.db_table
    # Bound as the field binds it (SQLite compares the stored text: naive UTC, no offset).
    bound = Household._meta.get_field("created_at").get_db_prep_value(
        created_at, connections[households.db]
    )
    return households.extra(  # noqa: S610 - parameters bound, names from the model
        where=[f'("{table}"."created_at", "{table}"."id") < (%s, %s)'],
        params=[bound, pk],
    )


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
_HEAD_EXTRA = ("id", "created_at", "archive_no", "status", "secondary_causes")


def _labeller(choices: Any) -> Any:
    """Return `archives.xlsx._label` for one choices class, its labels translated once."""
    labels = {code: str(label) for code, label in choices.choices}

    def label(value: Any) -> str:
        if value is None or value == "":
            return ""
        text = labels.get(value)
        return text if text is not None else str(value)

    return label


def _masked_or_decrypted(masked: str, token: str | None, mask: Any) -> str:
    """The masked form kept beside the ciphertext; for a row stored before it was kept (or
    written by code that does not keep it), the value decrypted and masked as before."""
    if masked or not token:
        return masked
    return mask(decrypt(token))


class _RowBuilder:
    """Builds the roster rows of one batch from `values_list` tuples (see `roster_batches`)."""

    def __init__(self, *, masked: bool) -> None:
        self.masked = masked
        yes, no = _("是"), _("否")
        self.yes_no = lambda value: yes if value else no
        self.head_relation = _("户主")
        self.cause = _labeller(c.HardshipCause)
        self.status = _labeller(Household.Status)
        self.keys = [spec.key for spec in roster.SPECS]
        # Head: the fields read, in order; then, per column, the field's index and its writer.
        personal = (
            ["id_masked", "mobile_masked", "bank_card_masked"]
            if masked
            else ["id_number", "mobile", "bank_card"]
        )
        head_fields = list(_HEAD_EXTRA) + personal + [f for f, _k in _HEAD_COLUMNS.values()]
        head_fields += [key for key in _YES_NO_KEYS if key not in head_fields]
        self.head_fields = list(dict.fromkeys(head_fields))
        self.member_fields = ["household_id", "id_masked" if masked else "id_number"] + [
            field for field, _kind in _MEMBER_COLUMNS.values()
        ]
        self.head_plan = self._plan(_HEAD_COLUMNS, self.head_fields, head=True)
        self.member_plan = self._plan(_MEMBER_COLUMNS, self.member_fields, head=False)

    def _plan(
        self, columns: dict[str, tuple[str, Any]], fields: list[str], *, head: bool
    ) -> list[tuple[int, Any]]:
        """Per roster column: (index in the tuple or -1 for a value set per row, converter)."""
        plan: list[tuple[int, Any]] = []
        for key in self.keys:
            if key in columns:
                field, kind = columns[key]
                convert = (
                    self.yes_no
                    if kind == "yes_no"
                    else (_labeller(kind) if kind is not None else None)
                )
                plan.append((fields.index(field), convert))
            elif head and key in _YES_NO_KEYS:
                plan.append((fields.index(key), self.yes_no))
            else:
                plan.append((-1, None))  # household_no, relation, personal numbers, causes
        return plan

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

    def _row(self, plan: list[tuple[int, Any]], values: Sequence[Any], fixed: dict[str, Any]):
        row: list[Any] = []
        for key, (index, convert) in zip(self.keys, plan, strict=True):
            if index < 0:
                row.append(fixed.get(key))
            elif convert is None:
                row.append(values[index])
            else:
                row.append(convert(values[index]))
        return row

    def rows(
        self, head: Sequence[Any], members: list[Sequence[Any]]
    ) -> tuple[list[list[Any]], str]:
        """Return the rows of one archive (head, then members) and its status label."""
        f = self.head_fields
        pk, archive_no = head[0], head[2]
        number = archive_no or f"D{pk}"
        tokens = head[len(f) :]
        if self.masked:
            id_text = _masked_or_decrypted(head[5], tokens[0], mask_id_number)
            mobile = _masked_or_decrypted(head[6], tokens[1], mask_phone)
            card = _masked_or_decrypted(head[7], tokens[2], mask_bank_card)
        else:
            id_text, mobile, card = head[5] or "", head[6], head[7]
        holder = head[f.index("name")] if card else ""
        fixed = {
            "household_no": number,
            "relation": self.head_relation,
            "id_number": id_text,
            "mobile": mobile,
            "bank_card": card,
            "bank_account_holder": holder,
            "secondary_causes": "、".join(self.cause(int(code)) for code in head[4] or []),
        }
        rows = [self._row(self.head_plan, head, fixed)]
        for member in members:
            if self.masked:
                member_id = _masked_or_decrypted(member[1], member[-1], mask_id_number)
            else:
                member_id = member[1] or ""
            rows.append(
                self._row(
                    self.member_plan, member, {"household_no": number, "id_number": member_id}
                )
            )
        return rows, self.status(head[3])


def roster_batches(
    households: QuerySet[Household], *, masked: bool, counts: dict[str, int], size: int = CHUNK
) -> Iterator[list[Sequence[Any]]]:
    """Yield the roster rows of `households` (head, then members; each row ends with the
    archive's status), `size` households at a time.

    Keyset batches: each batch is one query for the next `size` archives after the last one
    written (in list order, on its index) and one for their members, so the queries grow with
    the batches, never with the rows, no cursor stays open between batches, and only one batch
    is in memory. Rows are built from tuples, not model instances; a masked export reads the
    masked forms kept beside the ciphertext and decrypts nothing (but rows stored before they
    were kept). `counts` receives items (households), households and people as they go.
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
    last: tuple[Any, int] | None = None
    while True:
        page = heads_query if last is None else _after(heads_query, *last)
        heads = list(page.values_list(*head_columns)[:size])
        if not heads:
            return
        members: dict[int, list[Sequence[Any]]] = {head[0]: [] for head in heads}
        for member in members_query.filter(household_id__in=list(members)).values_list(
            *builder.member_fields, *member_tokens
        ):
            members[member[0]].append(member)
        batch: list[Sequence[Any]] = []
        for head in heads:
            rows, status = builder.rows(head, members[head[0]])
            batch.extend([*row, status] for row in rows)
            counts["people"] += len(rows)
        counts["items"] = counts["households"] = counts["households"] + len(heads)
        last = (heads[-1][1], heads[-1][0])
        yield batch
