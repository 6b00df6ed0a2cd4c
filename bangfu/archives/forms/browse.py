"""Forms of the browsing pages: the list's search and filters, reveal, attachments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bangfu.network.models import OrgUnit

from ..models import Attachment, Household
from ..models import choices as c
from ..selectors.browse import HouseholdFilters
from ..services.reveal import REVEALABLE

# Rule versions an archive can be filed under (categories/rules own the rules themselves).
RULE_VERSIONS = [
    ("acftu-2021", _("全总 2021 年办法(深度困难/相对困难/意外致困)")),
    ("acftu-2012", _("2012 年分类(享受低保/低保线以上/未享受低保)")),
]

_ALL = ("", _("全部"))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        top = getattr(self, "top_depth", 0)
        return "\u3000" * max(obj.depth - top, 0) + obj.name


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名、拼音首字母、身份证号后 4 位或手机尾号")}
        ),
    )
    category = forms.ChoiceField(label=_("困难类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    unit = UnitChoiceField(
        label=_("帮扶站(点)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("全部"),
        error_messages={"invalid_choice": _("帮扶站(点):请从列表中选择。")},
    )
    main_cause = forms.TypedChoiceField(
        label=_("主要致困原因"), required=False, coerce=int, empty_value=None
    )
    secondary_cause = forms.TypedChoiceField(
        label=_("次要致困原因"), required=False, coerce=int, empty_value=None
    )
    rule_version = forms.ChoiceField(label=_("认定规则版本"), required=False)
    review_overdue = forms.BooleanField(label=_("复核逾期"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        unit_field.queryset = units  # type: ignore[attr-defined]
        first = units.first()
        unit_field.top_depth = first.depth if first else 0  # type: ignore[attr-defined]
        self.fields["category"].choices = [_ALL, *c.Category.choices]  # type: ignore[attr-defined]
        self.fields["status"].choices = [_ALL, *Household.Status.choices]  # type: ignore[attr-defined]
        causes = [_ALL, *[(str(v), f"{v} {label}") for v, label in c.HardshipCause.choices]]
        self.fields["main_cause"].choices = causes  # type: ignore[attr-defined]
        self.fields["secondary_cause"].choices = causes  # type: ignore[attr-defined]
        self.fields["rule_version"].choices = [_ALL, *RULE_VERSIONS]  # type: ignore[attr-defined]

    def filters(self) -> HouseholdFilters:
        data = self.cleaned_data
        return HouseholdFilters(
            q=data.get("q") or "",
            category=data.get("category") or "",
            status=data.get("status") or "",
            unit=data.get("unit"),
            main_cause=data.get("main_cause"),
            secondary_cause=data.get("secondary_cause"),
            review_overdue=bool(data.get("review_overdue")),
            rule_version=data.get("rule_version") or "",
        )


class RevealForm(forms.Form):
    shown = forms.MultipleChoiceField(
        label=_("要显示的信息"),
        choices=list(REVEALABLE.items()),
        initial=list(REVEALABLE),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请选择要显示的信息。"),
            "invalid_choice": _("要显示的信息:请从列表中选择。"),
        },
    )
    purpose = forms.CharField(
        label=_("事由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("将记入敏感信息查看记录,例如“核对低保申报材料”。"),
        error_messages={
            "required": _("请填写查看事由。"),
            "max_length": _("事由不能超过 %(limit_value)d 个字。"),
        },
    )


class PdfRevealForm(forms.Form):
    purpose = RevealForm.base_fields["purpose"]


class AttachmentUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("材料类型"),
        choices=[("", _("请选择")), *Attachment.Kind.choices],
        error_messages={
            "required": _("请选择材料类型。"),
            "invalid_choice": _("请选择材料类型。"),
        },
    )
    file = forms.FileField(
        label=_("文件(PDF、JPG、PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={
            "required": _("请选择要上传的文件。"),
            "empty": _("文件:上传的文件是空的。"),
        },
    )


class AttachmentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"),
        max_length=200,
        error_messages={
            "required": _("请填写撤回原因。"),
            "max_length": _("撤回原因不能超过 %(limit_value)d 个字。"),
        },
    )
