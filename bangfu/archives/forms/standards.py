"""Forms of standards, benefit types and household benefits. They only parse input; the
services check it (and their ValidationError lands on the field it names)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.core.errors import ValidationError
from bangfu.core.formkit import BootstrapForm, apply_domain_error, date_field

from ..models.choices import AreaKind


class StyledForm(BootstrapForm):
    """A form of this area: Bootstrap classes, invalid fields marked, service errors shown."""

    def apply_errors(self, exc: ValidationError) -> None:
        """Attach a service's field errors; anything not a form field goes on top."""
        apply_domain_error(self, exc)


class AreaForm(StyledForm):
    code = forms.CharField(
        label=_("行政区划代码"),
        max_length=12,
        help_text=_("6 位县级代码,如 430302(雨湖区)。"),
        error_messages={
            "required": _("请填写行政区划代码。"),
            "max_length": _("行政区划代码最多 12 位。"),
        },
    )
    name = forms.CharField(
        label=_("地区名称"),
        max_length=50,
        error_messages={
            "required": _("请填写地区名称。"),
            "max_length": _("地区名称不能超过 50 个字。"),
        },
    )
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("请选择")), *AreaKind.choices],
        error_messages={
            "required": _("请选择地区类别。"),
            "invalid_choice": _("请选择地区类别。"),
        },
    )


class FigureForm(StyledForm):
    """A 低保 standard or a minimum wage: amount (text, read by the service), date, document."""

    amount = forms.CharField(
        label=_("金额(元/月)"),
        max_length=30,
        error_messages={"required": _("请填写金额。"), "max_length": _("金额格式不正确。")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    effective_from = date_field(
        _("执行日期"), _("请填写执行日期。"), _("执行日期格式不正确,请按 2026-01-01 的格式填写。")
    )
    document = forms.CharField(
        label=_("依据文件"),
        max_length=200,
        required=False,
        help_text=_("如“湘民发〔2025〕3 号”。"),
        error_messages={"max_length": _("依据文件不能超过 200 个字。")},
    )

    def __init__(self, *args: Any, amount_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if amount_label:
            self.fields["amount"].label = amount_label


class BenefitTypeForm(StyledForm):
    code = forms.CharField(
        label=_("代码"),
        max_length=32,
        required=False,
        help_text=_(
            "可不填:按名称的拼音自动生成。自填时用小写字母、数字和下划线,如 heating。"
            "保存后不能修改。"
        ),
        error_messages={"max_length": _("代码不能超过 32 位。")},
    )
    name = forms.CharField(
        label=_("待遇名称"),
        max_length=50,
        error_messages={
            "required": _("请填写待遇名称。"),
            "max_length": _("待遇名称不能超过 50 个字。"),
        },
    )
    is_dibao = forms.BooleanField(label=_("即低保"), required=False)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    sort_order = forms.IntegerField(
        label=_("排序"),
        required=False,
        min_value=0,
        max_value=32767,
        initial=0,
        error_messages={
            "invalid": _("排序应为 0 至 32767 的整数。"),
            "min_value": _("排序应为 0 至 32767 的整数。"),
            "max_value": _("排序应为 0 至 32767 的整数。"),
        },
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        else:
            del self.fields["active"]


class BenefitAddForm(StyledForm):
    benefit = forms.ChoiceField(
        label=_("政策待遇"),
        error_messages={
            "required": _("请选择享受的政策待遇。"),
            "invalid_choice": _("请选择享受的政策待遇。"),
        },
    )
    started_on = date_field(
        _("开始日期"), _("请填写开始日期。"), _("开始日期格式不正确,请按 2026-01-01 的格式填写。")
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("说明不能超过 200 个字。")},
    )

    def __init__(self, *args: Any, types: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["benefit"].choices = [  # type: ignore[attr-defined]
            ("", _("请选择")),
            *((str(t.pk), t.name) for t in types),
        ]


class BenefitEndForm(StyledForm):
    ended_on = date_field(
        _("结束日期"), _("请填写结束日期。"), _("结束日期格式不正确,请按 2026-01-01 的格式填写。")
    )
