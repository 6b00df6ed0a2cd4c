"""Forms of filing: the new-archive form (head fields in the national 档案表's groups, members as
a formset), the edit form and the member form.

They only parse what was typed into Python values and build the filing service's
`HouseholdInput` / `MemberInput`; every rule (required fields, ID numbers, bank card, causes,
scope) lives in `services.filing`, whose {field: message} errors the views put back on these
forms. Full ID, phone and bank numbers are never put into an edit form: those inputs start
empty, show the masked value, and an empty input keeps the stored value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bangfu.core.formkit import DATE_INPUT_FORMATS, BootstrapMixin
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.core.money import MoneyField
from bangfu.network.models import OrgUnit

from ..inputs import (
    HouseholdInput,
    MemberInput,
    household_fields_of,
    household_input_default,
    household_input_fields,
)
from ..models import Area, Household, HouseholdMember
from ..models import choices as c

BLANK = [("", "—")]


def _label(model: Any, name: str) -> str:
    return model._meta.get_field(name).verbose_name


def _messages(label: Any) -> dict[str, Any]:
    return {
        "required": _("请填写%(label)s。") % {"label": label},
        "invalid": _("%(label)s格式不正确。") % {"label": label},
        "invalid_choice": _("请从列表中选择%(label)s。") % {"label": label},
        "max_length": _("%(label)s过长。") % {"label": label},
        "max_digits": _("%(label)s数值过大。") % {"label": label},
        "max_decimal_places": _("%(label)s最多两位小数。") % {"label": label},
        "max_whole_digits": _("%(label)s数值过大。") % {"label": label},
        "min_value": _("%(label)s不能为负数。") % {"label": label},
        "max_value": _("%(label)s数值过大。") % {"label": label},
    }


def char(model: Any, name: str, *, max_length: int | None = None, **kw: Any) -> forms.CharField:
    label = kw.pop("label", None) or _label(model, name)
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        error_messages=_messages(label),
        **kw,
    )


def choice(
    model: Any, name: str, choices: Any, *, blank: bool = True, initial: Any = None
) -> forms.ChoiceField:
    label = _label(model, name)
    return forms.ChoiceField(
        label=label,
        required=False,
        initial=initial,
        choices=[*BLANK, *choices] if blank else list(choices),
        error_messages=_messages(label),
    )


def day(model: Any, name: str, **kw: Any) -> forms.DateField:
    label = kw.pop("label", None) or _label(model, name)
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_INPUT_FORMATS,
        error_messages=_messages(label),
        **kw,
    )


def money(model: Any, name: str) -> forms.DecimalField:
    label = _label(model, name)
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        error_messages=_messages(label),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def flag(model: Any, name: str, *, initial: bool = False) -> forms.BooleanField:
    return forms.BooleanField(label=_label(model, name), required=False, initial=initial)


@dataclass(frozen=True)
class Fieldset:
    title: Any  # a lazy translation
    names: tuple[str, ...]
    # Not needed for the procedure's next step (the home visit and the category): shown
    # folded under one heading, to be completed at the visit or later.
    folded: bool = False


H = Household
# Order: what filing needs and the home visit checks first — where the application comes from,
# who applies and where to find them (the required fields), why, the income that decides the
# category — then the members (the formset, after these); the rest folded.
FIELDSETS = (
    Fieldset(_("建档信息"), ("unit", "area", "origin", "applied_on")),
    Fieldset(
        _("职工基本情况"),
        (
            "name",
            "id_number",
            "mobile",
            "address",
            "work_status",
            "marital_status",
            "hukou",
            "housing",
            "medical_insurance",
        ),
    ),
    Fieldset(_("致困原因"), ("main_cause", "secondary_causes")),
    Fieldset(
        _("收入与支出(近 12 个月,元)"),
        (
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
        ),
    ),
    Fieldset(
        _("其他基本情况"),
        (
            "sex",
            "birth_date",
            "ethnicity",
            "political_status",
            "health",
            "disability",
            "hukou_area_code",
            "postcode",
        ),
        folded=True,
    ),
    Fieldset(
        _("就业情况"),
        (
            "model_worker",
            "work_started_on",
            "industry",
            "employer",
            "employer_nature",
            "enterprise_status",
            "union_member",
        ),
        folded=True,
    ),
    Fieldset(
        _("住房与家庭"),
        ("floor_area", "single_parent", "zero_employment", "receives_dibao"),
        folded=True,
    ),
    Fieldset(
        _("排除情形(有任一项不予建档)"),
        ("controlling_shareholder", "multiple_homes", "owns_vehicle", "refuses_cooperation"),
        folded=True,
    ),
    Fieldset(
        _("银行账户(须为户主本人)"),
        ("bank_name", "bank_branch", "bank_card", "bank_account_holder"),
        folded=True,
    ),
    Fieldset(_("知情同意"), ("consent_sensitive_on", "consent_publication_on"), folded=True),
    Fieldset(_("备注"), ("notes",), folded=True),
)
# Inputs that would show a full sensitive value in an edit form: left empty there.
SECRET_FIELDS = {"id_number": mask_id_number, "mobile": mask_phone, "bank_card": mask_bank_card}
REQUIRED = {
    "unit",
    "area",
    "applied_on",
    "name",
    "id_number",
    "work_status",
    "housing",
    "marital_status",
    "hukou",
    "address",
    "medical_insurance",
    "main_cause",
}


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


def _bank_account_holder() -> forms.CharField:
    # Not a field of the archive: the name on the card, checked against the head's (实名制).
    return char(
        H,
        "bank_card",
        label=_("银行卡户名"),
        max_length=50,
        help_text=_("实名制:须为户主本人。"),
    )


# The archive's fields that need more than their model field says: a list of units, codes of
# two kinds only (an archive the union made itself or an application), a widget, a help text,
# a length for an encrypted value.
SPECIAL_FIELDS: dict[str, Callable[[], forms.Field]] = {
    "unit": lambda: UnitChoiceField(
        label=_label(H, "unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("请从列表中选择您管理范围内的帮扶站(点)。")},
    ),
    "area": lambda: forms.ModelChoiceField(
        label=_label(H, "area"),
        queryset=Area.objects.all(),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("请从列表中选择低保标准地区。")},
    ),
    "origin": lambda: forms.ChoiceField(
        label=_label(H, "origin"),
        choices=[
            (H.Origin.APPLICATION, H.Origin.APPLICATION.label),
            (H.Origin.UNION, H.Origin.UNION.label),
        ],
        initial=H.Origin.APPLICATION,
        error_messages=_messages(_label(H, "origin")),
    ),
    "id_number": lambda: char(
        H,
        "id_number",
        max_length=40,
        help_text=_("18 位(旧式 15 位自动转换);性别、出生日期由身份证号得出。"),
    ),
    "mobile": lambda: char(
        H, "mobile", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    ),
    "floor_area": lambda: forms.DecimalField(
        label=_label(H, "floor_area"),
        required=False,
        max_digits=8,
        decimal_places=2,
        min_value=0,
        error_messages=_messages(_label(H, "floor_area")),
    ),
    "main_cause": lambda: forms.TypedChoiceField(
        label=_label(H, "main_cause"),
        required=False,
        choices=[*BLANK, *c.HardshipCause.choices],
        coerce=int,
        empty_value=None,
        error_messages=_messages(_label(H, "main_cause")),
    ),
    "secondary_causes": lambda: forms.TypedMultipleChoiceField(
        label=_label(H, "secondary_causes"),
        required=False,
        choices=c.HardshipCause.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("最多 3 个,不能与主要原因相同。"),
        error_messages=_messages(_label(H, "secondary_causes")),
    ),
    "bank_card": lambda: char(
        H, "bank_card", max_length=40, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    ),
    "bank_account_holder": _bank_account_holder,
    "notes": lambda: char(H, "notes", widget=forms.Textarea(attrs={"rows": 3})),
}


def _field_for(name: str) -> forms.Field:
    """Return the form field of a `HouseholdInput` field from the archive's model field of the
    same name: its label, length and choices; a default in `HouseholdInput` is the form's
    initial value, and a choice without one may be left blank."""
    if name in SPECIAL_FIELDS:
        return SPECIAL_FIELDS[name]()
    model_field = H._meta.get_field(name)
    assert isinstance(model_field, models.Field), name  # a column of the archive, not a relation
    default = household_input_default(name)
    if isinstance(model_field, models.BooleanField):
        return flag(H, name, initial=bool(default))
    if isinstance(model_field, MoneyField):
        return money(H, name)
    if isinstance(model_field, models.DateField):
        return day(H, name)
    if model_field.choices:
        blank = default in ("", dataclasses.MISSING)
        return choice(H, name, model_field.choices, blank=blank, initial=None if blank else default)
    return char(H, name, max_length=getattr(model_field, "max_length", None))


def _household_fields() -> dict[str, forms.Field]:
    """The archive form's fields: one for each field a user gives in `HouseholdInput`, in the
    order the form shows them (its fieldsets)."""
    names = household_input_fields()
    shown = [name for fieldset in FIELDSETS for name in fieldset.names]
    if sorted(shown) != sorted(names):
        raise ImproperlyConfigured(
            "The archive form's fieldsets must show each field of HouseholdInput once: "
            f"missing {sorted(set(names) - set(shown))}, extra {sorted(set(shown) - set(names))}."
        )
    return {name: _field_for(name) for name in shown}


MONEY = household_fields_of(MoneyField)
FLAGS = household_fields_of(models.BooleanField)


class HouseholdForm(BootstrapMixin, forms.Form):
    """The archive's head fields as the national 档案表 groups them. Its fields are made from
    `HouseholdInput` (the same list the import and the API take), not written out here."""

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrgUnit],
        household: Household | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.household = household
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        if household is not None:
            del self.fields["origin"]
            for name, mask in SECRET_FIELDS.items():
                current = getattr(household, name)
                if current:
                    self.fields[name].help_text = _("现为 %(masked)s;不修改请留空。") % {
                        "masked": mask(current)
                    }
            # A bank card on file keeps its holder: the head.
            self.fields["bank_account_holder"].help_text = _(
                "实名制:须为户主本人。修改银行卡号时填写。"
            )
        self._style()

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The groups shown open, first: what the procedure's next step needs."""
        return self._groups(folded=False)

    def folded_fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The groups shown folded, after the members."""
        return self._groups(folded=True)

    def folded_has_errors(self) -> bool:
        """Whether a folded group holds an error (it is then shown open)."""
        return any(field.errors for _title, fields in self.folded_fieldsets() for field in fields)

    def _groups(self, *, folded: bool) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (fs.title, [self[name] for name in fs.names if name in self.fields])
            for fs in FIELDSETS
            if fs.folded == folded
        ]

    @staticmethod
    def initial_for(household: Household) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name in HouseholdForm.base_fields:
            if name in SECRET_FIELDS or name in ("bank_account_holder", "origin"):
                continue
            if name == "unit":
                initial["unit"] = household.unit_id
            elif name == "area":
                initial["area"] = household.area_id
            else:
                initial[name] = getattr(household, name)
        return initial

    def to_input(self, members: list[MemberInput]) -> HouseholdInput:
        """Return the filing service's input from the cleaned data (call after is_valid)."""
        d = self.cleaned_data
        values: dict[str, Any] = {}
        for name in household_input_fields():
            if name in d:
                values[name] = d[name]
        for name in MONEY:
            values[name] = d.get(name) if d.get(name) is not None else household_input_default(name)
        for name in FLAGS:
            values[name] = bool(d.get(name))
        for name in ("ethnicity", "political_status", "health", "disability", "model_worker"):
            if not values.get(name):
                values[name] = household_input_default(name)
        values["secondary_causes"] = list(d.get("secondary_causes") or [])
        household = self.household
        if household is not None:
            values["origin"] = household.origin
            values["rule_version"] = household.rule_version
            values["category"] = (
                household.category if household.rule_version != "acftu-2021" else ""
            )
            for name in SECRET_FIELDS:
                if not (d.get(name) or "").strip():
                    values[name] = getattr(household, name)
            if not (d.get("bank_card") or "").strip() and household.bank_card:
                # The stored card was checked when it was recorded: its holder is the head.
                values["bank_account_holder"] = d.get("name") or household.name
        values["members"] = members
        return HouseholdInput(**values)


HouseholdForm.base_fields = HouseholdForm.declared_fields = _household_fields()

M = HouseholdMember


class MemberForm(BootstrapMixin, forms.Form):
    name = char(M, "name", max_length=50)
    relation = choice(M, "relation", c.Relation.choices)
    id_number = char(
        M, "id_number", max_length=40, help_text=_("未办身份证的子女可不填,须填性别和出生日期。")
    )
    sex = choice(M, "sex", c.Sex.choices)
    birth_date = day(M, "birth_date")
    health = choice(M, "health", c.Health.choices, blank=False, initial="healthy")
    disability = choice(M, "disability", c.Disability.choices, blank=False, initial="none")
    medical_insurance = choice(M, "medical_insurance", c.MedicalInsurance.choices)
    monthly_income = money(M, "monthly_income")
    identity = choice(M, "identity", c.MemberIdentity.choices)
    able_to_work = forms.BooleanField(label=_label(M, "able_to_work"), required=False, initial=True)
    employer_or_school = char(M, "employer_or_school", max_length=100)
    education = choice(M, "education", c.Education.choices)
    enrolled_year = forms.IntegerField(
        label=_label(M, "enrolled_year"),
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages=_messages(_label(M, "enrolled_year")),
    )
    schooling_years = forms.IntegerField(
        label=_label(M, "schooling_years"),
        required=False,
        min_value=0,
        max_value=20,
        error_messages=_messages(_label(M, "schooling_years")),
    )

    def __init__(self, *args: Any, member: HouseholdMember | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        if member is not None and member.id_number:
            self.fields["id_number"].help_text = _("现为 %(masked)s;不修改请留空。") % {
                "masked": mask_id_number(member.id_number)
            }
        self._style()

    @staticmethod
    def initial_for(member: HouseholdMember) -> dict[str, Any]:
        return {
            name: getattr(member, name) for name in MemberForm.base_fields if name != "id_number"
        }

    def to_input(self) -> MemberInput:
        d = self.cleaned_data
        id_number = (d.get("id_number") or "").strip()
        if not id_number and self.member is not None:
            id_number = self.member.id_number
        return MemberInput(
            name=d.get("name") or "",
            relation=d.get("relation") or "",
            id_number=id_number,
            sex=d.get("sex") or "",
            birth_date=d.get("birth_date"),
            health=d.get("health") or "healthy",
            disability=d.get("disability") or "none",
            medical_insurance=d.get("medical_insurance") or "",
            monthly_income=d["monthly_income"]
            if d.get("monthly_income") is not None
            else MemberInput.monthly_income,
            identity=d.get("identity") or "",
            able_to_work=bool(d.get("able_to_work")),
            employer_or_school=d.get("employer_or_school") or "",
            education=d.get("education") or "",
            enrolled_year=d.get("enrolled_year"),
            schooling_years=d.get("schooling_years"),
        )


class BaseMemberFormSet(forms.BaseFormSet):
    def inputs(self) -> tuple[list[MemberInput], list[int]]:
        """Return the members typed (empty and deleted rows left out) and, for each, the index
        of its form, so errors keyed `members.<i>.<field>` reach the right row."""
        members: list[MemberInput] = []
        positions: list[int] = []
        for index, form in enumerate(self.forms):
            deleted = self.can_delete and self._should_delete_form(form)  # type: ignore[attr-defined]
            if not form.has_changed() or deleted:
                continue
            members.append(form.to_input())
            positions.append(index)
        return members, positions


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=1, can_delete=True, max_num=20
)
