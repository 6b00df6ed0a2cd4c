"""Writes of the 金秋助学 campaign's batches: a batch gathers applications of one campaign
programme from one centre's network; it is submitted, reviewed (民主评议) and sent for approval
item by item — one decision per application, each in its own transaction with its own audit
event, each refusable on its own, nothing decided "for the list" — and publicized on one notice
for the whole batch (an objection to one item blocks that item only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts import policy
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, DomainError, ValidationError
from bangfu.core.text import clean_text
from bangfu.kits.workflow import services as kit
from bangfu.network.models import OrgUnit

from . import services
from .audit_actions import AssistanceAction
from .models import Application, CampaignBatch, Programme
from .permissions import AssistancePermission as P
from .procedure import APPLICATION

S = Application.Status
# Applications that may join a batch: not yet decided, not in another batch.
BATCHABLE = (S.DRAFT, S.SUBMITTED, S.VERIFIED, S.REVIEWED, S.RETURNED)


@dataclass
class ItemResult:
    """One application's answer in a batch action: done, or the reason it was refused."""

    application: Application
    error: str = ""

    @property
    def done(self) -> bool:
        return not self.error


@dataclass
class ReviewDecision:
    """The 民主评议 of one application of the batch: passed or not, with its votes."""

    application_id: int
    passed: bool
    votes_for: int
    votes_against: int


@dataclass
class SignOffDecision:
    """One leader's decision on one application of the batch."""

    application_id: int
    outcome: str
    opinion: str = ""


def _check_batch_unit(actor: Any, unit: OrgUnit) -> None:
    if unit.kind != OrgUnit.Kind.CENTER:
        raise ValidationError(_("批次须属于一个帮扶中心。"), field="unit")
    policy.require_unit_choice(
        actor, P.INVESTIGATE, unit, message=_("该帮扶中心不在您的管理范围内。")
    )


def _join(batch: CampaignBatch, application_ids: Iterable[Any]) -> list[Application]:
    """Lock and check the applications joining `batch`; raise ValidationError naming the
    first one that cannot (another programme, outside the centre, in another batch, decided)."""
    ids = sorted({int(i) for i in application_ids})
    if not ids:
        raise ValidationError(_("请至少选择一项申请。"), field="applications")
    found = {
        a.pk: a
        for a in Application.objects.select_for_update(of=("self",))
        .select_related("household", "unit")
        .filter(pk__in=ids, unit__path__startswith=batch.unit.path)
    }
    for pk in ids:
        application = found.get(pk)
        if application is None:
            raise ValidationError(
                _("未找到编号为 %(id)s 的申请,或它不属于%(unit)s。")
                % {"id": pk, "unit": batch.unit.name},
                field="applications",
            )
        name = application.household.name
        if application.programme_id != batch.programme_id:
            raise ValidationError(
                _("%(name)s的申请不属于%(programme)s。")
                % {"name": name, "programme": batch.programme.name},
                field="applications",
            )
        if application.batch_id is not None and application.batch_id != batch.pk:
            raise ValidationError(
                _("%(name)s的申请已在另一批次中。") % {"name": name}, field="applications"
            )
        if application.status not in BATCHABLE:
            raise ValidationError(
                _("%(name)s的申请状态为「%(status)s」,不能列入批次。")
                % {"name": name, "status": application.get_status_display()},
                field="applications",
            )
    return [found[pk] for pk in ids]


@transaction.atomic
def batch_create(
    *,
    actor: Any,
    programme: Programme,
    unit: OrgUnit,
    name: str,
    application_ids: Iterable[Any] = (),
) -> CampaignBatch:
    """Open a batch of the campaign `programme` for the centre `unit`, with the applications
    given (applications of the programme from the centre's stations, not in another batch)."""
    policy.require_perm(actor, P.INVESTIGATE)
    if not programme.campaign:
        raise ValidationError(_("只有金秋助学项目可以分批办理。"), field="programme")
    _check_batch_unit(actor, unit)
    name = clean_text(name or "").strip()
    if not name:
        raise ValidationError(_("请填写批次名称。"), field="name")
    if len(name) > 100:
        raise ValidationError(_("批次名称不能超过 100 个字。"), field="name")
    if CampaignBatch.objects.filter(programme=programme, unit=unit, name=name).exists():
        raise ValidationError(
            _("%(programme)s已有名为「%(name)s」的批次。")
            % {"programme": programme.name, "name": name},
            field="name",
        )
    batch = CampaignBatch.objects.create(
        programme=programme, unit=unit, name=name, created_by=actor
    )
    ids = list(application_ids)
    joined = _join(batch, ids) if ids else []
    Application.objects.filter(pk__in=[a.pk for a in joined]).update(batch=batch)
    audit_record(
        actor=actor,
        action=AssistanceAction.BATCH_CREATE,
        obj=batch,
        summary=_("新建金秋助学批次 %(batch)s(%(n)d 项申请)") % {"batch": batch, "n": len(joined)},
        changes={"applications": [None, [a.pk for a in joined]]},
    )
    return batch


@transaction.atomic
def batch_add(*, actor: Any, batch: CampaignBatch, application_ids: Iterable[Any]) -> int:
    """Add applications to the batch; return how many joined."""
    batch = (
        CampaignBatch.objects.select_for_update()
        .select_related("unit", "programme")
        .get(pk=batch.pk)
    )
    policy.require_in_scope(actor, P.INVESTIGATE, batch.unit)
    joined = [a for a in _join(batch, application_ids) if a.batch_id is None]
    Application.objects.filter(pk__in=[a.pk for a in joined]).update(batch=batch)
    audit_record(
        actor=actor,
        action=AssistanceAction.BATCH_ADD,
        obj=batch,
        summary=_("金秋助学批次 %(batch)s 加入 %(n)d 项申请") % {"batch": batch, "n": len(joined)},
        changes={"applications": [None, [a.pk for a in joined]]},
    )
    return len(joined)


def _items(batch: CampaignBatch, *statuses: str) -> list[Application]:
    qs = batch.applications.select_related("household", "unit", "programme", "rule")
    if statuses:
        qs = qs.filter(status__in=statuses)
    return list(qs.order_by("id"))


def _each(
    applications: Iterable[Application], run: Callable[[Application], Any]
) -> list[ItemResult]:
    """Run `run` on each application on its own: a refusal is that item's answer and changes
    nothing (each service is its own transaction); the others go ahead."""
    results = []
    for application in applications:
        try:
            run(application)
        except DomainError as error:
            results.append(ItemResult(application, error=str(error.message)))
        else:
            results.append(ItemResult(application))
    return results


def _nothing(message: str, results: list[ItemResult]) -> list[ItemResult]:
    if not results:
        raise Conflict(message)
    return results


def batch_submit(
    *, actor: Any, batch: CampaignBatch, received_on: date | None = None
) -> list[ItemResult]:
    """Submit every draft of the batch, each on its own."""
    return _nothing(
        _("本批次没有待提交的草稿。"),
        _each(
            _items(batch, S.DRAFT),
            lambda a: services.application_submit(
                actor=actor, application=a, received_on=received_on
            ),
        ),
    )


def batch_review(
    *,
    actor: Any,
    batch: CampaignBatch,
    held_on: date,
    participants: str,
    record: str,
    decisions: list[ReviewDecision],
) -> list[ItemResult]:
    """Record one 民主评议 meeting's decision on each application given (the meeting's date,
    participants and record are shared; the votes and the result are each item's own)."""
    if not decisions:
        raise ValidationError(_("请至少对一项申请作出评议结论。"), field="decisions")
    items = {a.pk: a for a in _items(batch)}
    unknown = [d.application_id for d in decisions if d.application_id not in items]
    if unknown:
        raise ValidationError(
            _("编号为 %(id)s 的申请不在本批次中。") % {"id": unknown[0]}, field="decisions"
        )
    by_id = {d.application_id: d for d in decisions}

    def review(application: Application) -> Any:
        d = by_id[application.pk]
        return services.application_review(
            actor=actor,
            application=application,
            held_on=held_on,
            participants=participants,
            votes_for=d.votes_for,
            votes_against=d.votes_against,
            passed=d.passed,
            record=record,
        )

    return _each([items[d.application_id] for d in decisions], review)


def batch_notice(
    *, actor: Any, batch: CampaignBatch, starts_on: date | None = None
) -> tuple[Any, list[ItemResult]]:
    """Publish one notice for every application of the batch waiting for its notice (each item
    shows the name — masked per the programme rule —, the station, the kind and the amount)."""
    items = _items(batch, S.REVIEWED)
    if not items:
        raise Conflict(_("本批次没有待公示的申请(须先通过民主评议)。"))
    notice, outcome = kit.notice_start_many(
        actor=actor,
        procedure=APPLICATION,
        subjects=items,
        title=_("金秋助学公示:%(programme)s %(batch)s")
        % {"programme": batch.programme.name, "batch": batch.name},
        starts_on=starts_on,
    )
    errors = {r.subject.pk: r.error for r in outcome}
    return notice, [ItemResult(a, error=errors.get(a.pk, "")) for a in items]


def batch_send(*, actor: Any, batch: CampaignBatch, note: str = "") -> list[ItemResult]:
    """Send each publicized application of the batch for approval, each on its own: one with
    an open objection or whose notice has not ended stays where it is, with the reason."""
    return _nothing(
        _("本批次没有公示中的申请。"),
        _each(
            _items(batch, S.PUBLICIZING),
            lambda a: services.application_send(actor=actor, application=a, note=note),
        ),
    )


def batch_signoff(
    *, actor: Any, batch: CampaignBatch, decisions: list[SignOffDecision]
) -> list[ItemResult]:
    """Record the actor's sign-off on each application given: one decision per item (approve,
    return or refuse, a reason required for the last two), each audited, each refusable."""
    if not decisions:
        raise ValidationError(_("请至少对一项申请作出审批决定。"), field="decisions")
    items = {a.pk: a for a in _items(batch)}
    unknown = [d.application_id for d in decisions if d.application_id not in items]
    if unknown:
        raise ValidationError(
            _("编号为 %(id)s 的申请不在本批次中。") % {"id": unknown[0]}, field="decisions"
        )
    by_id = {d.application_id: d for d in decisions}
    return _each(
        [items[d.application_id] for d in decisions],
        lambda a: services.application_signoff(
            actor=actor,
            application=a,
            outcome=by_id[a.pk].outcome,
            opinion=by_id[a.pk].opinion,
        ),
    )
