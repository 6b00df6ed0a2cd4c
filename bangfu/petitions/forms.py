"""Forms of the petition pages. They check the shape of the input; the services check the rules
(`services.registration.validate_input` for every field of a registration)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.accounts import policy
from bangfu.accounts.captcha import captcha_field
from bangfu.accounts.models import User
from bangfu.core.formkit import BootstrapForm, date_field
from bangfu.network.models import OrgUnit

from .models import STAFF_CHANNELS, Attachment, Petition, Route
from .permissions import PetitionsPermission
from .services.registration import PetitionInput, RepresentativeInput


def _text(label: Any, *, required: bool = False, rows: int = 3, max_length: int = 4000) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("请填写%(label)s。") % {"label": label}},
    )


def _date(label: Any, *, required: bool = False) -> forms.DateField:
    return date_field(
        label,
        _("请填写%(label)s。") % {"label": label},
        _("%(label)s应为日期,如 2026-03-05。") % {"label": label},
        required=required,
    )


def parse_representatives(text: str) -> list[RepresentativeInput]:
    """One representative a line: the name, then the phone (王建国 13807320001)."""
    result = []
    for line in (text or "").splitlines():
        parts = line.replace(",", " ").replace(",", " ").split()
        if parts:
            result.append(RepresentativeInput(name=parts[0], phone="".join(parts[1:])))
    return result


class PetitionFields(BootstrapForm):
    """The petitioner and the matter, shared by the staff form and the public form."""

    nature = forms.ChoiceField(label=_("信访性质"), choices=Petition.Nature.choices)
    category = forms.ChoiceField(
        label=_("问题类别"), choices=[("", "—"), *list(Petition.Category.choices)]
    )
    anonymous = forms.BooleanField(
        label=_("匿名检举"), required=False, help_text=_("只有检举控告可以匿名。")
    )
    petitioner_name = forms.CharField(label=_("信访人姓名"), required=False, max_length=50)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    address = forms.CharField(label=_("住址"), required=False, max_length=200)
    id_number = forms.CharField(
        label=_("身份证号"),
        required=False,
        max_length=20,
        help_text=_("选填;加密保存,只显示前 6 位和后 4 位。"),
    )
    employer = forms.CharField(label=_("工作单位"), required=False, max_length=100)
    request = _text(_("信访诉求"), rows=3)
    facts = _text(_("事实"), rows=5)
    reasons = _text(_("理由"), rows=3)
    subject = forms.CharField(
        label=_("被反映人或单位"),
        required=False,
        max_length=100,
        help_text=_("检举控告时填写。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checked by the service (one message for every form and the API), marked here.
        for name in ("request", "facts"):
            self.fields[name].marked_required = True  # type: ignore[attr-defined]

    def petition_input(self, **extra: Any) -> PetitionInput:
        d = self.cleaned_data
        return PetitionInput(
            channel=extra.pop("channel", d.get("channel", "")),
            nature=d["nature"],
            category=d.get("category") or "",
            request=d.get("request") or "",
            facts=d.get("facts") or "",
            reasons=d.get("reasons") or "",
            anonymous=bool(d.get("anonymous")),
            petitioner_name=d.get("petitioner_name") or "",
            phone=d.get("phone") or "",
            address=d.get("address") or "",
            id_number=d.get("id_number") or "",
            employer=d.get("employer") or "",
            subject=d.get("subject") or "",
            **extra,
        )


class RegisterForm(PetitionFields):
    """Staff register a letter, a call or a visit."""

    field_order = [
        "unit",
        "channel",
        "received_on",
        "nature",
        "category",
        "anonymous",
        "petitioner_name",
        "phone",
        "address",
        "id_number",
        "employer",
        "household",
        "group_size",
        "representatives",
        "request",
        "facts",
        "reasons",
        "subject",
        "concerned_users",
        "restricted",
        "read_back",
        "acknowledged_on_the_spot",
    ]

    unit = forms.ModelChoiceField(label=_("登记单位"), queryset=OrgUnit.objects.none())
    channel = forms.ChoiceField(label=_("来源方式"), choices=STAFF_CHANNELS)
    received_on = _date(_("收到日期"))
    household = forms.IntegerField(
        label=_("关联档案(档案 id)"),
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
    )
    group_size = forms.IntegerField(label=_("来访人数"), min_value=1, max_value=9999, initial=1)
    representatives = forms.CharField(
        label=_("集体访代表"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人:姓名 电话。多人来访须推选代表,不超过 5 人。"),
    )
    concerned_users = forms.ModelMultipleChoiceField(
        label=_("被反映的系统用户"),
        required=False,
        queryset=User.objects.none(),
        help_text=_("检举控告涉及本系统的用户时选择:他们在任何地方都看不到这件信访。"),
    )
    restricted = forms.BooleanField(
        label=_("保密件"),
        required=False,
        help_text=_("检举控告一律保密;其他信访需要保密时勾选。"),
    )
    read_back = forms.BooleanField(
        label=_("已将记录向信访人宣读,信访人确认无误"),
        required=False,
        help_text=_("来访、来电等口头反映的事项必须宣读确认。"),
    )
    acknowledged_on_the_spot = forms.BooleanField(label=_("已当场告知信访人(来访)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = policy.units_in_scope(user, PetitionsPermission.REGISTER).exclude(
            kind=OrgUnit.Kind.POINT
        )
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["unit"].label_from_instance = lambda u: u.name  # type: ignore[attr-defined]
        # The clerk's own unit first: most petitions are registered where they arrive.
        home = getattr(user, "unit_id", None)
        mine = home is not None and units.filter(pk=home).exists()
        self.fields["unit"].initial = home if mine else units.first()
        paths = policy.scope_paths(user, PetitionsPermission.REGISTER)
        people = User.objects.filter(is_active=True, unit__isnull=False)
        scope = Q(pk__in=[])
        for path in paths:
            scope |= Q(unit__path__startswith=path)
        self.fields["concerned_users"].queryset = people.filter(scope).order_by(  # type: ignore[attr-defined]
            "full_name", "pk"
        )
        self.fields["concerned_users"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.display_name}({u.unit.name if u.unit_id else ''})"
        )

    def to_input(self) -> PetitionInput:
        d = self.cleaned_data
        return self.petition_input(
            channel=d["channel"],
            received_on=d.get("received_on"),
            group_size=d.get("group_size") or 1,
            representatives=parse_representatives(d.get("representatives") or ""),
            restricted=bool(d.get("restricted")),
            read_back=bool(d.get("read_back")),
            acknowledged_on_the_spot=bool(d.get("acknowledged_on_the_spot")),
            household_id=d.get("household"),
            concerned_user_ids=[u.pk for u in d.get("concerned_users") or []],
        )


class PublicForm(PetitionFields):
    """The online form of the public page (no log-in)."""

    field_order = [
        "centre",
        "nature",
        "category",
        "anonymous",
        "petitioner_name",
        "phone",
        "address",
        "id_number",
        "employer",
        "request",
        "facts",
        "reasons",
        "subject",
        "consent",
        "captcha",
    ]

    centre = forms.ModelChoiceField(
        label=_("向哪个帮扶中心反映"),
        queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.CENTER).order_by("path"),
        empty_label="—",
        error_messages={"required": _("请选择受理的帮扶中心。")},
    )
    consent = forms.BooleanField(
        label=_("我同意帮扶中心为办理本信访事项使用我填写的个人信息"),
        error_messages={"required": _("请阅读并勾选同意,我们才能受理您的信访。")},
    )
    captcha = captcha_field(help_text=_("请输入图片中的字母和数字(不区分大小写)。"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].label_from_instance = lambda u: u.name  # type: ignore[attr-defined]
        centres = self.fields["centre"].queryset  # type: ignore[attr-defined]
        if centres.count() == 1:
            self.fields["centre"].initial = centres.first()
        self.fields["captcha"].widget.attrs["class"] = "form-control d-inline-block w-auto"


class TrackForm(BootstrapForm):
    code = forms.CharField(
        label=_("查询码"),
        max_length=40,
        help_text=_("受理回执或提交成功页上的 16 位查询码,如 K7QF-M2XD-9HTP-R4WA。"),
        error_messages={"required": _("请填写查询码。")},
    )


class PublicRateForm(TrackForm):
    rating = forms.ChoiceField(
        label=_("您对办理结果是否满意"), choices=Petition.Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("意见"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget = forms.HiddenInput()


class FilterForm(BootstrapForm):
    q = forms.CharField(label=_("查找"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *list(Petition.Status.choices)],
    )
    channel = forms.ChoiceField(
        label=_("来源"),
        required=False,
        choices=[("", _("全部来源")), *list(Petition.Channel.choices)],
    )
    category = forms.ChoiceField(
        label=_("类别"),
        required=False,
        choices=[("", _("全部类别")), *list(Petition.Category.choices)],
    )
    overdue = forms.BooleanField(label=_("只看已超期"), required=False)


class AcceptForm(BootstrapForm):
    handling_unit = forms.ModelChoiceField(label=_("交由"), queryset=OrgUnit.objects.none())
    accepted_on = _date(_("受理日期"))

    def __init__(self, *args: Any, petition: Petition, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = (
            policy.units_in_scope(user, PetitionsPermission.HANDLE)
            .filter(path__startswith=petition.centre.path)
            .exclude(kind=OrgUnit.Kind.POINT)
        )
        self.fields["handling_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["handling_unit"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
            _("本中心办理") if u.pk == petition.centre_id else u.name
        )
        self.fields["handling_unit"].initial = petition.unit_id


class DeclineForm(BootstrapForm):
    reason = _text(_("不予受理的理由"), required=True)
    decided_on = _date(_("决定日期"))


class TransferForm(BootstrapForm):
    body = forms.CharField(label=_("转交机关"), max_length=100)
    reason = _text(_("转交理由"), required=True)
    decided_on = _date(_("决定日期"))


class ReferForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("转往"), choices=Route.Kind.choices)
    reason = _text(_("理由"), required=True)


class AcknowledgeForm(BootstrapForm):
    method = forms.ChoiceField(label=_("告知方式"), choices=Petition.AckMethod.choices)
    acknowledged_on = _date(_("告知日期"))


class ExtendForm(BootstrapForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=365, initial=30)
    reason = _text(_("延期理由"), required=True)
    told_on = _date(_("延期理由告知信访人的日期"))


class ReplyForm(BootstrapForm):
    outcome = forms.ChoiceField(
        label=_("处理结果"), choices=[("", "—"), *list(Petition.Outcome.choices)]
    )
    decision = _text(_("处理意见"), required=True, rows=5)
    basis = _text(_("依据"), required=True, rows=3)
    replied_on = _date(_("答复日期"))


class RequestForm(BootstrapForm):
    reason = _text(_("请求理由"), required=True)
    requested_on = _date(_("收到请求的日期"))


class RateForm(BootstrapForm):
    rating = forms.ChoiceField(
        label=_("满意度"), choices=Petition.Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("评价意见"), required=False, max_length=500)


class AttachmentUploadForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择要上传的文件。")})


class AttachmentWithdrawForm(BootstrapForm):
    reason = _text(_("撤回原因"), required=True)


class ReportForm(BootstrapForm):
    start = _date(_("收到日期自"))
    end = _date(_("至"))
