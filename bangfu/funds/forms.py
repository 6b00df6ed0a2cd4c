"""The page forms of the books; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.formkit import BootstrapForm, date_field

from .models import BankBatch, Income, Programme, SampleCheck


class BookOpenForm(BootstrapForm):
    unit = forms.ChoiceField(
        label=_("帮扶中心"), error_messages={"required": _("请选择帮扶中心。")}
    )
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=2100,
        error_messages={"required": _("请填写年度。"), "invalid": _("年度应为四位数字。")},
    )
    bank_name = forms.CharField(label=_("开户银行"), max_length=100, required=False)

    def __init__(self, *args: Any, units: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(u.pk), u.name) for u in units]
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]


class IncomeForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("收入类别"),
        choices=Income.Kind.choices,
        error_messages={"required": _("请选择收入类别。")},
    )
    amount = forms.CharField(
        label=_("金额(元)"), max_length=30, error_messages={"required": _("请填写金额。")}
    )
    date = date_field(_("到账日期"), _("请填写到账日期。"), _("到账日期格式不正确。"))
    payer = forms.CharField(
        label=_("来源单位或捐赠人"),
        max_length=100,
        error_messages={"required": _("请填写来源单位或捐赠人。")},
    )
    channel = forms.ChoiceField(label=_("方式"), choices=Income.Channel.choices)
    purpose = forms.CharField(label=_("限定用途(如有)"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReasonDateForm(BootstrapForm):
    date = date_field(_("记账日期"), _("请填写记账日期。"), _("记账日期格式不正确。"))
    reason = forms.CharField(
        label=_("原因"), max_length=200, error_messages={"required": _("请填写原因。")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PeriodCloseForm(BootstrapForm):
    month = forms.TypedChoiceField(
        label=_("月份"),
        coerce=int,
        choices=[(m, _("%(m)s 月") % {"m": m}) for m in range(1, 13)],
        error_messages={"required": _("请选择月份。")},
    )


class BudgetForm(BootstrapForm):
    programme = forms.ChoiceField(
        label=_("帮扶项目"),
        choices=Programme.choices,
        error_messages={"required": _("请选择帮扶项目。")},
    )
    amount = forms.CharField(
        label=_("预算金额(元)"), max_length=30, error_messages={"required": _("请填写预算金额。")}
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class RangeForm(forms.Form):
    """The period of a report; anything missing or wrong falls back to the book's year."""

    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    account = forms.CharField(required=False, max_length=20)


class PaymentPrepareForm(BootstrapForm):
    signer = forms.ChoiceField(label=_("签领人"), error_messages={"required": _("请选择签领人。")})

    def __init__(self, *args: Any, choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]


class ScanForm(BootstrapForm):
    scan = forms.FileField(
        label=_("签字凭证扫描件(PDF、JPG、PNG)"),
        error_messages={"required": _("请选择扫描件。")},
    )


class PaidOnForm(BootstrapForm):
    paid_on = date_field(_("发放日期"), _("请填写发放日期。"), _("发放日期格式不正确。"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class BatchForm(BootstrapForm):
    commitments = forms.MultipleChoiceField(
        label=_("发放事项"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一项发放。")},
    )
    encoding = forms.ChoiceField(label=_("CSV 编码"), choices=BankBatch.Encoding.choices)

    def __init__(self, *args: Any, choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commitments"].choices = list(choices)  # type: ignore[attr-defined]


class SentForm(BootstrapForm):
    sent_on = date_field(_("发送日期"), _("请填写发送日期。"), _("发送日期格式不正确。"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"sent_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReturnFileForm(BootstrapForm):
    file = forms.FileField(
        label=_("银行回盘文件(Excel 或 CSV)"), error_messages={"required": _("请选择回盘文件。")}
    )
    date = date_field(_("入账日期"), _("请填写入账日期。"), _("入账日期格式不正确。"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class StatementForm(BootstrapForm):
    file = forms.FileField(
        label=_("银行对账单(Excel 或 CSV)"), error_messages={"required": _("请选择对账单文件。")}
    )


class MonthForm(forms.Form):
    """The month of the monthly statement; missing or wrong: the current month of the book's
    year (December for a past year)."""

    month = forms.TypedChoiceField(
        label=_("月份"),
        choices=[(m, _("%(m)s 月") % {"m": m}) for m in range(1, 13)],
        coerce=int,
        required=False,
    )


class SampleDrawForm(BootstrapForm):
    seed = forms.IntegerField(
        label=_("随机种子(可不填)"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_(
            "不填则随机抽取;也可填入审计人员指定的种子。同一种子对同一批已发放记录抽出的样本相同。"
        ),
        error_messages={
            "invalid": _("随机种子须为非负整数。"),
            "min_value": _("随机种子须为非负整数。"),
            "max_value": _("随机种子太大。"),
        },
    )
    # The last sample of the book the page showed: a second click finds a newer one and draws
    # nothing.
    after = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SampleCheckForm(BootstrapForm):
    method = forms.ChoiceField(
        label=_("核查方式"),
        choices=[("", "—"), *SampleCheck.Method.choices],
        error_messages={"required": _("请选择核查方式(入户或电话)。")},
    )
    checked_on = date_field(_("核查日期"), _("请填写核查日期。"), _("核查日期格式不正确。"))
    outcome = forms.ChoiceField(
        label=_("核查结果"),
        choices=[("", "—"), *SampleCheck.Outcome.choices],
        error_messages={"required": _("请选择核查结果。")},
    )
    notes = forms.CharField(
        label=_("核查情况"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写核查情况。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"checked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class MismatchCloseForm(BootstrapForm):
    resolution = forms.CharField(
        label=_("处理结果"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明核实了什么、如何处理(如补发、追回、更正档案)。"),
        error_messages={"required": _("请填写处理结果。")},
    )
