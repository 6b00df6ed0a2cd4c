"""Forms of assistance pages: thin — they parse input; the services check the rules."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.archives.models import Attachment
from bangfu.archives.models.choices import Category
from bangfu.core.formkit import BootstrapForm, date_field
from bangfu.network.models import OrgUnit

from .models import (
    Application,
    DuplicatePolicy,
    FollowUp,
    Kind,
    Programme,
    SchoolKind,
    SchoolLevel,
)


def _money(label: Any, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={
            "required": _("请填写%(label)s。") % {"label": label},
            "invalid": _("%(label)s须是金额,如 1200.50。") % {"label": label},
        },
    )


class ApplicationFilterForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Application.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部")), *Kind.choices]
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)


class ApplicationForm(BootstrapForm):
    programme = forms.ModelChoiceField(
        label=_("救助项目"),
        queryset=Programme.objects.none(),
        error_messages={"required": _("请选择救助项目。"), "invalid_choice": _("请选择救助项目。")},
    )
    period_start = date_field(
        _("救助期间起"), _("请填写救助期间起。"), _("日期格式应为 2026-03-05。")
    )
    period_end = date_field(
        _("救助期间止"), _("请填写救助期间止。"), _("日期格式应为 2026-03-05。")
    )
    # Living aid.
    cause = forms.CharField(label=_("困难原因(生活救助)"), required=False, max_length=200)
    expenses = _money(_("支出金额(生活救助)"))
    # Medical aid.
    illness = forms.CharField(label=_("疾病名称(医疗救助)"), required=False, max_length=100)
    hospital = forms.CharField(label=_("就诊医院(医疗救助)"), required=False, max_length=100)
    bill_items = forms.CharField(
        label=_("费用明细(医疗救助)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项:名称 金额,如「住院费 12000」。"),
    )
    insurance_paid = _money(_("医保报销(医疗救助)"))
    other_aid = _money(_("其他救助(医疗救助)"))
    self_paid = _money(_("个人自付(医疗救助)"))
    # Education aid.
    student = forms.TypedChoiceField(
        label=_("学生(助学)"), required=False, coerce=int, empty_value=None, choices=()
    )
    school = forms.CharField(label=_("学校(助学)"), required=False, max_length=100)
    school_level = forms.ChoiceField(
        label=_("学段(助学)"), required=False, choices=[("", "—"), *SchoolLevel.choices]
    )
    school_year = forms.IntegerField(
        label=_("年级(助学)"), required=False, min_value=1, max_value=8
    )
    tuition = _money(_("学费(助学)"))
    admission_letter = forms.BooleanField(label=_("已交录取通知书(助学)"), required=False)
    school_kind = forms.ChoiceField(
        label=_("学校性质(助学)"), required=False, choices=[("", "—"), *SchoolKind.choices]
    )
    aided_elsewhere = forms.BooleanField(label=_("已获其他助学资助(助学)"), required=False)
    # A different amount than the suggested one, within the cap, with a reason.
    amount = _money(_("申请金额(不填则按建议金额)"))
    amount_reason = forms.CharField(label=_("调整金额的理由"), required=False, max_length=200)

    def __init__(self, *args: Any, programmes: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["student"].choices = [("", "—")] + [(m.pk, m.name) for m in members]  # type: ignore[attr-defined]

    def clean_bill_items(self) -> list[tuple[str, str]]:
        items = []
        for n, line in enumerate(self.cleaned_data.get("bill_items", "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.strip().rsplit(maxsplit=1)
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("第 %(n)s 行应为「名称 金额」。") % {"n": n}, code="invalid"
                )
            try:
                Decimal(parts[1].replace(",", ""))
            except InvalidOperation:
                raise forms.ValidationError(
                    _("第 %(n)s 行的金额「%(v)s」不是数字。") % {"n": n, "v": parts[1]},
                    code="invalid",
                ) from None
            items.append((parts[0], parts[1].replace(",", "")))
        return items


class ProgrammeForm(BootstrapForm):
    unit = forms.ModelChoiceField(
        label=_("主办单位"),
        queryset=OrgUnit.objects.none(),
        error_messages={"required": _("请选择主办单位。")},
    )
    kind = forms.ChoiceField(label=_("救助类别"), choices=Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("项目名称"), max_length=100)
    campaign = forms.BooleanField(label=_("金秋助学活动"), required=False)
    budget_line = forms.CharField(label=_("预算科目"), required=False, max_length=50)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class RuleForm(BootstrapForm):
    standard_amount = _money(_("标准金额"))
    yearly_cap = _money(_("年度上限(元/户)"))
    living_multiple = forms.DecimalField(
        label=_("生活救助上限倍数(×全年低保)"),
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    medical_ratio = forms.DecimalField(
        label=_("医疗救助比例(0–1)"), max_digits=5, decimal_places=4, min_value=Decimal("0.0001")
    )
    university_amount = _money(_("大学每生每年"), required=True)
    high_school_amount = _money(_("高中每生每年"), required=True)
    duplicates = forms.ChoiceField(label=_("重复申请"), choices=DuplicatePolicy.choices)
    requires_visit = forms.BooleanField(label=_("须入户走访"), required=False)
    requires_review = forms.BooleanField(label=_("须民主评议"), required=False)
    requires_notice = forms.BooleanField(label=_("须公示"), required=False)
    mask_names = forms.BooleanField(label=_("公示时隐去姓名中间字"), required=False)
    eligible_categories = forms.MultipleChoiceField(
        label=_("可申请的困难类别"),
        required=False,
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则所有在档困难职工都可申请。"),
    )
    required_materials = forms.MultipleChoiceField(
        label=_("须提交的材料"),
        required=False,
        choices=Attachment.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    one_signoff_limit = _money(_("一名领导签批上限"), required=True)
    county_limit = _money(_("报县级审批起点"), required=True)
    followup_days = forms.IntegerField(label=_("发放后回访期限(天)"), min_value=1, max_value=365)
    opens_on = date_field(_("申请开始日期"), "", _("日期格式应为 2026-03-05。"), required=False)
    closes_on = date_field(_("申请截止日期"), "", _("日期格式应为 2026-03-05。"), required=False)
    note = forms.CharField(label=_("修改说明"), max_length=200)


# --- the procedure's steps (the kit checks the rules; these only parse) ---------------------


class VisitForm(BootstrapForm):
    visited_on = date_field(_("走访日期"), _("请填写走访日期。"), _("日期格式应为 2026-03-05。"))
    visitors = forms.CharField(
        label=_("走访人员"),
        max_length=200,
        help_text=_("至少两人,用逗号或顿号分隔。"),
        error_messages={"required": _("请填写走访人员。")},
    )
    findings = forms.CharField(
        label=_("走访情况"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写走访情况。")},
    )
    recommendation = forms.ChoiceField(
        label=_("走访意见"),
        choices=[("agree", _("属实,同意救助")), ("disagree", _("不属实或不宜救助"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择走访意见。")},
    )

    def clean_visitors(self) -> list[str]:
        text = self.cleaned_data["visitors"]
        return [p.strip() for p in re.split(r"[,,、;;\s]+", text) if p.strip()]


class ReviewForm(BootstrapForm):
    held_on = date_field(_("评议日期"), _("请填写评议日期。"), _("日期格式应为 2026-03-05。"))
    participants = forms.CharField(
        label=_("参加人员"), max_length=500, error_messages={"required": _("请填写参加人员。")}
    )
    votes_for = forms.IntegerField(label=_("同意票数"), min_value=0, initial=0)
    votes_against = forms.IntegerField(label=_("反对票数"), min_value=0, initial=0)
    passed = forms.BooleanField(label=_("评议通过"), required=False)
    record = forms.CharField(
        label=_("评议记录"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写评议记录。")},
    )


class NoteForm(BootstrapForm):
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class SignOffForm(BootstrapForm):
    outcome = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approved", _("批准")), ("returned", _("退回修改")), ("refused", _("不予救助"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择审批结果。")},
    )
    opinion = forms.CharField(
        label=_("审批意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回或不予救助须写明理由。"),
    )


class DuplicateReleaseForm(BootstrapForm):
    reason = forms.CharField(
        label=_("放行理由"),
        max_length=200,
        error_messages={"required": _("请填写放行重复申请的理由。")},
    )


class BatchSignOffForm(SignOffForm):
    applications = forms.ModelMultipleChoiceField(
        label=_("救助申请"),
        queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一项申请。")},
    )

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = queryset  # type: ignore[attr-defined]


class FollowUpForm(BootstrapForm):
    done_on = date_field(_("回访日期"), _("请填写回访日期。"), _("日期格式应为 2026-03-05。"))
    outcome = forms.ChoiceField(
        label=_("回访结果"),
        choices=FollowUp.Outcome.choices,
        error_messages={"required": _("请选择回访结果。")},
    )
    notes = forms.CharField(
        label=_("回访情况"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写回访情况。")},
    )


# --- 金秋助学 batches --------------------------------------------------------------------------


class BatchCreateForm(BootstrapForm):
    programme = forms.ModelChoiceField(
        label=_("金秋助学项目"),
        queryset=Programme.objects.none(),
        error_messages={"required": _("请选择金秋助学项目。")},
    )
    unit = forms.ModelChoiceField(
        label=_("帮扶中心"),
        queryset=OrgUnit.objects.none(),
        error_messages={"required": _("请选择帮扶中心。")},
    )
    name = forms.CharField(
        label=_("批次名称"), max_length=100, error_messages={"required": _("请填写批次名称。")}
    )
    applications = forms.ModelMultipleChoiceField(
        label=_("列入本批次的申请"),
        queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, *args: Any, programmes: Any, units: Any, candidates: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["applications"].queryset = candidates  # type: ignore[attr-defined]


class BatchStartsForm(BootstrapForm):
    starts_on = forms.DateField(
        label=_("公示开始日期"),
        required=False,
        help_text=_("不填为今天。"),
        error_messages={"invalid": _("日期格式应为 2026-03-05。")},
    )


class BatchReviewForm(BootstrapForm):
    """One 民主评议 meeting over the batch: its date, participants and record, and for each
    application its own conclusion and votes (left at "—", an application is not reviewed)."""

    held_on = date_field(_("评议日期"), _("请填写评议日期。"), _("日期格式应为 2026-03-05。"))
    participants = forms.CharField(
        label=_("参加人员"), max_length=500, error_messages={"required": _("请填写参加人员。")}
    )
    record = forms.CharField(
        label=_("评议记录"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写评议记录。")},
    )

    def __init__(self, *args: Any, items: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for a in items:
            self.fields[f"passed_{a.pk}"] = forms.ChoiceField(
                label=_("评议结论"),
                choices=[("", "—"), ("yes", _("通过")), ("no", _("不通过"))],
                required=False,
            )
            self.fields[f"for_{a.pk}"] = forms.IntegerField(
                label=_("同意票数"), min_value=0, required=False
            )
            self.fields[f"against_{a.pk}"] = forms.IntegerField(
                label=_("反对票数"), min_value=0, required=False
            )

    def rows(self) -> list[tuple[Application, Any, Any, Any]]:
        return [
            (a, self[f"passed_{a.pk}"], self[f"for_{a.pk}"], self[f"against_{a.pk}"])
            for a in self.items
        ]

    def decisions(self) -> list[tuple[int, bool, int, int]]:
        d = self.cleaned_data
        return [
            (a.pk, d[f"passed_{a.pk}"] == "yes", d[f"for_{a.pk}"] or 0, d[f"against_{a.pk}"] or 0)
            for a in self.items
            if d.get(f"passed_{a.pk}")
        ]


class BatchSignOffDecisionForm(BootstrapForm):
    """For each application of the batch awaiting the user's sign-off, its own decision and
    opinion (left at "—", an application is not decided now)."""

    def __init__(self, *args: Any, items: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for a in items:
            self.fields[f"outcome_{a.pk}"] = forms.ChoiceField(
                label=_("审批结果"),
                choices=[
                    ("", "—"),
                    ("approved", _("批准")),
                    ("returned", _("退回修改")),
                    ("refused", _("不予救助")),
                ],
                required=False,
            )
            self.fields[f"opinion_{a.pk}"] = forms.CharField(
                label=_("审批意见"), max_length=500, required=False
            )

    def rows(self) -> list[tuple[Application, Any, Any]]:
        return [(a, self[f"outcome_{a.pk}"], self[f"opinion_{a.pk}"]) for a in self.items]

    def decisions(self) -> list[tuple[int, str, str]]:
        d = self.cleaned_data
        return [
            (a.pk, d[f"outcome_{a.pk}"], d[f"opinion_{a.pk}"])
            for a in self.items
            if d.get(f"outcome_{a.pk}")
        ]
