"""Forms of the notice pages. They check the shape of the input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Notice, NoticeItem, Objection


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class NoticeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Notice.Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("公示类别"), required=False, choices=[("", _("全部")), *Notice.Kind.choices]
    )
    q = forms.CharField(label=_("标题或姓名"), required=False, max_length=50)


class PublishForm(forms.Form):
    starts_on = forms.DateField(
        label=_("发布日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写发布日期。"), "invalid": _("发布日期格式不对。")},
        help_text=_("发布当日不计入公示期;公示期从下一个工作日算起。"),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        error_messages={"required": _("请填写撤回原因。")},
    )


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person_name)


class ObjectionForm(forms.Form):
    item = ItemChoiceField(
        label=_("异议对象"),
        queryset=NoticeItem.objects.none(),
        required=False,
        empty_label=_("整个公示"),
        error_messages={"invalid_choice": _("异议对象:请从列表中选择。")},
    )
    received_on = forms.DateField(
        label=_("收到日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写收到日期。"), "invalid": _("收到日期格式不对。")},
    )
    channel = forms.ChoiceField(
        label=_("反映方式"),
        choices=Objection.Channel.choices,
        error_messages={"required": _("请选择反映方式。"), "invalid_choice": _("请选择反映方式。")},
    )
    from_name = forms.CharField(
        label=_("反映人"),
        required=False,
        max_length=50,
        help_text=_("可以匿名,不填即为匿名。"),
        error_messages={"max_length": _("反映人不能超过 50 个字。")},
    )
    contact = forms.CharField(
        label=_("联系方式"),
        required=False,
        max_length=100,
        help_text=_("加密保存,只有经办人员可见。"),
        error_messages={"max_length": _("联系方式不能超过 100 个字。")},
    )
    content = forms.CharField(
        label=_("异议内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写异议内容。")},
    )

    def __init__(self, *args: Any, notice: Notice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, ItemChoiceField)
        field.queryset = notice.items.order_by("sort_order", "id")


class SettleForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核实结论"),
        choices=[
            ("dismissed", Objection.Status.DISMISSED.label),
            ("upheld", Objection.Status.UPHELD.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择核实结论。"), "invalid_choice": _("请选择核实结论。")},
    )
    resolution = forms.CharField(
        label=_("核实处理结果"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写核实处理结果。")},
    )
