"""Forms of filing: the new-archive form (head fields in the national 档案表's groups, members as
a formset), the edit form and the member form.

They only parse what was typed into Python values and build the filing service's
`HouseholdInput` / `MemberInput`; every rule (required fields, ID numbers, bank card, causes,
scope) lives in `services.filing`, whose {field: message} errors the views put back on these
forms. Full ID, phone and bank numbers are never put into an edit form: those inputs start
empty, show the masked value, and an empty input keeps the stored value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bangfu.core.formkit import DATE_INPUT_FORMATS, BootstrapMixin
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone
from bangfu.network.models import OrgUnit

from ..inputs import HouseholdInput, MemberInput
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
MONEY = (
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
)
FLAGS = (
    "union_member",
    "single_parent",
    "zero_employment",
    "receives_dibao",
    "sudden_hardship",
    "controlling_shareholder",
    "multiple_homes",
    "owns_vehicle",
    "refuses_cooperation",
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


class HouseholdForm(BootstrapMixin, forms.Form):
    unit = UnitChoiceField(
        label=_label(H, "unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("请从列表中选择您管理范围内的帮扶站(点)。")},
    )
    area = forms.ModelChoiceField(
        label=_label(H, "area"),
        queryset=Area.objects.all(),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("请从列表中选择低保标准地区。")},
    )
    origin = forms.ChoiceField(
        label=_label(H, "origin"),
        choices=[
            (H.Origin.APPLICATION, H.Origin.APPLICATION.label),
            (H.Origin.UNION, H.Origin.UNION.label),
        ],
        initial=H.Origin.APPLICATION,
        error_messages=_messages(_label(H, "origin")),
    )
    applied_on = day(H, "applied_on")
    name = char(H, "name", max_length=50)
    id_number = char(
        H,
        "id_number",
        max_length=40,
        help_text=_("18 位(旧式 15 位自动转换);性别、出生日期由身份证号得出。"),
    )
    sex = choice(H, "sex", c.Sex.choices)
    birth_date = day(H, "birth_date")
    ethnicity = choice(H, "ethnicity", c.ETHNICITY_CHOICES, blank=False, initial="汉族")
    political_status = choice(
        H, "political_status", c.PoliticalStatus.choices, blank=False, initial="masses"
    )
    health = choice(H, "health", c.Health.choices, blank=False, initial="healthy")
    disability = choice(H, "disability", c.Disability.choices, blank=False, initial="none")
    marital_status = choice(H, "marital_status", c.Marital.choices)
    hukou = choice(H, "hukou", c.Hukou.choices)
    hukou_area_code = char(H, "hukou_area_code", max_length=12)
    mobile = char(H, "mobile", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    postcode = char(H, "postcode", max_length=6)
    address = char(H, "address", max_length=200)
    work_status = choice(H, "work_status", c.WorkStatus.choices)
    model_worker = choice(H, "model_worker", c.ModelWorker.choices, blank=False, initial="none")
    work_started_on = day(H, "work_started_on")
    industry = choice(H, "industry", c.Industry.choices)
    employer = char(H, "employer", max_length=100)
    employer_nature = choice(H, "employer_nature", c.EmployerNature.choices)
    enterprise_status = choice(H, "enterprise_status", c.EnterpriseStatus.choices)
    union_member = flag(H, "union_member", initial=True)
    housing = choice(H, "housing", c.Housing.choices)
    floor_area = forms.DecimalField(
        label=_label(H, "floor_area"),
        required=False,
        max_digits=8,
        decimal_places=2,
        min_value=0,
        error_messages=_messages(_label(H, "floor_area")),
    )
    medical_insurance = choice(H, "medical_insurance", c.MedicalInsurance.choices)
    single_parent = flag(H, "single_parent")
    zero_employment = flag(H, "zero_employment")
    receives_dibao = flag(H, "receives_dibao")
    head_monthly_income = money(H, "head_monthly_income")
    wage_income = money(H, "wage_income")
    business_income = money(H, "business_income")
    property_income = money(H, "property_income")
    transfer_income = money(H, "transfer_income")
    other_income = money(H, "other_income")
    medical_spending = money(H, "medical_spending")
    disability_spending = money(H, "disability_spending")
    education_spending = money(H, "education_spending")
    housing_spending = money(H, "housing_spending")
    other_spending = money(H, "other_spending")
    sudden_hardship = flag(H, "sudden_hardship")
    controlling_shareholder = flag(H, "controlling_shareholder")
    multiple_homes = flag(H, "multiple_homes")
    owns_vehicle = flag(H, "owns_vehicle")
    refuses_cooperation = flag(H, "refuses_cooperation")
    main_cause = forms.TypedChoiceField(
        label=_label(H, "main_cause"),
        required=False,
        choices=[*BLANK, *c.HardshipCause.choices],
        coerce=int,
        empty_value=None,
        error_messages=_messages(_label(H, "main_cause")),
    )
    secondary_causes = forms.TypedMultipleChoiceField(
        label=_label(H, "secondary_causes"),
        required=False,
        choices=c.HardshipCause.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("最多 3 个,不能与主要原因相同。"),
        error_messages=_messages(_label(H, "secondary_causes")),
    )
    bank_name = char(H, "bank_name", max_length=50)
    bank_branch = char(H, "bank_branch", max_length=100)
    bank_card = char(
        H, "bank_card", max_length=40, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    bank_account_holder = char(
        H,
        "bank_card",
        label=_("银行卡户名"),
        max_length=50,
        help_text=_("实名制:须为户主本人。"),
    )
    consent_sensitive_on = day(H, "consent_sensitive_on")
    consent_publication_on = day(H, "consent_publication_on")
    notes = char(H, "notes", widget=forms.Textarea(attrs={"rows": 3}))

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
        for name in HouseholdInput.__dataclass_fields__:
            if name in ("members", "source_row", "rule_version", "category"):
                continue
            if name in d:
                values[name] = d[name]
        for name in MONEY:
            values[name] = (
                d.get(name)
                if d.get(name) is not None
                else HouseholdInput.__dataclass_fields__[name].default
            )
        for name in FLAGS:
            values[name] = bool(d.get(name))
        for name in ("ethnicity", "political_status", "health", "disability", "model_worker"):
            if not values.get(name):
                values[name] = HouseholdInput.__dataclass_fields__[name].default
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
