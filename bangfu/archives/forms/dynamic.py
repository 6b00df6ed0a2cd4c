"""Forms of dynamic management. They only parse input; the rules live in `services.dynamic`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.formkit import BootstrapForm, date_field
from bangfu.network.models import OrgUnit

from ..models import AnnualReview, Household


class AnnualReviewForm(BootstrapForm):
    reviewed_on = date_field(
        _("复核日期"), _("请填写复核日期。"), _("复核日期格式不对,请按 2026-03-15 填写。")
    )
    outcome = forms.ChoiceField(
        label=_("复核结论"),
        choices=[("", _("请选择")), *AnnualReview.Outcome.choices],
        error_messages={
            "required": _("请选择复核结论。"),
            "invalid_choice": _("复核结论:请从列表中选择。"),
        },
    )
    findings = forms.CharField(
        label=_("复核情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("家庭人口、收入、就业、健康等变化情况。"),
        error_messages={"required": _("请填写复核情况。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reviewed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class MonthField(forms.DateField):
    """A month typed as 2026-03 (the browser's month picker) or 2026-03-01."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y.%m", "%Y年%m月"]


class MonthlyIncomeForm(BootstrapForm):
    month = MonthField(
        label=_("月份"),
        error_messages={
            "required": _("请填写月份。"),
            "invalid": _("月份格式不对,请按 2026-03 填写。"),
        },
    )
    amount = forms.CharField(
        label=_("月人均净收入(元)"),
        max_length=20,
        error_messages={"required": _("请填写月人均净收入。")},
    )


class CloseForm(BootstrapForm):
    reason = forms.ChoiceField(
        label=_("撤档原因"),
        choices=[("", _("请选择")), *Household.CloseReason.choices],
        error_messages={
            "required": _("请选择撤档原因。"),
            "invalid_choice": _("撤档原因:请从列表中选择。"),
        },
    )
    closed_on = date_field(
        _("撤档日期"), _("请填写撤档日期。"), _("撤档日期格式不对,请按 2026-03-15 填写。")
    )
    note = forms.CharField(
        label=_("撤档说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("原因为“其他”时必填。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"closed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReopenForm(BootstrapForm):
    reason = forms.CharField(
        label=_("恢复原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写恢复原因。")},
    )


class CentreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


class SpotCheckDrawForm(BootstrapForm):
    centre = CentreChoiceField(
        label=_("帮扶中心"),
        queryset=OrgUnit.objects.none(),
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择帮扶中心。"),
            "invalid_choice": _("帮扶中心:请从列表中选择您管理范围内的中心。"),
        },
    )
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=9999,
        error_messages={
            "required": _("请填写年度。"),
            "invalid": _("年度请填写四位数字,如 2026。"),
            "min_value": _("年度不能早于 2000 年。"),
            "max_value": _("年度请填写四位数字,如 2026。"),
        },
    )
    rate_percent = forms.IntegerField(
        label=_("抽查比例(%)"),
        min_value=1,
        max_value=100,
        error_messages={
            "required": _("请填写抽查比例。"),
            "invalid": _("抽查比例请填写 1 至 100 的整数。"),
            "min_value": _("抽查比例请填写 1 至 100 的整数。"),
            "max_value": _("抽查比例请填写 1 至 100 的整数。"),
        },
    )

    def __init__(self, *args: Any, centres: QuerySet[OrgUnit], rate: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year, "rate_percent": rate})
        super().__init__(*args, **kwargs)
        field = self.fields["centre"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = centres
        if centres.count() == 1 and not self.is_bound:
            self.initial["centre"] = centres.first().pk  # type: ignore[union-attr]


class SpotCheckResultForm(BootstrapForm):
    checked_on = date_field(
        _("抽查日期"), _("请填写抽查日期。"), _("抽查日期格式不对,请按 2026-03-15 填写。")
    )
    finding = forms.CharField(
        label=_("抽查结果"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写抽查结果。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"checked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
