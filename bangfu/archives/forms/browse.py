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


class HouseholdFilterForm(forms.Form):
    """The list's search box and filters. The station is picked by name (`unit_name`, with
    suggestions from `network:unit_search`) and sent as its id (`unit`): a city has 1,111
    units, too many to send as one select. Without script, a typed name that fits one unit in
    scope is taken as that unit."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={
                "placeholder": _(
                    "姓名、拼音首字母、职工编号、身份证号(后 4 位或完整)、手机号(尾号或完整)"
                )
            }
        ),
    )
    # The blind index that stands for a whole ID or mobile number in the address (see
    # `browse.search_key`); set by the view, never typed.
    key = forms.RegexField(
        regex=r"^[0-9a-f]{64}$",
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("查询条件有误,请重新输入身份证号或手机号。")},
    )
    category = forms.ChoiceField(label=_("困难类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    unit = forms.ModelChoiceField(
        label=_("帮扶站(点)"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("帮扶站(点):请从提示中选择。")},
    )
    unit_name = forms.CharField(label=_("帮扶站(点)"), required=False, max_length=100)
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
        self.units = units
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["category"].choices = [_ALL, *c.Category.choices]  # type: ignore[attr-defined]
        self.fields["status"].choices = [_ALL, *Household.Status.choices]  # type: ignore[attr-defined]
        causes = [_ALL, *[(str(v), f"{v} {label}") for v, label in c.HardshipCause.choices]]
        self.fields["main_cause"].choices = causes  # type: ignore[attr-defined]
        self.fields["secondary_cause"].choices = causes  # type: ignore[attr-defined]
        self.fields["rule_version"].choices = [_ALL, *RULE_VERSIONS]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, name = data.get("unit"), (data.get("unit_name") or "").strip()
        if unit is not None:
            data["unit_name"] = unit.name
        elif name and "unit" not in self.errors:
            # Typed without picking (no script): the one unit in scope of that name.
            matches = list(self.units.filter(name=name)[:2]) or list(
                self.units.filter(name__icontains=name)[:2]
            )
            if len(matches) == 1:
                data["unit"] = matches[0]
                data["unit_name"] = matches[0].name
            elif not matches:
                self.add_error(
                    "unit_name", _("帮扶站(点):没有名称含“%(name)s”的单位。") % {"name": name}
                )
            else:
                self.add_error(
                    "unit_name",
                    _("帮扶站(点):名称含“%(name)s”的单位不止一个,请从提示中选择或输入全称。")
                    % {"name": name},
                )
        return data

    def filters(self) -> HouseholdFilters:
        data = self.cleaned_data
        return HouseholdFilters(
            q=data.get("q") or "",
            key=data.get("key") or "",
            category=data.get("category") or "",
            status=data.get("status") or "",
            unit=data.get("unit"),
            main_cause=data.get("main_cause"),
            secondary_cause=data.get("secondary_cause"),
            # Unticked means "either", not "not overdue".
            review_overdue=True if data.get("review_overdue") else None,
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
