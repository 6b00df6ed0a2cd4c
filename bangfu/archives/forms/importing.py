"""Forms of the Excel import and the roster export."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ExportFullForm(forms.Form):
    purpose = forms.CharField(
        label=_("导出事由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("完整导出含身份证号、手机、银行卡号的全部数字,将记入敏感信息查看记录。"),
        error_messages={
            "required": _("完整导出须填写导出事由。"),
            "max_length": _("导出事由不能超过 %(limit_value)d 个字。"),
        },
    )
