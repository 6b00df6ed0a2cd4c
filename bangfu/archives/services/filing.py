"""Filing an archive (建档): check what was given, number it, register its ID numbers, record it.

Every way in — the page form, the Excel import, the API — builds a `HouseholdInput` and comes
here, so one set of checks applies to all of them:

- `validate_household(data, household=...)` returns {field: Chinese message}; member fields are
  keyed `members.<i>.<field>`. It runs one query (the ID registry) whatever the household size.
  `validate_households(items)` does the same for many new archives at once ("<index>.<field>",
  with the same ID twice among them), still one query.
- `household_create`, `household_update`, `member_add`, `member_update`, `member_remove`,
  `household_create_many` (the import: validate all, write nothing if any is wrong, then
  write in bulk with a number of queries that does not grow with the rows).
- `register_ids` / `release_ids`, for the services that close, refuse or reopen an archive.

The rule "one ID number, one open archive" is enforced twice: a look-up that names the other
archive (so the user learns where the person is filed), and the unique index of
`IdRegistration`, which catches two people filing the same ID at the same moment.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import (
    AuditEntry,
    PlainChanges,
    audit_record,
    audit_record_many,
    diff,
    plain,
)
from bangfu.core.bulk import (
    COPY_MIN_ROWS,
    bulk_insert,
    constraints_checked_ahead,
    copy_rows,
    maker,
    take_keys,
)
from bangfu.core.collector import collector_paused
from bangfu.core.dates import add_years
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.idnumber import (
    IdNumber,
    area_code_warning,
    check_consistency,
    parse_id_number,
    validate_bank_card,
)
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.core.money import MoneyField
from bangfu.core.queries import any_of
from bangfu.core.text import clean_text, name_initials
from bangfu.network.models import OrgUnit
from bangfu.network.selectors import nearest_centre

from ..audit_actions import ArchivesAction
from ..identity import digits_tail, id_index, mobile_index
from ..inputs import HouseholdInput, MemberInput, household_fields_of
from ..models import Area, Household, HouseholdMember, IdRegistration
from ..models import choices as c
from ..permissions import ArchivesPermission
from ..rules import RULE_2012
from . import categories
from .categories import household_determine_many
from .dynamic import recovery_runs_refresh

if TYPE_CHECKING:
    from bangfu.accounts.models import User

MASKED = {"id_number": mask_id_number, "mobile": mask_phone, "bank_card": mask_bank_card}

# Head-of-household fields copied from the input to the model as they are (after cleaning).
HEAD_FIELDS = (
    "applied_on",
    "origin",
    "rule_version",
    "category",
    "name",
    "ethnicity",
    "sex",
    "political_status",
    "id_number",
    "birth_date",
    "health",
    "disability",
    "work_status",
    "model_worker",
    "work_started_on",
    "industry",
    "employer",
    "employer_nature",
    "enterprise_status",
    "housing",
    "floor_area",
    "mobile",
    "postcode",
    "marital_status",
    "hukou",
    "hukou_area_code",
    "address",
    "single_parent",
    "zero_employment",
    "medical_insurance",
    "union_member",
    "head_monthly_income",
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "other_income",
    "medical_spending",
    "disability_spending",
    "education_spending",
    "housing_spending",
    "other_spending",
    "sudden_hardship",
    "receives_dibao",
    "controlling_shareholder",
    "multiple_homes",
    "owns_vehicle",
    "refuses_cooperation",
    "main_cause",
    "secondary_causes",
    "bank_name",
    "bank_branch",
    "bank_card",
    "notes",
    "consent_sensitive_on",
    "consent_publication_on",
)
MEMBER_FIELDS = (
    "name",
    "relation",
    "sex",
    "id_number",
    "birth_date",
    "health",
    "disability",
    "medical_insurance",
    "monthly_income",
    "identity",
    "able_to_work",
    "employer_or_school",
    "education",
    "enrolled_year",
    "schooling_years",
)
MONEY_FIELDS = household_fields_of(MoneyField)
TEXT_FIELDS = (
    "name",
    "employer",
    "address",
    "bank_name",
    "bank_branch",
    "postcode",
    "hukou_area_code",
)
# (field, allowed values, required) of the choice fields.
HEAD_CHOICES: tuple[tuple[str, frozenset[Any], bool], ...] = (
    ("origin", frozenset(Household.Origin.values), True),
    ("ethnicity", frozenset(c.ETHNIC_GROUPS), True),
    ("political_status", frozenset(c.PoliticalStatus.values), True),
    ("health", frozenset(c.Health.values), True),
    ("disability", frozenset(c.Disability.values), True),
    ("work_status", frozenset(c.WorkStatus.values), True),
    ("model_worker", frozenset(c.ModelWorker.values), True),
    ("industry", frozenset(c.Industry.values), False),
    ("employer_nature", frozenset(c.EmployerNature.values), False),
    ("enterprise_status", frozenset(c.EnterpriseStatus.values), False),
    ("housing", frozenset(c.Housing.values), True),
    ("marital_status", frozenset(c.Marital.values), True),
    ("hukou", frozenset(c.Hukou.values), True),
    ("medical_insurance", frozenset(c.MedicalInsurance.values), True),
    ("category", frozenset(c.Category.values), False),
    ("sex", frozenset(c.Sex.values), False),
)
MEMBER_CHOICES: tuple[tuple[str, frozenset[Any], bool], ...] = (
    ("relation", frozenset(c.Relation.values), True),
    ("health", frozenset(c.Health.values), True),
    ("disability", frozenset(c.Disability.values), True),
    ("medical_insurance", frozenset(c.MedicalInsurance.values), False),
    ("identity", frozenset(c.MemberIdentity.values), True),
    ("education", frozenset(c.Education.values), False),
    ("sex", frozenset(c.Sex.values), False),
)
# The same with the values that pass at once (a choice, not blank): most do, and only the
# others go through `_choice` (a call and a label for each choice of every person).
_HEAD_CHOICES_CHECKED = tuple(
    (name, allowed - {None, ""}, allowed, required) for name, allowed, required in HEAD_CHOICES
)
_MEMBER_CHOICES_CHECKED = tuple(
    (name, allowed - {None, ""}, allowed, required) for name, allowed, required in MEMBER_CHOICES
)
MAX_SECONDARY_CAUSES = 3
_REGISTRY_CHUNK = 10_000  # ID numbers per registry look-up
ARCHIVE_NO_DIGITS = 5
_MOBILE = re.compile(r"^1\d{10}$")


def _label(model: Any, name: str) -> str:
    return _label_in(model, name, get_language())


@lru_cache(maxsize=1024)
def _label_in(model: Any, name: str, language: str | None) -> str:
    # Cached per language: the checks of a bulk filing ask for the same labels for every item.
    return str(model._meta.get_field(name).verbose_name)


def _h(name: str) -> str:
    return _label(Household, name)


class _Label:
    """A field's label for a check's message, translated only when a message is written (the
    checks of a bulk filing pass one per field of every item: asking Django for the active
    language each time was a twentieth of an import's write)."""

    __slots__ = ("model", "name")

    def __init__(self, model: Any, name: str) -> None:
        self.model = model
        self.name = name

    def __str__(self) -> str:
        return _label(self.model, self.name)


@cache  # one label per field, not one per field of every item checked (a million in an import)
def _hl(name: str) -> _Label:
    return _Label(Household, name)


@cache
def _ml(name: str) -> _Label:
    return _Label(HouseholdMember, name)


@dataclass
class _Cleaned:
    """What the checks produced for one household: normalised values ready to store."""

    head: dict[str, Any] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    # (error key, canonical ID) for every ID number of the household, head first.
    ids: list[tuple[str, str]] = field(default_factory=list)


# --- checks -----------------------------------------------------------------------------------


# A choices class's `.values` builds its list again on each use (for each person of a batch).
_SEXES = frozenset(c.Sex.values)
_CAUSES = frozenset(c.HardshipCause.values)


# The day a batch of archives is checked against, looked up once for the batch
# (`_validate_batch`): `localdate` for each date and ID of 33,000 households took 1.2 s.
_BATCH_TODAY: ContextVar[date | None] = ContextVar("filing_batch_today", default=None)


def _today() -> date:
    return _BATCH_TODAY.get() or timezone.localdate()


def _choice(
    errors: dict[str, str],
    key: str,
    value: Any,
    allowed: frozenset[Any],
    label: _Label,
    *,
    required: bool,
) -> None:
    if value in (None, ""):
        if required:
            errors[key] = _("请选择%(label)s。") % {"label": label}
        return
    if value not in allowed:
        errors[key] = _("%(label)s“%(value)s”不是有效的选项。") % {"label": label, "value": value}


def _not_future(errors: dict[str, str], key: str, value: date | None, label: _Label) -> None:
    if value is not None and value > _today():
        errors[key] = _("%(label)s不能晚于今天。") % {"label": label}


def _money(errors: dict[str, str], key: str, value: Any, label: _Label) -> Decimal:
    if value.__class__ is Decimal:
        # Most amounts (a dozen of every household): neither None nor "" — comparing a
        # Decimal with "" went through the numbers ABC's isinstance check — nor copied.
        amount = value
    elif value is None or value == "":
        return _ZERO
    else:
        try:
            amount = Decimal(value)
        except (ArithmeticError, ValueError, TypeError):
            errors[key] = _("%(label)s应为金额(元)。") % {"label": label}
            return _ZERO
    if not amount.is_finite():
        errors[key] = _("%(label)s应为金额(元)。") % {"label": label}
        return _ZERO
    if amount < 0:
        errors[key] = _("%(label)s不能为负数。") % {"label": label}
    elif amount >= _TOO_MUCH:
        errors[key] = _("%(label)s金额过大,请核对。") % {"label": label}
    return amount.quantize(_CENT)


# Parsed once (a bulk filing checks a dozen amounts of every household).
_ZERO, _CENT, _TOO_MUCH = Decimal("0.00"), Decimal("0.01"), Decimal("10000000000")


def id_warnings(data: HouseholdInput | MemberInput, *, unchanged: Iterable[str] = ()) -> list[str]:
    """Return the warnings about the ID numbers of `data` (the head's and its members', or one
    member's): a valid number whose area code is in no edition of the national table.

    Nothing is refused for it (an old card keeps a code that no longer exists); the pages show
    the warnings after saving. Numbers in `unchanged` (those already on file) are not warned
    about again. Numbers that do not parse are left to the validation, which refuses them.
    """
    people: list[tuple[str, str]] = []
    if isinstance(data, HouseholdInput):
        people.append(("", data.id_number))
        people.extend((member.name, member.id_number) for member in data.members)
    else:
        people.append((data.name, data.id_number))
    skip = {value for value in unchanged if value}
    warnings = []
    for name, raw in people:
        if not clean_text(raw):
            continue
        try:
            parsed = parse_id_number(raw)
        except ValidationError:
            continue
        if parsed.value in skip:
            continue
        warning = area_code_warning(parsed)
        if warning is None:
            continue
        if name:
            warning = _("家庭成员 %(name)s:%(warning)s") % {"name": name, "warning": warning}
        warnings.append(warning)
    return warnings


def _person_id(
    errors: dict[str, str],
    prefix: str,
    raw: str,
    *,
    sex: str,
    birth_date: date | None,
    required: bool,
) -> IdNumber | None:
    """Parse an ID number and check a separately given sex and birth date against it."""
    if not clean_text(raw):
        if required:
            errors[f"{prefix}id_number"] = _("请填写身份证号。")
        return None
    try:
        parsed = parse_id_number(raw, field=f"{prefix}id_number", today=_today())
    except ValidationError as exc:
        errors.update(exc.errors)
        return None
    errors.update(
        check_consistency(
            parsed,
            sex=sex or None,
            birth_date=birth_date,
            sex_field=f"{prefix}sex",
            birth_date_field=f"{prefix}birth_date",
        )
    )
    return parsed


def _check_member(member: MemberInput, prefix: str, errors: dict[str, str]) -> dict[str, Any]:
    """Check one member; return its cleaned values (keyed like the model)."""
    out: dict[str, Any] = {}
    name = clean_text(member.name)
    if not name:
        errors[f"{prefix}name"] = _("请填写家庭成员的姓名。")
    elif len(name) > 50:
        errors[f"{prefix}name"] = _("家庭成员姓名不能超过 50 个字。")
    out["name"] = name
    for name, present, allowed, required in _MEMBER_CHOICES_CHECKED:
        value = getattr(member, name)
        if value not in present:  # blank or not a choice: `_choice` says which
            key = f"{prefix}{name}"
            _choice(errors, key, value, allowed, _ml(name), required=required)
    _not_future(errors, f"{prefix}birth_date", member.birth_date, _ml("birth_date"))
    parsed = _person_id(
        errors,
        prefix,
        member.id_number,
        sex=member.sex if member.sex in _SEXES else "",
        birth_date=member.birth_date,
        required=False,
    )
    if parsed is not None:
        out.update(id_number=parsed.value, sex=parsed.sex, birth_date=parsed.birth_date)
    else:
        # A child without an ID card yet: sex and birth date are then given directly.
        out.update(id_number="", sex=member.sex, birth_date=member.birth_date)
        if not clean_text(member.id_number):
            if not member.sex and f"{prefix}sex" not in errors:
                errors[f"{prefix}sex"] = _("未填身份证号时请选择性别。")
            if member.birth_date is None and f"{prefix}birth_date" not in errors:
                errors[f"{prefix}birth_date"] = _("未填身份证号时请填写出生日期。")
    out["monthly_income"] = _money(
        errors, f"{prefix}monthly_income", member.monthly_income, _ml("monthly_income")
    )
    this_year = _today().year
    if member.enrolled_year is not None and not 1950 <= member.enrolled_year <= this_year:
        errors[f"{prefix}enrolled_year"] = _("入学年份应在 1950 年到今年之间。")
    if member.schooling_years is not None and not 1 <= member.schooling_years <= 10:
        errors[f"{prefix}schooling_years"] = _("学制应为 1–10 年。")
    for name_ in ("health", "disability", "medical_insurance", "identity", "education",
                  "relation", "able_to_work", "enrolled_year", "schooling_years"):  # fmt: skip
        out[name_] = getattr(member, name_)
    out["employer_or_school"] = clean_text(member.employer_or_school)[:100]
    return out


def _check_head(data: HouseholdInput) -> tuple[dict[str, str], _Cleaned]:
    """Check everything that needs no database: fields, choices, ID, bank card, causes, dates."""
    errors: dict[str, str] = {}
    cleaned = _Cleaned()
    head = cleaned.head

    if not isinstance(data.unit, OrgUnit):
        errors["unit"] = _("请选择所属帮扶站(点)。")
    if not isinstance(data.area, Area):
        errors["area"] = _("请选择低保标准地区。")
    if data.applied_on is None:
        errors["applied_on"] = _("请填写申请日期。")
    _not_future(errors, "applied_on", data.applied_on, _hl("applied_on"))

    for name in TEXT_FIELDS:
        head[name] = clean_text(getattr(data, name))
    for name, limit in (("name", 50), ("employer", 100), ("address", 200), ("bank_name", 50),
                        ("bank_branch", 100)):  # fmt: skip
        if len(head[name]) > limit:
            errors[name] = _("%(label)s不能超过 %(limit)d 个字。") % {
                "label": _h(name),
                "limit": limit,
            }
    if not head["name"]:
        errors["name"] = _("请填写户主姓名。")
    if not head["address"]:
        errors["address"] = _("请填写家庭住址。")
    if head["postcode"] and not re.fullmatch(r"\d{6}", head["postcode"]):
        errors["postcode"] = _("邮编应为 6 位数字。")
    if head["hukou_area_code"] and not re.fullmatch(r"\d{6,12}", head["hukou_area_code"]):
        errors["hukou_area_code"] = _("户口所在地行政区划代码应为 6–12 位数字。")

    for name, present, allowed, required in _HEAD_CHOICES_CHECKED:
        value = getattr(data, name)
        if value not in present:  # blank or not a choice: `_choice` says which
            _choice(errors, name, value, allowed, _hl(name), required=required)
    if not clean_text(data.rule_version) or len(data.rule_version) > 32:
        errors["rule_version"] = _("请填写认定规则版本。")

    # ID number: normalised (full-width, lower-case x, 15 → 18), sex and birth date derived.
    parsed = _person_id(
        errors,
        "",
        data.id_number,
        sex=data.sex if data.sex in _SEXES else "",
        birth_date=data.birth_date,
        required=True,
    )
    if parsed is not None:
        head.update(id_number=parsed.value, sex=parsed.sex, birth_date=parsed.birth_date)
        cleaned.ids.append(("id_number", parsed.value))
    else:
        head.update(id_number="", sex=data.sex, birth_date=data.birth_date)

    # Dates.
    _not_future(errors, "work_started_on", data.work_started_on, _hl("work_started_on"))
    for name in ("consent_sensitive_on", "consent_publication_on"):
        _not_future(errors, name, getattr(data, name), _hl(name))

    # Money and area.
    for name in MONEY_FIELDS:
        head[name] = _money(errors, name, getattr(data, name), _hl(name))
    if data.floor_area is not None:
        head["floor_area"] = _money(errors, "floor_area", data.floor_area, _hl("floor_area"))
    else:
        head["floor_area"] = None

    # Mobile phone.
    mobile = re.sub(r"[\s\-]", "", clean_text(data.mobile))
    if mobile and not _MOBILE.match(mobile):
        errors["mobile"] = _("手机号应为 11 位数字,以 1 开头。")
    head["mobile"] = mobile

    # Causes: one main, up to three different secondary ones.
    valid_causes = _CAUSES
    try:
        main_cause = int(data.main_cause) if data.main_cause not in (None, "") else None
    except (TypeError, ValueError):
        main_cause = -1
    if main_cause is None:
        errors["main_cause"] = _("请选择主要致困原因。")
    elif main_cause not in valid_causes:
        errors["main_cause"] = _("主要致困原因应为 1–10 中的一个代码。")
    secondary: list[int] = []
    for raw in data.secondary_causes or []:
        try:
            code = int(raw)
        except (TypeError, ValueError):
            code = -1
        if code not in valid_causes:
            errors["secondary_causes"] = _("次要致困原因应为 1–10 中的代码。")
        elif code == main_cause:
            errors["secondary_causes"] = _("次要致困原因不能与主要致困原因相同。")
        elif code in secondary:
            errors["secondary_causes"] = _("次要致困原因不能重复。")
        else:
            secondary.append(code)
    if len(data.secondary_causes or []) > MAX_SECONDARY_CAUSES:
        errors["secondary_causes"] = _("次要致困原因最多 3 个。")
    head["main_cause"] = main_cause
    head["secondary_causes"] = secondary

    # Bank card in the head's own name (实名制).
    card = clean_text(data.bank_card)
    head["bank_card"] = ""
    if card:
        try:
            head["bank_card"] = validate_bank_card(card, field="bank_card")
        except ValidationError as exc:
            errors.update(exc.errors)
        holder = clean_text(data.bank_account_holder)
        if not holder:
            errors["bank_account_holder"] = _("请填写银行卡户名(须为户主本人)。")
        elif head["name"] and holder != head["name"]:
            errors["bank_account_holder"] = _("银行卡须为户主本人账户(实名制)。")
        if not head["bank_name"]:
            errors["bank_name"] = _("填写银行卡号时请填写开户银行。")

    for name in ("single_parent", "zero_employment", "union_member", "sudden_hardship",
                 "receives_dibao", "controlling_shareholder", "multiple_homes", "owns_vehicle",
                 "refuses_cooperation"):  # fmt: skip
        head[name] = bool(getattr(data, name))
    for name in ("origin", "rule_version", "category", "ethnicity", "political_status", "health",
                 "disability", "work_status", "model_worker", "work_started_on", "industry",
                 "employer_nature", "enterprise_status", "housing", "marital_status", "hukou",
                 "medical_insurance", "applied_on", "consent_sensitive_on",
                 "consent_publication_on"):  # fmt: skip
        head[name] = getattr(data, name)
    head["notes"] = (data.notes or "").strip()

    # Members.
    for i, member in enumerate(data.members):
        prefix = f"members.{i}."
        values = _check_member(member, prefix, errors)
        cleaned.members.append(values)
        if values["id_number"]:
            cleaned.ids.append((f"{prefix}id_number", values["id_number"]))

    # The same ID twice within the household.
    seen: dict[str, str] = {}
    for key, canonical in cleaned.ids:
        if canonical in seen:
            errors[key] = _("身份证号 %(id)s 在本户中重复填写。") % {
                "id": mask_id_number(canonical)
            }
        else:
            seen[canonical] = key
    return errors, cleaned


def _registered_elsewhere(
    ids: Iterable[str], *, exclude_household_ids: Iterable[int] = ()
) -> dict[str, IdRegistration]:
    """Return {canonical ID: registration} for the IDs held by another open archive.

    One query for all of them (one per `_REGISTRY_CHUNK` IDs: SQLite takes at most 32,766
    parameters a statement, and a roster of 10,000 households of three has 30,000 IDs).
    """
    by_index = {id_index(value): value for value in ids}
    if not by_index:
        return {}
    indexes = list(by_index)
    exclude = list(exclude_household_ids)
    found: dict[str, IdRegistration] = {}
    for start in range(0, len(indexes), _REGISTRY_CHUNK):
        chunk = indexes[start : start + _REGISTRY_CHUNK]
        rows = (
            any_of(IdRegistration.objects.all(), "id_index", chunk)
            .exclude(household_id__in=exclude)
            .select_related("household__unit", "household__centre")
        )
        found.update({by_index[row.id_index]: row for row in rows})
    return found


def _held_message(canonical: str, household: Household, viewer: Any = None) -> str:
    """Say that the ID is in another open archive and whom to ask: the centre that holds it.

    The archive's number is given only to a `viewer` who may see that archive; anyone else
    (or a check made without a viewer) learns neither the number nor the head's name or
    station, only that the ID is taken and which centre to ask.
    """
    values = {"id": mask_id_number(canonical), "centre": household.centre.name}
    if viewer is not None and policy.unit_in_scope(viewer, ArchivesPermission.VIEW, household.unit):
        values["no"] = household.archive_no or _("未编号")
        return _("身份证号 %(id)s 已在%(centre)s的档案 %(no)s 中。") % values
    return (
        _("身份证号 %(id)s 已在另一份未撤档的档案中,该档案属于%(centre)s,请向该中心核实。") % values
    )


def validate_household(
    data: HouseholdInput, *, household: Household | None = None
) -> dict[str, str]:
    """Return {field: Chinese message} for everything wrong with `data`; empty when all is well.

    Members' fields are keyed `members.<i>.<field>`. `household` is the archive being edited
    (its own ID registrations are not a conflict). Queries: one, for the ID registry.
    """
    errors, cleaned = _check_head(data)
    _check_registry(errors, [cleaned], [household.pk] if household else [])
    return errors


def validate_households(
    items: Sequence[HouseholdInput], *, across_items: bool = True
) -> dict[str, str]:
    """Return {"<index>.<field>": Chinese message} for everything wrong with new archives.

    The bulk form of `validate_household` for households to be filed together (an import):
    the same checks and messages for each item, keyed by its index in `items` (members as
    "<index>.members.<i>.<field>"), plus the same ID number in two items (reported at the
    later one, naming the earlier). One query in all, for the ID registry. Empty when all
    is well.

    `across_items=False` leaves out the check between items, for a caller that has already
    reported those duplicates its own way (the import names the rows of the file).
    """
    errors, _batch = _validate_batch(items, across_items=across_items)
    return errors


def _validate_batch(
    items: Sequence[HouseholdInput],
    *,
    across_items: bool = True,
    item_check: Callable[[HouseholdInput, dict[str, str]], None] | None = None,
) -> tuple[dict[str, str], list[_Cleaned]]:
    """Check new archives together; return the errors keyed "<index>.<field>" and the cleaned
    values of every item (in order). `item_check` adds an item's own further errors (the
    actor's scope) before the check between items. One query, for the ID registry."""
    errors: dict[str, str] = {}
    batch: list[_Cleaned] = []
    first_seen: dict[str, int] = {}
    token = _BATCH_TODAY.set(timezone.localdate())
    try:
        for n, item in enumerate(items):
            item_errors, cleaned = _check_head(item)
            batch.append(cleaned)
            if item_check is not None:
                item_check(item, item_errors)
            if across_items:
                for key, canonical in cleaned.ids:
                    if canonical in first_seen and first_seen[canonical] != n:
                        item_errors.setdefault(
                            key,
                            _("身份证号 %(id)s 与第 %(other)d 户重复。")
                            % {"id": mask_id_number(canonical), "other": first_seen[canonical] + 1},
                        )
                    else:
                        first_seen.setdefault(canonical, n)
            errors.update({f"{n}.{k}": v for k, v in item_errors.items()})
    finally:
        _BATCH_TODAY.reset(token)
    _check_registry(errors, batch, [], key_prefix=[f"{n}." for n in range(len(batch))])
    return errors, batch


def _check_registry(
    errors: dict[str, str],
    batch: Sequence[_Cleaned],
    exclude_household_ids: Iterable[int],
    *,
    key_prefix: Sequence[str] = ("",),
    viewer: Any = None,
) -> None:
    every_id = [canonical for cleaned in batch for _, canonical in cleaned.ids]
    held = _registered_elsewhere(every_id, exclude_household_ids=exclude_household_ids)
    for n, cleaned in enumerate(batch):
        prefix = key_prefix[n] if n < len(key_prefix) else ""
        for key, canonical in cleaned.ids:
            if canonical in held:
                errors[f"{prefix}{key}"] = _held_message(
                    canonical, held[canonical].household, viewer
                )


# --- numbering and the registry ---------------------------------------------------------------


def _reserve_numbers(wanted: Mapping[tuple[int, int], int]) -> dict[tuple[int, int], list[str]]:
    """Return the next archive numbers for each (centre id, year): `YYYY-NNNNN`.

    Lock the centres' rows first, so two people filing in the same centre take turns (on
    SQLite the write transaction already holds the database lock); then one query finds the
    last number of every (centre, year). The unique constraint on (centre, archive_no) is the
    last line of defence. Call inside a transaction.
    """
    centre_ids = sorted({centre_id for centre_id, _ in wanted})
    list(OrgUnit.objects.select_for_update().filter(pk__in=centre_ids).order_by("pk").values("pk"))
    years = sorted({year for _, year in wanted})
    last_rows = (
        Household.objects.filter(centre_id__in=centre_ids)
        .exclude(archive_no="")
        .annotate(year=Substr("archive_no", 1, 4))
        .filter(year__in=[str(y) for y in years])
        .values("centre_id", "year")
        .annotate(last=Max(Cast(Substr("archive_no", 6), IntegerField())))
    )
    last = {(row["centre_id"], int(row["year"])): row["last"] or 0 for row in last_rows}
    result: dict[tuple[int, int], list[str]] = {}
    for (centre_id, year), count in wanted.items():
        start = last.get((centre_id, year), 0) + 1
        result[(centre_id, year)] = [
            f"{year}-{n:0{ARCHIVE_NO_DIGITS}d}" for n in range(start, start + count)
        ]
    return result


# A registry row as written: (id_index, household id, member id or None for the head).
_Registration = tuple[str, int, int | None]
_REGISTRY_COLUMNS = ("id_index", "household_id", "member_id")


def _registrations(household: Household, members: Iterable[HouseholdMember]) -> list[_Registration]:
    """The registry rows of a saved archive (keys taken) and its members with an ID."""
    rows: list[_Registration] = [(household.id_index, household.pk, None)]
    rows += [(m.id_index, household.pk, m.pk) for m in members if m.id_index]
    # A member without its key would be written as a head's row (member NULL).
    if household.pk is None or any(member is None for _index, _id, member in rows[1:]):
        raise ValueError("Registry rows are made for saved archives and members only.")
    return rows


def _insert_registrations(
    rows: list[_Registration], on_clash: Callable[[], dict[str, str]]
) -> None:
    """Insert registry rows; turn a clash with a concurrent filer into the named refusal.

    `on_clash` returns {field: message} naming where the IDs are held now; it runs after the
    failed insert (inside the caller's transaction, whose savepoint was rolled back).

    On PostgreSQL many rows go by COPY as plain values, their keys made by the table: no
    model is made for them (100,000 of an import's registry rows made as models and then
    formatted again took a second of its write).
    """
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql" and len(rows) >= COPY_MIN_ROWS:
                copy_rows(IdRegistration, _REGISTRY_COLUMNS, rows, count=len(rows))
            else:
                IdRegistration.objects.bulk_create(
                    [
                        IdRegistration(id_index=index, household_id=household, member_id=member)
                        for index, household, member in rows
                    ]
                )
    except IntegrityError:
        errors = on_clash() or {"id_number": _("身份证号已被其他档案登记,请刷新后重试。")}
        raise ValidationError(next(iter(errors.values())), errors=errors) from None


def _clash_errors(
    households: Sequence[Household], *, indexed: bool, viewer: Any = None
) -> dict[str, str]:
    """Return the registry clashes of new households, keyed by field (or "<n>.<field>")."""
    members_of = {h.pk: getattr(h, "_new_members", []) for h in households}
    held = _registered_elsewhere(
        [h.id_number for h in households]
        + [m.id_number for h in households for m in members_of[h.pk] if m.id_number],
        exclude_household_ids=[h.pk for h in households],
    )
    errors: dict[str, str] = {}
    for n, h in enumerate(households):
        prefix = f"{n}." if indexed else ""
        if h.id_number in held:
            errors[f"{prefix}id_number"] = _held_message(
                h.id_number, held[h.id_number].household, viewer
            )
        for i, m in enumerate(members_of[h.pk]):
            if m.id_number and m.id_number in held:
                errors[f"{prefix}members.{i}.id_number"] = _held_message(
                    m.id_number, held[m.id_number].household, viewer
                )
    return errors


def register_ids(household: Household, *, viewer: Any = None) -> None:
    """Register the ID numbers of the household's head and members as held by this archive.

    For reopening a closed archive. Raise ValidationError naming the other archive's centre
    (and its number, to a `viewer` who may see it) when one of them is now in another open
    archive. Call inside the caller's transaction (it writes no audit event of its own).
    """
    members = [m for m in household.members.all() if m.id_index]
    IdRegistration.objects.filter(household=household).delete()
    held = _registered_elsewhere(
        [household.id_number, *(m.id_number for m in members)],
        exclude_household_ids=[household.pk],
    )
    if held:
        errors: dict[str, str] = {}
        if household.id_number in held:
            errors["id_number"] = _held_message(
                household.id_number, held[household.id_number].household, viewer
            )
        for m in members:
            if m.id_number in held:
                errors[f"members.{m.pk}.id_number"] = _held_message(
                    m.id_number, held[m.id_number].household, viewer
                )
        raise ValidationError(next(iter(errors.values())), errors=errors)
    household._new_members = members  # type: ignore[attr-defined]
    _insert_registrations(
        _registrations(household, members),
        lambda: _clash_errors([household], indexed=False, viewer=viewer),
    )


def release_ids(household: Household) -> int:
    """Release the household's ID numbers (when it is closed or refused); return how many.

    Call inside the caller's transaction.
    """
    count, _ = IdRegistration.objects.filter(household=household).delete()
    return count


# --- snapshots for the field history ----------------------------------------------------------


def household_snapshot(household: Household) -> dict[str, Any]:
    """Return the head fields as plain values (unmasked; `diff(..., masked=MASKED)` masks)."""
    data = {name: getattr(household, name) for name in HEAD_FIELDS}
    data["unit"] = household.unit.name if household.unit_id else ""
    data["area"] = household.area.name if household.area_id else ""
    return data


def member_snapshot(member: HouseholdMember) -> dict[str, Any]:
    return {name: getattr(member, name) for name in MEMBER_FIELDS}


def _masked_member(member: HouseholdMember) -> dict[str, Any]:
    snap = member_snapshot(member)
    snap["id_number"] = mask_id_number(snap["id_number"])
    return snap


def _member_diff(
    before: dict[str, Any] | None, after: dict[str, Any] | None, key: str
) -> dict[str, list[Any]]:
    inner = diff(before, after, masked={"id_number": mask_id_number})
    return {f"{key}.{name}": values for name, values in inner.items()}


# --- writes -----------------------------------------------------------------------------------


def _check_unit(actor: User, unit: OrgUnit) -> None:
    """Raise PermissionDenied without archives.file anywhere, ValidationError on "unit" when
    the station the archive belongs to lies outside the actor's filing scope."""
    policy.require_perm(actor, ArchivesPermission.FILE)
    policy.require_unit_choice(
        actor,
        ArchivesPermission.FILE,
        unit,
        message=_("所属帮扶站(点)“%(unit)s”不在您的管理范围内。") % {"unit": unit.name},
    )


def _apply_head(household: Household, head: Mapping[str, Any]) -> None:
    for name in HEAD_FIELDS:
        setattr(household, name, head[name])
    household.id_index = id_index(household.id_number)
    household.id_last4 = household.id_number[-4:]
    household.name_initials = name_initials(household.name)
    household.mobile_last4 = digits_tail(household.mobile)
    household.mobile_index = mobile_index(household.mobile)
    household.bank_card_last4 = digits_tail(household.bank_card)
    # The masked forms beside the ciphertext: a masked export reads them, decrypting nothing.
    household.id_masked = mask_id_number(household.id_number)
    household.mobile_masked = mask_phone(household.mobile)
    household.bank_card_masked = mask_bank_card(household.bank_card)


def _new_member(household: Household, values: Mapping[str, Any], order: int) -> HouseholdMember:
    member = maker(HouseholdMember)(household=household, sort_order=order)
    for name in MEMBER_FIELDS:
        setattr(member, name, values[name])
    member.id_index = id_index(member.id_number) if member.id_number else ""
    member.id_last4 = member.id_number[-4:] if member.id_number else ""
    member.id_masked = mask_id_number(member.id_number)
    return member


def _open_procedure(actor: User, households: list[Household]) -> None:
    """Start the filing procedure of new applications inside the caller's transaction: the
    home visit due counted from the application (the create event records it)."""
    from bangfu.kits.workflow.services import cases_open

    from .procedure import FILING

    cases_open(actor=actor, procedure=FILING, subjects=households, start_of=lambda h: h.applied_on)


def _determine(actor: User, household: Household) -> None:
    """Determine the category with the rules of `services.categories`, when that exists."""
    try:
        from . import categories
    except ImportError:  # pragma: no cover - the categories area is being written
        return
    determine = getattr(categories, "household_determine", None)
    if determine is not None:
        determine(actor=actor, household=household)


def household_create(*, actor: User, data: HouseholdInput, draft: bool = False) -> Household:
    """File a new archive and return it.

    The archive is an application (status APPLIED, with its home visit due in
    `BANGFU_INVESTIGATION_WORKING_DAYS` working days) — also when the union files on a worker's
    behalf (`origin="union"`), since that goes through the same investigation — or, with
    `draft=True`, a DRAFT to be completed and submitted later (`procedure.household_apply`).
    It gets the next number of its centre for the year of application, and its ID numbers
    are registered. Raise ValidationError with {field: message} when anything is wrong
    (nothing is written), also when another filer registered one of its IDs meanwhile.
    """
    errors, cleaned = _check_head(data)
    if "unit" not in errors:
        try:
            _check_unit(actor, data.unit)
        except ValidationError as exc:
            errors.update(exc.errors)
    _check_registry(errors, [cleaned], [], viewer=actor)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)

    status = Household.Status.DRAFT if draft else Household.Status.APPLIED
    with transaction.atomic():
        centre = nearest_centre(data.unit)
        year = data.applied_on.year
        number = _reserve_numbers({(centre.pk, year): 1})[(centre.pk, year)][0]
        household = Household(
            unit=data.unit,
            centre=centre,
            area=data.area,
            archive_no=number,
            status=status,
            filed_by=actor,
            entered_by=actor,
        )
        _apply_head(household, cleaned.head)
        household.save(force_insert=True)
        members = [_new_member(household, values, i) for i, values in enumerate(cleaned.members)]
        HouseholdMember.objects.bulk_create(members)
        household._new_members = members  # type: ignore[attr-defined]
        _insert_registrations(
            _registrations(household, members),
            lambda: _clash_errors([household], indexed=False, viewer=actor),
        )
        if status == Household.Status.APPLIED:
            _open_procedure(actor, [household])
        audit_record(
            actor=actor,
            action=ArchivesAction.HOUSEHOLD_CREATE,
            obj=household,
            summary=_("新建档案 %(no)s %(name)s(%(status)s)")
            % {"no": number, "name": household.name, "status": household.get_status_display()},
            changes=_creation_changes(household, members),
        )
        _determine(actor, household)
    return household


EDITABLE_STATUSES = Household.OPEN_STATUSES


def _require_editable(household: Household) -> None:
    if household.status not in EDITABLE_STATUSES:
        raise Conflict(
            _("档案 %(no)s 状态为“%(status)s”,不能修改。")
            % {"no": household.archive_no, "status": household.get_status_display()}
        )


def _existing_member_inputs(household: Household) -> list[MemberInput]:
    return [
        MemberInput(
            name=m.name,
            relation=m.relation,
            id_number=m.id_number,
            sex=m.sex,
            birth_date=m.birth_date,
            health=m.health,
            disability=m.disability,
            medical_insurance=m.medical_insurance,
            monthly_income=m.monthly_income,
            identity=m.identity,
            able_to_work=m.able_to_work,
            employer_or_school=m.employer_or_school,
            education=m.education,
            enrolled_year=m.enrolled_year,
            schooling_years=m.schooling_years,
        )
        for m in household.members.all()
    ]


def _lock(household: Household) -> Household:
    return Household.objects.select_for_update().select_related("unit", "area").get(pk=household.pk)


def household_update(*, actor: User, household: Household, data: HouseholdInput) -> Household:
    """Change the head's fields of an open archive and return it.

    Members are changed with `member_add` / `member_update` / `member_remove`; `data.members`
    is ignored here (the present members take part in the duplicate-ID check). A changed ID
    number is re-registered. The unit may move within the same centre only (the number
    belongs to the centre; a transfer elsewhere is a closing and a new filing). The audit
    event holds the masked diff: the field history of the archive. Raise Conflict for a
    closed or refused archive, ValidationError for bad input; nothing is written then.
    """
    _require_editable(household)
    data = _replace_members(data, _existing_member_inputs(household))
    errors, cleaned = _check_head(data)
    if "unit" not in errors:
        try:
            _check_unit(actor, data.unit)
        except ValidationError as exc:
            errors.update(exc.errors)
        else:
            if (
                data.unit.pk != household.unit_id
                and nearest_centre(data.unit).pk != household.centre_id
            ):
                errors["unit"] = _(
                    "只能改为本中心下的帮扶站(点);调往其他中心请撤档后在新中心建档。"
                )
    # Only the head's ID can clash here; member IDs are already registered by this archive.
    cleaned.ids = cleaned.ids[:1]
    _check_registry(errors, [cleaned], [household.pk], viewer=actor)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)

    with transaction.atomic():
        locked = _lock(household)
        _require_editable(locked)
        before = household_snapshot(locked)
        old_index = locked.id_index
        old_area_id = locked.area_id
        locked.unit = data.unit
        locked.area = data.area
        if not cleaned.head["category"]:
            # The category is set by the determination, not typed: keep it.
            cleaned.head["category"] = locked.category
        _apply_head(locked, cleaned.head)
        changes = diff(before, household_snapshot(locked), masked=MASKED)
        if not changes:
            return locked
        locked.save()
        if locked.area_id != old_area_id:
            # Another area, other 低保 standards: the 脱困 run is measured against them.
            recovery_runs_refresh(Household.objects.filter(pk=locked.pk))
        if locked.id_index != old_index:
            IdRegistration.objects.filter(household=locked, member__isnull=True).delete()
            locked._new_members = []  # type: ignore[attr-defined]
            _insert_registrations(
                [(locked.id_index, locked.pk, None)],
                lambda: _clash_errors([locked], indexed=False, viewer=actor),
            )
        audit_record(
            actor=actor,
            action=ArchivesAction.HOUSEHOLD_UPDATE,
            obj=locked,
            summary=_("修改档案 %(no)s:%(fields)s")
            % {"no": locked.archive_no, "fields": "、".join(_h_label(k) for k in changes)},
            changes=changes,
        )
        _determine(actor, locked)
    return locked


def _h_label(name: str) -> str:
    try:
        return _h(name)
    except Exception:
        return name


def _replace_members(data: HouseholdInput, members: list[MemberInput]) -> HouseholdInput:
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values["members"] = members
    return HouseholdInput(**values)


def _member_errors(
    household: Household,
    data: MemberInput,
    *,
    member: HouseholdMember | None,
    viewer: Any = None,
) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    values = _check_member(data, "", errors)
    if values["id_number"]:
        others = [(household.id_number, household)] + [
            (m.id_number, m) for m in household.members.all() if m.id_number and m != member
        ]
        if any(value == values["id_number"] for value, _ in others):
            errors["id_number"] = _("身份证号 %(id)s 在本户中重复填写。") % {
                "id": mask_id_number(values["id_number"])
            }
        else:
            held = _registered_elsewhere(
                [values["id_number"]], exclude_household_ids=[household.pk]
            )
            if held:
                errors["id_number"] = _held_message(
                    values["id_number"], held[values["id_number"]].household, viewer
                )
    return errors, values


def member_add(*, actor: User, household: Household, data: MemberInput) -> HouseholdMember:
    """Add a member to an open archive, registering its ID number; return it.

    Raise ValidationError (fields without the `members.<i>.` prefix) or Conflict.
    """
    _require_editable(household)
    policy.require_in_scope(
        actor, ArchivesPermission.FILE, household.unit, message=_("您无权修改该档案。")
    )
    errors, values = _member_errors(household, data, member=None, viewer=actor)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    with transaction.atomic():
        locked = _lock(household)
        _require_editable(locked)
        # A second submit of the same form (a double click, a resent request) must not add the
        # person twice; members without an ID are only recognisable by name and birth date.
        if locked.members.filter(name=values["name"], birth_date=values["birth_date"]).exists():
            raise ValidationError(
                _("家庭成员 %(name)s(出生日期 %(date)s)已在本档案中。")
                % {"name": values["name"], "date": values["birth_date"]},
                field="name",
            )
        order = (locked.members.aggregate(n=Max("sort_order"))["n"] or 0) + 1
        member = _new_member(locked, values, order)
        member.save(force_insert=True)
        if member.id_index:
            _insert_member_registration(locked, member)
        audit_record(
            actor=actor,
            action=ArchivesAction.MEMBER_ADD,
            obj=locked,
            summary=_("档案 %(no)s 添加家庭成员 %(name)s")
            % {"no": locked.archive_no, "name": member.name},
            changes=_member_diff(None, member_snapshot(member), f"members[{member.pk}]"),
        )
        _determine(actor, locked)
    return member


def _insert_member_registration(household: Household, member: HouseholdMember) -> None:
    try:
        with transaction.atomic():
            IdRegistration.objects.create(
                id_index=member.id_index, household=household, member=member
            )
    except IntegrityError:
        held = _registered_elsewhere([member.id_number], exclude_household_ids=[household.pk])
        message = (
            _held_message(member.id_number, held[member.id_number].household)
            if held
            else _("身份证号已被其他档案登记,请刷新后重试。")
        )
        raise ValidationError(message, field="id_number") from None


def member_update(*, actor: User, member: HouseholdMember, data: MemberInput) -> HouseholdMember:
    """Change a member of an open archive; re-register a changed ID number; return it."""
    household = member.household
    _require_editable(household)
    policy.require_in_scope(
        actor, ArchivesPermission.FILE, household.unit, message=_("您无权修改该档案。")
    )
    errors, values = _member_errors(household, data, member=member, viewer=actor)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    with transaction.atomic():
        locked = _lock(household)
        _require_editable(locked)
        current = HouseholdMember.objects.select_for_update().get(pk=member.pk, household=locked)
        before = member_snapshot(current)
        old_index = current.id_index
        for name in MEMBER_FIELDS:
            setattr(current, name, values[name])
        current.id_index = id_index(current.id_number) if current.id_number else ""
        current.id_last4 = current.id_number[-4:] if current.id_number else ""
        current.id_masked = mask_id_number(current.id_number)
        changes = _member_diff(before, member_snapshot(current), f"members[{current.pk}]")
        if not changes:
            return current
        current.save()
        if current.id_index != old_index:
            IdRegistration.objects.filter(member=current).delete()
            if current.id_index:
                _insert_member_registration(locked, current)
        audit_record(
            actor=actor,
            action=ArchivesAction.MEMBER_UPDATE,
            obj=locked,
            summary=_("档案 %(no)s 修改家庭成员 %(name)s")
            % {"no": locked.archive_no, "name": current.name},
            changes=changes,
        )
        _determine(actor, locked)
    return current


def member_remove(*, actor: User, member: HouseholdMember) -> None:
    """Remove a member from an open archive (moved out, died) and release its ID number.

    The audit event keeps what was removed (ID masked).
    """
    household = member.household
    _require_editable(household)
    policy.require_in_scope(
        actor, ArchivesPermission.FILE, household.unit, message=_("您无权修改该档案。")
    )
    with transaction.atomic():
        locked = _lock(household)
        _require_editable(locked)
        current = HouseholdMember.objects.select_for_update().get(pk=member.pk, household=locked)
        changes = _member_diff(member_snapshot(current), None, f"members[{current.pk}]")
        name, pk = current.name, current.pk
        IdRegistration.objects.filter(member=current).delete()
        current.delete()
        audit_record(
            actor=actor,
            action=ArchivesAction.MEMBER_REMOVE,
            obj=locked,
            summary=_("档案 %(no)s 移除家庭成员 %(name)s")
            % {"no": locked.archive_no, "name": name},
            changes={**changes, "member_id": [pk, None]},
        )
        _determine(actor, locked)


def household_create_many(
    *,
    actor: User,
    items: list[HouseholdInput],
    origin: str = Household.Origin.IMPORT,
    status: str = Household.Status.ACTIVE,
) -> list[Household]:
    """Create many archives at once (the Excel import) and return them in the order given.

    Validate every item first with the checks of `validate_households` — including the same
    ID number in two items and IDs already in an open archive — and the actor's scope; raise
    ValidationError whose `errors` maps "<index>.<field>" (index in `items`, members as
    "<index>.members.<i>.<field>") to the message if anything is wrong; nothing is written
    then. Otherwise write everything in one transaction with a
    fixed number of queries whatever the number of items (see the test for the count):
    numbers for all, then households, members, ID registrations, investigations and one audit
    event per household, each with one bulk insert; then the categories, determined in bulk
    (`_determine_many` says which).

    `status`: imported rosters are archives approved on paper before, so they arrive ACTIVE
    (filed on the application date, review due a year later) by default; pass APPLIED to put
    every item through the procedure (each gets its home visit due).
    """
    if status not in (Household.Status.ACTIVE, Household.Status.APPLIED, Household.Status.DRAFT):
        raise ValueError(f"Unsupported status for a bulk filing: {status}")
    policy.require_perm(actor, ArchivesPermission.FILE)
    # Thousands of models naming one another (archive, members, events): not walked by
    # several full collections as they are made (`core.collector`).
    with collector_paused():
        return _create_many(actor, items, origin, status)


def _create_many(
    actor: User, items: list[HouseholdInput], origin: str, status: str
) -> list[Household]:
    items = [_with_origin(item, origin) for item in items]
    units: dict[int, OrgUnit] = {}

    def in_scope(item: HouseholdInput, item_errors: dict[str, str]) -> None:
        if "unit" in item_errors:
            return
        units[item.unit.pk] = item.unit
        if not policy.unit_in_scope(actor, ArchivesPermission.FILE, item.unit):
            item_errors["unit"] = _("所属帮扶站(点)“%(unit)s”不在您的管理范围内。") % {
                "unit": item.unit.name
            }

    errors, batch = _validate_batch(items, item_check=in_scope)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    if not items:
        return []

    centres = _centres_of(units.values())
    with transaction.atomic():
        wanted: dict[tuple[int, int], int] = defaultdict(int)
        for item in items:
            wanted[(centres[item.unit.pk].pk, item.applied_on.year)] += 1
        numbers = _reserve_numbers(wanted)
        households: list[Household] = []
        new_household = maker(Household)
        for item, cleaned in zip(items, batch, strict=True):
            centre = centres[item.unit.pk]
            household = new_household(
                unit=item.unit,
                centre=centre,
                area=item.area,
                archive_no=numbers[(centre.pk, item.applied_on.year)].pop(0),
                status=status,
                filed_by=actor,
                entered_by=actor,
            )
            _apply_head(household, cleaned.head)
            household.origin = origin
            if status == Household.Status.ACTIVE:
                household.filed_on = item.applied_on
                household.review_due_on = add_years(item.applied_on, 1)
            households.append(household)
        all_members: list[HouseholdMember] = []
        for household, cleaned in zip(households, batch, strict=True):
            members = [
                _new_member(household, values, i) for i, values in enumerate(cleaned.members)
            ]
            household._new_members = members  # type: ignore[attr-defined]
            all_members.extend(members)
        # One status for all: its label once (`get_status_display` translates every choice
        # label of the field to find it, for each archive).
        status_label = str(Household.Status(status).label)
        # The creation's events hold the archives as filed: before any category is determined.
        created = [_created_entry(h, status_label) for h in households]
        found: categories.NewDeterminations | None = None
        to_determine = _to_determine(households)
        postgres = connection.vendor == "postgresql"
        if postgres:
            # Everything read from the database first — the keys of archives and members (the
            # events name the archives), the figures and keys for their categories, then the
            # chain's head (`audit_record_many`) — and the creation's events written: in a
            # caller's `core.bulk.overlapped` the server writes them (and checks the foreign
            # keys of the batches before) while the categories are evaluated here, needing no
            # database. Each archive is then written once with its category, not rewritten by
            # two UPDATEs.
            take_keys(Household, households)
            if all_members:
                take_keys(HouseholdMember, all_members)
            basis = categories.determination_basis(to_determine) if to_determine else None
            audit_record_many(actor=actor, entries=created)
            constraints_checked_ahead()
            if basis is not None:
                found = categories.determinations_prepare_new(
                    actor=actor, households=to_determine, basis=basis
                )
        # Sent ahead in an `overlapped` block: their keys are taken, their numbers reserved.
        bulk_insert(Household, households, overlap=True)
        bulk_insert(HouseholdMember, all_members, overlap=True)
        registrations = [
            row
            for household in households
            for row in _registrations(household, household._new_members)  # type: ignore[attr-defined]
        ]
        # Not sent ahead: a clash with another filer is an answer (`_insert_registrations`).
        _insert_registrations(registrations, lambda: _clash_errors(households, indexed=True))
        if not postgres:
            audit_record_many(actor=actor, entries=created)
        if status == Household.Status.APPLIED and households:
            # One calendar for all: one query for the holidays, not one per archive.
            _open_procedure(actor, households)
        if found is not None:
            categories.determinations_store_new(found)
        else:
            _determine_many(actor, households)
    return households


def release_filed(households: Iterable[Household]) -> None:
    """Let go of the references that the archives `household_create_many` returned hold to
    one another — each archive's new members (`_new_members`) and the related objects cached
    on the archive and its members (a member's archive, an archive's latest determination) —
    so that reference counting frees a written batch at once. As cycles they waited for the
    cyclic collector, which walked each import batch of 2,000 archives for ~80 ms (6 ms
    without them). For a caller done with the archives: a relation read afterwards is read
    from the database again."""
    for household in households:
        for member in household.__dict__.pop("_new_members", ()):
            member._state.fields_cache.clear()
        household._state.fields_cache.clear()


def _created_entry(household: Household, status_label: str) -> AuditEntry:
    """The audit entry of an archive filed in bulk: its values as filed (before any category
    is determined — the determination has its own event)."""
    return AuditEntry(
        action=ArchivesAction.HOUSEHOLD_CREATE,
        obj=household,
        summary=_("导入档案 %(no)s %(name)s(%(status)s)")
        % {"no": household.archive_no, "name": household.name, "status": status_label},
        changes=_creation_changes(household, household._new_members),  # type: ignore[attr-defined]
    )


def _creation_changes(household: Household, members: list[HouseholdMember]) -> dict[str, Any]:
    """A new archive's creation event's changes: its head's values (masked) and its members',
    made plain here once (`PlainChanges`: the event's writer does not walk them again)."""
    changes = PlainChanges(diff(None, household_snapshot(household), masked=MASKED))
    changes["members"] = [None, plain([_masked_member(m) for m in members])]
    return changes


def _to_determine(households: list[Household]) -> list[Household]:
    """The new archives whose category is determined now (see `_determine_many`)."""
    return [h for h in households if not (h.rule_version == RULE_2012 and h.category)]


def _determine_many(actor: User, households: list[Household]) -> None:
    """Determine the categories of newly filed archives in bulk (`categories`).

    Decision: an archive that arrives under the 2012 rule with its category (an older roster,
    whose category was decided on paper under the standard of its day) keeps that category
    and gets no determination now — re-determining it with today's standard would change a
    recorded category silently; staff can determine it on the archive page when they review
    it. Every other archive (acftu-2021, or no category given) is determined as a single
    filing would be; one whose area has no standard in force today stays without a category,
    as after a single filing, and the archive page says why.
    """
    wanted = _to_determine(households)
    if wanted:
        household_determine_many(actor=actor, households=wanted, fresh=True)


def _with_origin(item: HouseholdInput, origin: str) -> HouseholdInput:
    if item.origin == origin:
        return item
    values = {f.name: getattr(item, f.name) for f in fields(item)}
    values["origin"] = origin
    return HouseholdInput(**values)


def _centres_of(units: Iterable[OrgUnit]) -> dict[int, OrgUnit]:
    """Return {unit id: nearest centre} with one query for all the units' ancestors."""
    units = list(units)
    ancestor_ids = {a for unit in units for a in unit.ancestor_ids()}
    ancestors = OrgUnit.objects.in_bulk(list(ancestor_ids))
    result: dict[int, OrgUnit] = {}
    for unit in units:
        if unit.kind == OrgUnit.Kind.CENTER:
            result[unit.pk] = unit
            continue
        for ancestor_id in reversed(unit.ancestor_ids()):
            ancestor = ancestors.get(ancestor_id)
            if ancestor is not None and ancestor.kind == OrgUnit.Kind.CENTER:
                result[unit.pk] = ancestor
                break
        else:
            raise ValueError(f"Unit {unit.pk} has no centre above it.")
    return result
