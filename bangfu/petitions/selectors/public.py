"""What the public look-up shows: where a petition stands, in plain words, with nothing personal
(no name, phone, address, request or facts; no reasons that could name someone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from bangfu.core.errors import NotFound

from ..codes import code_index, normalise_code
from ..models import Deadline, Petition, Reply


def petition_by_code(code: str) -> Petition:
    """Return the petition with this query code; raise NotFound for an unknown or malformed
    code (the two look the same)."""
    if not normalise_code(code):
        raise NotFound(_("查询码不正确:应为 16 位字母和数字,如 K7QF-M2XD-9HTP-R4WA。"))
    petition = (
        Petition.objects.filter(query_index=code_index(code)).select_related("centre").first()
    )
    if petition is None:
        raise NotFound(_("没有找到与该查询码对应的信访件,请核对后重新输入。"))
    return petition


@dataclass(frozen=True)
class Step:
    label: str
    done_on: date | None
    note: str = ""
    due_on: date | None = None


@dataclass(frozen=True)
class PublicProgress:
    number: str
    centre: str
    received_on: date
    channel: str
    category: str
    stage: str  # the current stage in words
    steps: list[Step]
    can_rate: bool
    rating: str


def public_progress(petition: Petition) -> PublicProgress:
    """Return where the petition stands, for the public page."""
    S = Petition.Status
    deadlines = {d.stage: d for d in Deadline.objects.filter(petition=petition)}
    replies = {r.stage: r for r in Reply.objects.filter(petition=petition)}

    def due(stage: str) -> date | None:
        d = deadlines.get(stage)
        return d.due_on if d is not None and d.met_on is None else None

    steps = [Step(_("收到并登记"), petition.received_on)]
    if petition.status == S.DECLINED:
        steps.append(
            Step(_("不予受理"), deadlines[Deadline.Stage.ROUTE].met_on, _("理由已书面告知信访人"))
        )
    elif petition.status == S.TRANSFERRED:
        steps.append(
            Step(
                _("转交有权处理的机关"),
                deadlines[Deadline.Stage.ROUTE].met_on,
                petition.transferred_to,
            )
        )
    else:
        steps.append(Step(_("受理"), petition.accepted_on, due_on=due(Deadline.Stage.ROUTE)))
    steps.append(
        Step(
            _("告知信访人"),
            petition.acknowledged_on,
            str(petition.get_ack_method_display()) if petition.ack_method else "",
            due(Deadline.Stage.ACKNOWLEDGE),
        )
    )
    if petition.accepted_on:
        note = (
            _("办理期限已延长 %(days)d 日") % {"days": petition.extension_days}
            if petition.extension_days
            else ""
        )
        reply = replies.get(Reply.Stage.REPLY)
        steps.append(
            Step(
                _("办理并答复"),
                reply.replied_on if reply else None,
                str(reply.get_outcome_display()) if reply else note,
                due(Deadline.Stage.HANDLE),
            )
        )
    if petition.review_requested_on:
        review = replies.get(Reply.Stage.REVIEW)
        steps.append(
            Step(
                _("复查"),
                review.replied_on if review else None,
                str(review.get_outcome_display()) if review else _("已收到复查请求"),
                due(Deadline.Stage.REVIEW_REPLY),
            )
        )
    if petition.recheck_requested_on:
        recheck = replies.get(Reply.Stage.RECHECK)
        steps.append(
            Step(
                _("复核"),
                recheck.replied_on if recheck else None,
                str(recheck.get_outcome_display()) if recheck else _("已收到复核请求"),
                due(Deadline.Stage.RECHECK_REPLY),
            )
        )
    ratable = petition.status in (S.REPLIED, S.REVIEWING, S.REVIEWED, S.RECHECKING, S.RECHECKED)
    return PublicProgress(
        number=petition.number,
        centre=petition.centre.name,
        received_on=petition.received_on,
        channel=str(petition.get_channel_display()),
        category=str(petition.get_category_display()),
        stage=str(petition.get_status_display()),
        steps=steps,
        can_rate=ratable and not petition.rating,
        rating=str(petition.get_rating_display()) if petition.rating else "",
    )
