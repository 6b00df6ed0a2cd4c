"""Registering a petition: by staff (a letter, a call, a visit) or by the petitioner online.

One validation (`validate_input`) serves the page form, the public form and the API. A
registration is one transaction: the petition with its number and query code, its
representatives, the two limits that start on receipt (route and acknowledge, both 15 days),
the link to an earlier petition it repeats, and one audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.accounts.models import User
from bangfu.archives.selectors import access_household
from bangfu.core.audit import audit_record
from bangfu.core.crypto import blind_index
from bangfu.core.errors import NotFound, ValidationError
from bangfu.core.idnumber import parse_id_number
from bangfu.core.masking import mask_id_number, mask_phone, mask_text
from bangfu.core.text import clean_text
from bangfu.network.models import OrgUnit
from bangfu.network.selectors import nearest_centre

from ..audit_actions import PetitionsAction
from ..codes import code_index, new_query_code
from ..deadlines import new_deadline
from ..models import MAX_REPRESENTATIVES, Deadline, Petition, Representative
from ..permissions import PetitionsPermission
from ..selectors.repeats import find_repeat

ORAL_CHANNELS = (Petition.Channel.VISIT, Petition.Channel.CALL)
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


@dataclass(frozen=True)
class RepresentativeInput:
    name: str
    phone: str = ""


@dataclass(frozen=True)
class PetitionInput:
    """What a registration needs, from any form or the API."""

    channel: str
    category: str
    request: str
    facts: str
    nature: str = Petition.Nature.REQUEST
    reasons: str = ""
    received_on: date | None = None
    anonymous: bool = False
    petitioner_name: str = ""
    phone: str = ""
    address: str = ""
    id_number: str = ""
    employer: str = ""
    group_size: int = 1
    representatives: list[RepresentativeInput] = field(default_factory=list)
    subject: str = ""
    restricted: bool = False
    read_back: bool = False
    acknowledged_on_the_spot: bool = False
    household_id: int | None = None
    concerned_user_ids: list[int] = field(default_factory=list)


def phone_index(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return blind_index(digits, purpose="petition_phone") if digits else ""


def id_index(canonical: str) -> str:
    return blind_index(canonical, purpose="petition_person_id") if canonical else ""


@dataclass(frozen=True)
class Cleaned:
    data: PetitionInput
    id_number: str  # canonical 18 characters, or ""
    phone: str


def validate_input(data: PetitionInput, *, online: bool = False) -> Cleaned:
    """Return the input cleaned; raise ValidationError naming every wrong field at once."""
    errors: dict[str, str] = {}
    request = clean_text(data.request).strip()
    facts = clean_text(data.facts).strip()
    name = clean_text(data.petitioner_name).strip()
    phone = re.sub(r"[\s()()]", "", to_ascii(data.phone or ""))
    if data.channel not in Petition.Channel.values:
        errors["channel"] = _("请选择来源方式。")
    if data.nature not in Petition.Nature.values:
        errors["nature"] = _("请选择信访性质。")
    if data.category not in Petition.Category.values:
        errors["category"] = _("请选择问题类别。")
    if not request:
        errors["request"] = _("请填写信访诉求:信访人要求解决什么问题。")
    if not facts:
        errors["facts"] = _("请填写事实:发生了什么、何时、何地、涉及谁。")
    if data.anonymous and data.nature != Petition.Nature.REPORT:
        errors["anonymous"] = _("只有检举控告可以匿名;其他信访请填写信访人姓名。")
    if not data.anonymous and not name:
        errors["petitioner_name"] = _("请填写信访人姓名(检举控告可以匿名)。")
    if phone and not _PHONE.match(phone):
        errors["phone"] = _("联系电话应为 11 位手机号或带区号的固定电话,如 0731-58610001。")
    if online and not data.anonymous and not phone:
        errors["phone"] = _("请填写联系电话,以便告知办理情况。")
    canonical = ""
    if (data.id_number or "").strip():
        try:
            canonical = parse_id_number(data.id_number, field="id_number").value
        except ValidationError as exc:
            errors["id_number"] = exc.message
    if data.group_size < 1:
        errors["group_size"] = _("来访人数至少为 1。")
    representatives = [r for r in data.representatives if clean_text(r.name).strip()]
    if len(representatives) > MAX_REPRESENTATIVES:
        errors["representatives"] = _(
            "集体访推选的代表不能超过 %(max)d 人(信访工作条例第三十三条),现为 %(count)d 人。"
        ) % {"max": MAX_REPRESENTATIVES, "count": len(representatives)}
    elif (
        data.channel == Petition.Channel.VISIT
        and data.group_size > MAX_REPRESENTATIVES
        and not representatives
    ):
        errors["representatives"] = _(
            "多人来访须推选代表(不超过 %(max)d 人),请登记代表的姓名。"
        ) % {"max": MAX_REPRESENTATIVES}
    for r in representatives:
        rep_phone = re.sub(r"[\s()()]", "", to_ascii(r.phone or ""))
        if rep_phone and not _PHONE.match(rep_phone):
            errors["representatives"] = _("代表“%(name)s”的联系电话格式不正确。") % {
                "name": clean_text(r.name)
            }
    if data.channel in ORAL_CHANNELS and not data.read_back:
        errors["read_back"] = _(
            "口头反映的事项须如实记录,并向信访人宣读、经其确认;请在宣读确认后勾选。"
        )
    if data.acknowledged_on_the_spot and data.channel != Petition.Channel.VISIT:
        errors["acknowledged_on_the_spot"] = _("只有来访才能当场告知。")
    today = timezone.localdate()
    if data.received_on is not None and data.received_on > today:
        errors["received_on"] = _("收到日期不能晚于今天。")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    return Cleaned(data, canonical, phone)


def to_ascii(text: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def _create(
    *,
    actor: Any,
    cleaned: Cleaned,
    unit: OrgUnit,
    household: Any,
    concerned: list[User],
    online: bool,
) -> Petition:
    data = cleaned.data
    today = timezone.localdate()
    received = data.received_on or today
    name = "" if data.anonymous else clean_text(data.petitioner_name).strip()
    report = data.nature == Petition.Nature.REPORT
    ids = id_index(cleaned.id_number)
    phones = phone_index(cleaned.phone)
    repeat = (
        None
        if data.anonymous
        else find_repeat(
            category=data.category,
            request=data.request,
            name=name,
            id_index=ids,
            phone_index=phones,
        )
    )
    code = new_query_code()
    oral = data.channel in ORAL_CHANNELS
    registered_by = actor if getattr(actor, "pk", None) else None
    petition = Petition(
        unit=unit,
        centre=nearest_centre(unit),
        channel=data.channel,
        nature=data.nature,
        category=data.category,
        received_on=received,
        registered_by=registered_by,
        anonymous=data.anonymous,
        petitioner_name=name,
        petitioner_phone="" if data.anonymous else cleaned.phone,
        phone_index="" if data.anonymous else phones,
        petitioner_address="" if data.anonymous else clean_text(data.address).strip(),
        petitioner_id_number="" if data.anonymous else cleaned.id_number,
        id_index="" if data.anonymous else ids,
        employer=clean_text(data.employer).strip()[:100],
        group_size=data.group_size,
        household=household,
        request=clean_text(data.request).strip(),
        facts=clean_text(data.facts).strip(),
        reasons=clean_text(data.reasons).strip(),
        subject=clean_text(data.subject).strip()[:100],
        # A report is always restricted: it must never reach the person it is about.
        restricted=bool(data.restricted or report),
        oral=oral,
        read_back_at=timezone.now() if oral else None,
        read_back_by=registered_by if oral else None,
        query_code=code,
        query_index=code_index(code),
        repeat_of=repeat.petition if repeat else None,
        repeat_similarity=repeat.similarity if repeat else None,
    )
    if data.acknowledged_on_the_spot or data.channel == Petition.Channel.ONLINE:
        petition.acknowledged_on = received
        petition.ack_method = (
            Petition.AckMethod.ONLINE
            if data.channel == Petition.Channel.ONLINE
            else Petition.AckMethod.ON_THE_SPOT
        )
    petition.save()
    petition.number = f"XF{received:%Y}-{petition.pk:06d}"
    petition.save(update_fields=["number"])
    if concerned:
        petition.concerned_users.set(concerned)
    Representative.objects.bulk_create(
        Representative(
            petition=petition,
            name=clean_text(r.name).strip()[:50],
            phone=re.sub(r"[\s()()]", "", to_ascii(r.phone or "")),
            position=i,
        )
        for i, r in enumerate(x for x in data.representatives if clean_text(x.name).strip())
    )
    deadlines = [
        new_deadline(petition.pk, Deadline.Stage.ROUTE, received),
        new_deadline(petition.pk, Deadline.Stage.ACKNOWLEDGE, received),
    ]
    if petition.acknowledged_on is not None:
        deadlines[1].met_on = petition.acknowledged_on
    Deadline.objects.bulk_create(deadlines)
    audit_record(
        actor=actor,
        action=PetitionsAction.SUBMIT_ONLINE if online else PetitionsAction.REGISTER,
        obj=petition,
        summary=_("登记信访:%(number)s(%(channel)s,%(category)s)")
        % {
            "number": petition.number,
            "channel": petition.get_channel_display(),
            "category": petition.get_category_display(),
        },
        changes={
            "unit": [None, unit.pk],
            "channel": [None, petition.channel],
            "nature": [None, petition.nature],
            "category": [None, petition.category],
            "received_on": [None, received.isoformat()],
            "anonymous": [None, petition.anonymous],
            "petitioner_name": [None, petition.petitioner_name],
            "petitioner_phone": [None, mask_phone(petition.petitioner_phone)],
            "petitioner_address": [None, mask_text(petition.petitioner_address)],
            "petitioner_id_number": [None, mask_id_number(petition.petitioner_id_number)],
            "household": [None, household.pk if household else None],
            "restricted": [None, petition.restricted],
            "representatives": [None, len(data.representatives)],
            "read_back": [None, oral],
            "repeat_of": [None, repeat.petition.number if repeat else None],
            "concerned_users": [None, [u.pk for u in concerned]],
        },
    )
    return petition


def petition_register(*, actor: Any, unit: OrgUnit, data: PetitionInput) -> Petition:
    """Register a letter, call or visit received by `unit` (a centre or a station).

    Raise PermissionDenied without petitions.register over the unit, ValidationError for bad
    input (every field at once) or a linked archive the actor cannot see.
    """
    policy.require_in_scope(
        actor,
        PetitionsPermission.REGISTER,
        unit,
        message=_("您无权在该单位登记信访。"),
    )
    if data.channel == Petition.Channel.ONLINE:
        raise ValidationError(
            _("网上信访由信访人在公开页面提交;工作人员请选择来信、来电或来访。"), field="channel"
        )
    cleaned = validate_input(data)
    household = None
    if data.household_id:
        try:
            household = access_household(user=actor, household_id=data.household_id)
        except NotFound:
            raise ValidationError(
                _("未找到该档案,或它不在您的范围内。"), field="household"
            ) from None
    concerned = list(
        User.objects.filter(pk__in=data.concerned_user_ids, is_active=True).order_by("pk")
    )
    if len(concerned) != len(set(data.concerned_user_ids)):
        raise ValidationError(_("所选的被反映用户不存在或已停用。"), field="concerned_users")
    with transaction.atomic():
        return _create(
            actor=actor,
            cleaned=cleaned,
            unit=unit,
            household=household,
            concerned=concerned,
            online=False,
        )


def petition_submit_online(*, centre: OrgUnit, data: PetitionInput) -> Petition:
    """Register a petition a visitor submitted on the public form (no log-in) to `centre`.

    The visitor is told the number and the query code at once, which is the acknowledgement.
    Raise ValidationError for bad input or a unit that is not a centre.
    """
    if centre.kind != OrgUnit.Kind.CENTER:
        raise ValidationError(_("请选择受理的帮扶中心。"), field="centre")
    online = PetitionInput(
        **{
            **data.__dict__,
            "channel": Petition.Channel.ONLINE,
            "received_on": None,
            "household_id": None,
            "concerned_user_ids": [],
            "read_back": False,
            "acknowledged_on_the_spot": False,
            "group_size": 1,
            "representatives": [],
        }
    )
    cleaned = validate_input(online, online=True)
    with transaction.atomic():
        return _create(
            actor=AnonymousVisitor(),
            cleaned=cleaned,
            unit=centre,
            household=None,
            concerned=[],
            online=True,
        )


class AnonymousVisitor:
    """The actor of a public page: no account; the audit trail names it 匿名访客."""

    pk = None
    is_authenticated = False
