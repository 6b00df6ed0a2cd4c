"""The roster (花名册) on the export kit: the import template's columns plus 档案状态, masked by
default; full ID, mobile and bank card with archives.reveal and a reason (the kit checks and
logs). Registered from `ArchivesConfig.ready`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, replace
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.crypto import decrypt, encrypt
from bangfu.core.masking import mask_numbers_in_text
from bangfu.kits.exports.registry import Exporter, Selection, Sheet

from .. import xlsx as roster
from ..forms.exporting import ALL_STATUSES, RosterExportFilterForm
from ..models import Household
from ..models import choices as c
from ..permissions import ArchivesPermission
from ..selectors.browse import HouseholdFilters, station_choices
from ..selectors.exporting import roster_batches, roster_count, roster_households

FULL_FIELDS = ("id_number", "mobile", "bank_card")
ROSTER_KIND = "archives.roster"
# A printed roster (PDF) shows the columns a visit or a meeting needs; the file formats have all.
PDF_COLUMNS = (
    "户号",
    "与户主关系",
    "姓名",
    "性别",
    "身份证号",
    "健康状况",
    "工作单位或学校",
    "手机",
    "所属帮扶站",
    "困难类别",
    "主要致困原因",
    "档案状态",
)

# The search text of an export, sealed: it may be a full ID number (search by ID).
SEALED_Q = "q_sealed"


def filters_to_json(filters: HouseholdFilters) -> dict[str, Any]:
    """Return the filters as kept with the export until its file is written: the search text
    masked, and sealed (encrypted) when masking changed it."""
    data = asdict(filters)
    data["unit"] = filters.unit.pk if filters.unit is not None else None
    data.pop("today", None)
    data["q"] = mask_numbers_in_text(filters.q)
    if data["q"] != filters.q:
        data[SEALED_Q] = encrypt(filters.q)
    return {key: value for key, value in data.items() if value not in (None, "", False)}


def filters_from_json(data: dict[str, Any]) -> HouseholdFilters:
    from bangfu.network.models import OrgUnit

    values = dict(data)
    unit_id = values.pop("unit", None)
    sealed = values.pop(SEALED_Q, None)
    if sealed:
        values["q"] = decrypt(sealed)
    unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id else None
    return HouseholdFilters(unit=unit, **values)


def filters_words(filters: HouseholdFilters) -> str:
    """Return the filters in words, personal numbers masked."""
    words = [
        _("档案状态:%(status)s")
        % {"status": Household.Status(filters.status).label if filters.status else _("全部状态")}
    ]
    if filters.unit is not None:
        words.append(_("帮扶站(点):%(unit)s") % {"unit": filters.unit.name})
    if filters.q:
        words.append(_("搜索:%(q)s") % {"q": mask_numbers_in_text(filters.q)})
    elif filters.key:
        words.append(_("按完整身份证号或手机号搜索"))
    if filters.category:
        words.append(_("困难类别:%(category)s") % {"category": c.Category(filters.category).label})
    if filters.main_cause:
        words.append(
            _("主要致困原因:%(cause)s") % {"cause": c.HardshipCause(filters.main_cause).label}
        )
    if filters.secondary_cause:
        words.append(
            _("次要致困原因:%(cause)s") % {"cause": c.HardshipCause(filters.secondary_cause).label}
        )
    if filters.review_overdue:
        words.append(_("复核逾期"))
    if filters.rule_version:
        words.append(_("认定规则版本:%(version)s") % {"version": filters.rule_version})
    return ";".join(str(word) for word in words)


class RosterExporter(Exporter):
    kind = ROSTER_KIND
    title = gettext_lazy("困难职工花名册")
    permission = ArchivesPermission.EXPORT
    reveal_permission = ArchivesPermission.REVEAL
    full_fields = FULL_FIELDS
    count_unit = gettext_lazy("户")

    def select(self, *, user: Any, data: QueryDict) -> Selection:
        """The list's filters from the query (invalid ones are ignored, as on the list page);
        the status is the export's own: 在档 unless another one or `all` is asked for."""
        data = data.copy()
        status = data.get("status", "")
        if status not in Household.Status.values and status != ALL_STATUSES:
            data["status"] = Household.Status.ACTIVE
        form = RosterExportFilterForm(data, units=station_choices(user=user))
        valid = form.is_valid()
        filters = form.filters() if valid else HouseholdFilters()
        status = str(data["status"])
        filters = replace(filters, status="" if status == ALL_STATUSES else status)
        carried = {k: v for k, v in data.items() if v} if valid else {"status": status}
        return Selection(
            params=filters_to_json(filters),
            words=filters_words(filters),
            query=urlencode(carried),
            form=form,
        )

    def count(self, *, user: Any, params: dict[str, Any]) -> int:
        return roster_count(user=user, filters=filters_from_json(params))

    def sheet(self, *, masked: bool) -> Sheet:
        spec = roster.roster_sheet([], title_line="")
        title = _("困难职工家庭花名册(%(date)s 导出%(kind)s)") % {
            "date": timezone.localdate().isoformat(),
            "kind": _(",身份证号等已打码") if masked else "",
        }
        return Sheet(
            headers=list(spec.headers),
            text_columns=frozenset(spec.text_columns),
            title_line=title,
            pdf_columns=[column for column in PDF_COLUMNS if column in spec.headers],
        )

    def batches(
        self, *, user: Any, params: dict[str, Any], masked: bool, counts: dict[str, int]
    ) -> Iterator[list[Sequence[Any]]]:
        households = roster_households(user=user, filters=filters_from_json(params))
        return roster_batches(households, masked=masked, counts=counts)

    def summary(self, counts: dict[str, int]) -> str:
        return _("%(households)d 户 %(people)d 人") % {
            "households": counts.get("households", 0),
            "people": counts.get("people", 0),
        }
