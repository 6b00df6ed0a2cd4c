"""Reads for browsing archives: the searchable list, the detail page, its history and attachments.

Everything starts from `household_queryset` / `access_household`, so a record outside the user's
scope is never returned and looks exactly like one that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts import policy
from bangfu.core.errors import ValidationError
from bangfu.core.idnumber import parse_id_number
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.core.models import AuditEvent
from bangfu.core.money import format_money
from bangfu.core.text import clean_text
from bangfu.network.models import OrgUnit

from ..identity import id_index, mobile_index
from ..models import Attachment, Determination, Household, HouseholdMember
from ..models import choices as c
from ..permissions import ArchivesPermission
from .access import household_queryset, review_overdue_q

# The columns the list shows; `only` keeps the row small and decrypts nothing else (the ID and
# the phone are decrypted per row to mask them: AES-GCM takes microseconds, see the list test).
LIST_COLUMNS = (
    "id",
    "created_at",
    "archive_no",
    "name",
    "sex",
    "id_number",
    "mobile",
    "category",
    "status",
    "main_cause",
    "review_due_on",
    "closed_on",
    "rule_version",
    "unit__id",
    "unit__name",
)

_FULL_ID = re.compile(r"\d{17}[\dX]|\d{15}")
_TAIL4 = re.compile(r"\d{3}[\dX]")
_INITIALS = re.compile(r"[a-z]+")
_MOBILE = re.compile(r"1\d{10}")
_ARCHIVE_NO = re.compile(r"(\d{4})-(\d{1,5})")
_KEY = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class HouseholdFilters:
    """What a user asks the archive list for (the page, the API and the roster export).

    `q` is what was typed in the search box; `key` stands for a whole ID or mobile number
    without carrying it: its blind index (`search_key`), so that it never sits in a URL.
    `review_overdue`: True only archives whose yearly review is overdue, False none of them,
    None either.
    """

    q: str = ""
    key: str = ""
    category: str = ""
    status: str = ""
    unit: OrgUnit | None = None
    main_cause: int | None = None
    secondary_cause: int | None = None
    review_overdue: bool | None = None
    rule_version: str = ""
    today: date | None = None


class SearchKind(StrEnum):
    FULL_ID = "full_id"  # 18 (or 15) digits: the head's or a member's ID, by blind index
    FULL_MOBILE = "full_mobile"  # 11 digits starting with 1: the head's mobile, by blind index
    KEY = "key"  # the blind index of either, from a URL (see `search_key`)
    TAIL4 = "tail4"  # 4 characters: last 4 of an ID (head or member) or of the head's mobile
    INITIALS = "initials"  # Latin letters: the head's pinyin initials, as a prefix
    ARCHIVE_NO = "archive_no"  # YYYY-N: the 职工编号
    NAME = "name"  # anything else: the head's name as a prefix (or, with digits, a 职工编号)


def search_kind(text: str) -> tuple[SearchKind, str]:
    """Return what kind of search `text` is, and the text as the search uses it (cleaned:
    half-width, no spaces, ID letters upper-case, initials lower-case)."""
    text = clean_text(text).replace(" ", "")
    upper = text.upper()
    if _FULL_ID.fullmatch(upper):
        return SearchKind.FULL_ID, upper
    if _MOBILE.fullmatch(text):
        return SearchKind.FULL_MOBILE, text
    if _TAIL4.fullmatch(upper):
        return SearchKind.TAIL4, upper
    if _INITIALS.fullmatch(text.lower()):
        return SearchKind.INITIALS, text.lower()
    if match := _ARCHIVE_NO.fullmatch(text):
        return SearchKind.ARCHIVE_NO, f"{match[1]}-{int(match[2]):05d}"
    return SearchKind.NAME, text


def is_sensitive_search(text: str) -> bool:
    """Return whether `text` is a whole ID or mobile number, which must not reach a URL."""
    return search_kind(text)[0] in (SearchKind.FULL_ID, SearchKind.FULL_MOBILE)


def search_key(text: str) -> str:
    """Return what a URL carries instead of a whole ID or mobile number: its blind index.

    An ID with a wrong check character gets the index of what was typed, which matches no
    archive (as the search by the number itself would). Call only for `is_sensitive_search`.
    """
    kind, value = search_kind(text)
    if kind == SearchKind.FULL_MOBILE:
        return mobile_index(value)
    try:
        return id_index(parse_id_number(value).value)
    except ValidationError:
        return id_index(value)


def _ids(*querysets: QuerySet[Any]) -> Q:
    """Match archives whose id is in any of `querysets` (each one column of archive ids).

    Written as `id IN (… UNION ALL …)`, each branch one index look-up, never as
    `a OR EXISTS(b)`: PostgreSQL cannot use an index for an OR across two tables, so that
    becomes a sequential scan of every archive in scope (and, at a million, crosses the JIT
    threshold: another half second per query).
    """
    first, *rest = querysets
    return Q(pk__in=first.union(*rest, all=True) if rest else first)


def _heads(**lookup: str) -> QuerySet[Any]:
    return Household.objects.filter(**lookup).order_by().values("pk")


def _members(**lookup: str) -> QuerySet[Any]:
    return HouseholdMember.objects.filter(**lookup).order_by().values("household_id")


def search_q(text: str = "", *, key: str = "") -> Q:
    """Return the filter for what a user typed in the search box (or the `key` that stands
    for a whole ID or mobile number). Every kind is one or a few index look-ups:

    * 18 (or 15) digits: the exact ID of the head or a member, through the blind index;
    * 11 digits starting with 1: the head's whole mobile number, through its blind index;
    * 4 characters, digits (last may be X): the last 4 ID digits of the head or a member,
      or the last 4 digits of the head's mobile;
    * Latin letters: the head's pinyin initials, as a prefix (`zs` finds 张三, 张三丰);
    * YYYY-N: the 职工编号 (2026-12 finds 2026-00012);
    * anything else with a digit: an exact 职工编号 in another scheme;
    * anything else: the head's name, exact or as a prefix.
    """
    if key:
        if not _KEY.fullmatch(key):
            return Q(pk__in=[])
        # The same index stands for an ID (head or member) or a mobile: purposes differ, so
        # an ID's index never equals a mobile's.
        return _ids(_heads(id_index=key), _members(id_index=key), _heads(mobile_index=key))
    kind, value = search_kind(text)
    if kind == SearchKind.FULL_ID:
        try:
            index = id_index(parse_id_number(value).value)
        except ValidationError:
            return Q(pk__in=[])
        return _ids(_heads(id_index=index), _members(id_index=index))
    if kind == SearchKind.FULL_MOBILE:
        return Q(mobile_index=mobile_index(value))
    if kind == SearchKind.TAIL4:
        branches = [_heads(id_last4=value), _members(id_last4=value)]
        if value.isdigit():
            branches.append(_heads(mobile_last4=value))
        return _ids(*branches)
    if kind == SearchKind.INITIALS:
        return Q(name_initials__startswith=value)
    if kind == SearchKind.ARCHIVE_NO:
        return Q(archive_no=value)
    if any(ch.isdigit() for ch in value):  # a number in another scheme (imported archives)
        return Q(archive_no=value)
    # Names alone: an OR with another column would keep the count from the covering index.
    return Q(name__startswith=value)


def _secondary_cause_q(cause: int) -> Q:
    # Up to three secondary causes, stored as a JSON list; matching positions works on SQLite
    # and PostgreSQL alike (`contains` on JSON does not exist on SQLite).
    return (
        Q(secondary_causes__0=cause) | Q(secondary_causes__1=cause) | Q(secondary_causes__2=cause)
    )


def household_list(*, user: Any, filters: HouseholdFilters) -> QuerySet[Household]:
    """Return the archives in the user's scope that match `filters`, newest first
    (`-created_at, -id`, the order of the `archives_hh_newest` index), with only the columns
    the list shows. The one archive search of the pages, the API and the roster export."""
    qs = household_queryset(user=user).select_related("unit").only(*LIST_COLUMNS)
    if filters.key:
        qs = qs.filter(search_q(key=filters.key))
    elif filters.q.strip():
        qs = qs.filter(search_q(filters.q))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.unit is not None:
        qs = qs.filter(unit__path__startswith=filters.unit.path)
    if filters.main_cause:
        qs = qs.filter(main_cause=filters.main_cause)
    if filters.secondary_cause:
        qs = qs.filter(_secondary_cause_q(filters.secondary_cause))
    if filters.review_overdue is not None:
        overdue = review_overdue_q(filters.today)
        qs = qs.filter(overdue) if filters.review_overdue else qs.exclude(overdue)
    if filters.rule_version:
        qs = qs.filter(rule_version=filters.rule_version)
    return qs.order_by("-created_at", "-id")


# What comes next for an archive in each state, for the list (who acts is on the detail page).
NEXT_STEPS = {
    Household.Status.DRAFT: gettext_lazy("补全资料后提交申请"),
    Household.Status.APPLIED: gettext_lazy("入户调查"),
    Household.Status.INVESTIGATED: gettext_lazy("民主评议"),
    Household.Status.REVIEWED: gettext_lazy("公示"),
    Household.Status.PUBLICIZING: gettext_lazy("公示期满后报审批"),
    Household.Status.PENDING_APPROVAL: gettext_lazy("审批"),
    Household.Status.ACTIVE: gettext_lazy("年度复核"),
    Household.Status.RETURNED: gettext_lazy("修改后重新提交"),
}


def next_step(household: Household) -> str:
    """Return the archive's next step in words ("" when none: refused or closed)."""
    label = NEXT_STEPS.get(household.status)  # type: ignore[call-overload]
    return str(label) if label is not None else ""


def station_choices(*, user: Any) -> QuerySet[OrgUnit]:
    """Return the units whose archives the user may see, in tree order: what the station
    filter accepts (validated with one query; never rendered as a whole list)."""
    return policy.units_in_scope(user, ArchivesPermission.VIEW)


# --- The detail page ---------------------------------------------------------------------------


def household_members(*, household: Household) -> list[HouseholdMember]:
    return list(household.members.order_by("sort_order", "id"))


def latest_determination(*, household: Household) -> Determination | None:
    return (
        household.determinations.select_related("dibao_standard")
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass
class Item:
    label: str
    value: str
    sensitive: bool = False
    wide: bool = False


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)

    @property
    def rows(self) -> list[list[Item]]:
        """Return the items two to a row, as on the paper form; a wide item takes a row alone."""
        rows: list[list[Item]] = []
        pending: list[Item] = []
        for item in self.items:
            if item.wide:
                if pending:
                    rows.append(pending)
                    pending = []
                rows.append([item])
                continue
            pending.append(item)
            if len(pending) == 2:
                rows.append(pending)
                pending = []
        if pending:
            rows.append(pending)
        return rows


@dataclass
class Revealed:
    """Full values of a household's personal data, shown once after a logged reveal."""

    id_number: str | None = None
    mobile: str | None = None
    bank_card: str | None = None
    member_ids: dict[int, str] | None = None


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _money(value: Decimal | None) -> str:
    return "" if value is None else _("%(amount)s 元") % {"amount": format_money(value)}


def _user(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_username())


def cause_labels(codes: list[Any]) -> str:
    labels = []
    for code in codes or []:
        try:
            labels.append(f"{int(code)} {c.HardshipCause(int(code)).label}")
        except (TypeError, ValueError):
            labels.append(str(code))
    return "、".join(labels)


def annual_income(household: Household) -> Decimal:
    return (
        household.wage_income
        + household.business_income
        + household.property_income
        + household.transfer_income
        + household.other_income
    )


def household_sections(
    household: Household,
    *,
    members: list[HouseholdMember],
    determination: Determination | None,
    revealed: Revealed | None = None,
) -> list[Section]:
    """Return the head's fields grouped like the national 档案表, with Chinese labels.

    The ID, mobile and bank card are masked unless `revealed` carries their full values.
    """
    h = household
    revealed = revealed or Revealed()
    size = 1 + len(members)
    income = annual_income(h)
    per_capita = (income / 12 / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    reason = determination.reason if determination else ""

    def vb(name: str) -> str:
        return str(getattr(Household._meta.get_field(name), "verbose_name", name))

    return [
        Section(
            "basic",
            _("职工基本情况"),
            [
                Item(vb("archive_no"), h.archive_no or _("(未编号)")),
                Item(vb("category"), h.get_category_display() or _("(未认定)")),
                Item(vb("name"), h.name),
                Item(vb("ethnicity"), h.ethnicity),
                Item(vb("sex"), h.get_sex_display()),
                Item(vb("political_status"), h.get_political_status_display()),
                Item(
                    vb("id_number"),
                    revealed.id_number or mask_id_number(h.id_number),
                    sensitive=True,
                ),
                Item(vb("birth_date"), _date(h.birth_date)),
                Item(vb("health"), h.get_health_display()),
                Item(vb("disability"), h.get_disability_display()),
                Item(vb("union_member"), _yes_no(h.union_member)),
            ],
        ),
        Section(
            "work",
            _("工作情况"),
            [
                Item(vb("work_status"), h.get_work_status_display()),
                Item(vb("model_worker"), h.get_model_worker_display()),
                Item(vb("work_started_on"), _date(h.work_started_on)),
                Item(vb("industry"), h.get_industry_display()),
                Item(vb("employer"), h.employer),
                Item(vb("employer_nature"), h.get_employer_nature_display()),
                Item(vb("enterprise_status"), h.get_enterprise_status_display()),
            ],
        ),
        Section(
            "family",
            _("家庭情况"),
            [
                Item(vb("housing"), h.get_housing_display()),
                Item(vb("floor_area"), "" if h.floor_area is None else f"{h.floor_area}"),
                Item(
                    vb("mobile"), revealed.mobile or mask_phone(h.mobile), sensitive=bool(h.mobile)
                ),
                Item(vb("postcode"), h.postcode),
                Item(vb("marital_status"), h.get_marital_status_display()),
                Item(vb("hukou"), h.get_hukou_display()),
                Item(vb("hukou_area_code"), h.hukou_area_code),
                Item(vb("single_parent"), _yes_no(h.single_parent)),
                Item(vb("zero_employment"), _yes_no(h.zero_employment)),
                Item(vb("medical_insurance"), h.get_medical_insurance_display()),
                Item(_("家庭人口"), _("%(count)d 人") % {"count": size}),
                Item(vb("address"), h.address, wide=True),
            ],
        ),
        Section(
            "income",
            _("收入与支出"),
            [
                Item(vb("head_monthly_income"), _money(h.head_monthly_income)),
                Item(vb("wage_income"), _money(h.wage_income)),
                Item(vb("business_income"), _money(h.business_income)),
                Item(vb("property_income"), _money(h.property_income)),
                Item(vb("transfer_income"), _money(h.transfer_income)),
                Item(vb("other_income"), _money(h.other_income)),
                Item(_("家庭年度总收入"), _money(income)),
                Item(_("家庭月人均收入"), _money(per_capita)),
                Item(vb("medical_spending"), _money(h.medical_spending)),
                Item(vb("disability_spending"), _money(h.disability_spending)),
                Item(vb("education_spending"), _money(h.education_spending)),
                Item(vb("housing_spending"), _money(h.housing_spending)),
                Item(vb("other_spending"), _money(h.other_spending)),
                Item(vb("receives_dibao"), _yes_no(h.receives_dibao)),
            ],
        ),
        Section(
            "causes",
            _("致困原因与困难类别"),
            [
                Item(vb("main_cause"), cause_labels([h.main_cause])),
                Item(vb("secondary_causes"), cause_labels(h.secondary_causes) or _("无")),
                Item(vb("sudden_hardship"), _yes_no(h.sudden_hardship)),
                Item(vb("category"), h.get_category_display() or _("(未认定)")),
                Item(vb("rule_version"), h.rule_version),
                Item(
                    _("月人均净收入"),
                    _money(determination.net_income_per_capita) if determination else "",
                ),
                Item(_("认定理由"), reason or _("(尚无认定记录)"), wide=True),
            ],
        ),
        Section(
            "exclusions",
            _("排除情形"),
            [
                Item(vb("controlling_shareholder"), _yes_no(h.controlling_shareholder)),
                Item(vb("multiple_homes"), _yes_no(h.multiple_homes)),
                Item(vb("owns_vehicle"), _yes_no(h.owns_vehicle)),
                Item(vb("refuses_cooperation"), _yes_no(h.refuses_cooperation)),
            ],
        ),
        Section(
            "bank",
            _("银行账户"),
            [
                Item(vb("bank_name"), h.bank_name),
                Item(vb("bank_branch"), h.bank_branch),
                Item(
                    vb("bank_card"),
                    revealed.bank_card or mask_bank_card(h.bank_card),
                    sensitive=bool(h.bank_card),
                ),
            ],
        ),
        Section(
            "filing",
            _("建档与管理"),
            [
                Item(vb("status"), h.get_status_display()),
                Item(vb("origin"), h.get_origin_display()),
                Item(vb("applied_on"), _date(h.applied_on)),
                Item(vb("unit"), h.unit.name),
                Item(vb("centre"), h.centre.name),
                Item(vb("area"), str(h.area)),
                Item(vb("filed_by"), _user(h.filed_by)),
                Item(vb("checked_by"), _user(h.checked_by)),
                Item(vb("entered_by"), _user(h.entered_by)),
                Item(vb("filed_on"), _date(h.filed_on)),
                Item(vb("last_reviewed_on"), _date(h.last_reviewed_on)),
                Item(vb("review_due_on"), _date(h.review_due_on)),
                Item(vb("consent_sensitive_on"), _date(h.consent_sensitive_on)),
                Item(vb("consent_publication_on"), _date(h.consent_publication_on)),
                *(
                    [
                        Item(vb("closed_on"), _date(h.closed_on)),
                        Item(vb("close_reason"), h.get_close_reason_display()),
                        Item(vb("close_note"), h.close_note, wide=True),
                    ]
                    if h.closed_on
                    else []
                ),
                Item(vb("notes"), h.notes, wide=True),
            ],
        ),
    ]


@dataclass
class Opinion:
    level: str
    opinion: str
    date: str
    by: str


def household_opinions(household: Household) -> list[Opinion]:
    """Return the opinions of each union level ([{level, opinion, date, by}]) in order."""
    result = []
    for entry in household.opinions or []:
        if not isinstance(entry, dict):
            continue
        result.append(
            Opinion(
                level=str(entry.get("level", "")),
                opinion=str(entry.get("opinion", "")),
                date=str(entry.get("date", "") or ""),
                by=str(entry.get("by", "") or ""),
            )
        )
    return result


def household_detail(
    *, user: Any, household_id: Any, perm: str = ArchivesPermission.VIEW
) -> Household:
    """Return the archive with what the detail page shows joined in; raise NotFound outside
    the user's scope for `perm`, exactly as for an archive that does not exist."""
    qs = household_queryset(user=user, perm=perm).select_related("unit", "centre", "area")
    household = policy.scoped_get(qs, household_id, message=_("未找到该档案。"))
    _attach_related(household, _DETAIL_USERS)
    return household


# The users the detail page names (填表人, 审核人, 录入人), read by one query after the archive:
# joined into it, the user table three times made PostgreSQL plan a 7-table join, 2.0 ms of
# planning on every detail page against 0.3 ms for the archive with its units.
_DETAIL_USERS = ("filed_by", "checked_by", "entered_by")


def _attach_related(obj: Any, names: tuple[str, ...]) -> None:
    """Load the objects that `obj`'s foreign keys `names` (to one model) point to in one
    query and cache them on it, as select_related would have."""
    fields = [obj._meta.get_field(name) for name in names]
    keys = {getattr(obj, f.attname) for f in fields} - {None}
    manager = fields[0].related_model._default_manager
    found = manager.order_by().in_bulk(keys) if keys else {}
    for f in fields:
        f.set_cached_value(obj, found.get(getattr(obj, f.attname)))


# --- History -----------------------------------------------------------------------------------


def household_history(*, household: Household) -> QuerySet[AuditEvent]:
    """Return the audit events of the archive, its members and its attachments, newest first.

    The filing services write masked diffs; nothing here unmasks them.
    """
    member_ids = [str(pk) for pk in household.members.values_list("pk", flat=True)]
    attachment_ids = [str(pk) for pk in household.attachments.values_list("pk", flat=True)]
    query = Q(object_type=Household._meta.label_lower, object_id=str(household.pk))
    if member_ids:
        query |= Q(object_type=HouseholdMember._meta.label_lower, object_id__in=member_ids)
    if attachment_ids:
        query |= Q(object_type=Attachment._meta.label_lower, object_id__in=attachment_ids)
    return AuditEvent.objects.filter(query).order_by("-seq")


# --- Attachments ------------------------------------------------------------------------------


def attachment_list(*, household: Household) -> list[Attachment]:
    return list(
        household.attachments.select_related("uploaded_by").order_by(
            "withdrawn", "kind", "-created_at", "-id"
        )
    )


def access_attachment(
    *, user: Any, attachment_id: Any, perm: str = ArchivesPermission.VIEW
) -> Attachment:
    """Return the attachment if its archive lies in the user's scope for `perm`; raise
    NotFound otherwise, exactly as for one that does not exist."""
    return policy.scoped_get(
        Attachment.objects.filter(
            household__in=household_queryset(user=user, perm=perm)
        ).select_related("household", "household__unit"),
        attachment_id,
        message=_("未找到该附件。"),
    )
