"""The export page's form: purpose (from a list, with a note), masked or full, format."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.core.formkit import BootstrapForm

from .models import Format, Purpose


class ExportForm(BootstrapForm):
    purpose = forms.ChoiceField(
        label=_("导出用途"),
        choices=[("", _("请选择")), *Purpose.choices],
        error_messages={"required": _("请选择导出用途。"), "invalid_choice": _("请选择导出用途。")},
    )
    purpose_note = forms.CharField(
        label=_("导出事由"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("完整导出或用途为“其他”时必填。"),
        error_messages={"max_length": _("导出事由不能超过 %(limit_value)d 个字。")},
    )
    values = forms.ChoiceField(
        label=_("身份证号、手机、银行卡号"),
        choices=[("masked", _("打码(默认)")), ("full", _("完整(须有权限并填写事由)"))],
        initial="masked",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否打码。"), "invalid_choice": _("请选择是否打码。")},
    )
    format = forms.ChoiceField(
        label=_("格式"),
        choices=Format.choices,
        initial=Format.XLSX,
        error_messages={"required": _("请选择导出格式。"), "invalid_choice": _("请选择导出格式。")},
    )

    def __init__(self, *args: Any, can_reveal: bool = False, pdf: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not can_reveal:
            values: Any = self.fields["values"]
            values.choices = [("masked", _("打码(默认)"))]
        if not pdf:
            formats: Any = self.fields["format"]
            formats.choices = [c for c in Format.choices if c[0] != Format.PDF]
