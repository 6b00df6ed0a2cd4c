"""Forms of the filing procedure. They only parse; the rules live in `services.procedure`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.core.formkit import BootstrapMixin, date_field

from ..services.procedure import OUTCOME_LABELS

_SEPARATORS = re.compile(r"[\n\r,,、;;]+")


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return date_field(
        label,
        _("请填写%(label)s。") % {"label": label},
        _("%(label)s格式不正确,请按 2026-03-05 的格式填写。") % {"label": label},
        required=required,
    )


def _text(label: Any, *, rows: int = 3, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("请填写%(label)s。") % {"label": label}},
    )


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        initial=0,
        error_messages={
            "required": _("请填写%(label)s。") % {"label": label},
            "invalid": _("%(label)s应为整数。") % {"label": label},
            "min_value": _("%(label)s不能小于 0。") % {"label": label},
        },
    )


class _Form(BootstrapMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.prefix_name}_%s")
        super().__init__(*args, **kwargs)
        self._style()

    prefix_name = "f"


class InvestigationForm(_Form):
    prefix_name = "visit"
    visited_on = _date(_("调查日期"))
    visitors = _text(_("调查人员"), rows=2)
    findings = _text(_("调查情况"), rows=4)
    recommendation = forms.ChoiceField(
        label=_("调查意见"),
        required=False,
        choices=[
            ("", "—"),
            ("agree", _("情况属实,建议建档")),
            ("disagree", _("情况不符,不建议建档")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visitors"].help_text = _("至少两人,每行一个姓名(或用顿号分隔)。")

    def visitor_names(self) -> list[str]:
        return [
            name.strip()
            for name in _SEPARATORS.split(self.cleaned_data.get("visitors") or "")
            if name.strip()
        ]


class ReviewForm(_Form):
    prefix_name = "review"
    held_on = _date(_("评议日期"))
    participants = _text(_("参加人员"), rows=2)
    votes_for = _count(_("同意票数"))
    votes_against = _count(_("反对票数"))
    passed = forms.TypedChoiceField(
        label=_("评议结果"),
        choices=[("", "—"), ("yes", _("通过")), ("no", _("未通过"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        error_messages={"required": _("请选择评议是否通过。")},
    )
    record = _text(_("评议记录"), rows=4)


class NoticeForm(_Form):
    prefix_name = "notice"
    starts_on = _date(_("公示开始日期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].help_text = _(
            "不填为今天。公示只显示姓名、所属单位、困难类别和事项。"
        )


class SubmitForm(_Form):
    prefix_name = "submit"
    note = forms.CharField(label=_("提交说明"), required=False, max_length=200)


class DecideForm(_Form):
    prefix_name = "decide"
    outcome = forms.ChoiceField(
        label=_("审批结果"),
        choices=[(k.value, v) for k, v in OUTCOME_LABELS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择审批结果。"),
            "invalid_choice": _("请选择审批结果。"),
        },
    )
    reason = _text(_("审批意见"), rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("退回或不予建档时必填,将告知建档人。")


class ConsentForm(_Form):
    prefix_name = "consent"
    kind = forms.ChoiceField(
        label=_("同意事项"),
        choices=[("sensitive", _("同意处理敏感个人信息")), ("publication", _("同意公示"))],
        error_messages={
            "required": _("请选择同意事项。"),
            "invalid_choice": _("请选择同意事项。"),
        },
    )
    given_on = _date(_("同意日期"))
