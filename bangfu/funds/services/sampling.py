"""After payment: a random sample of the recipients paid from a book, checked by visit or phone
(抽查). The size comes from the confidence level and margin of error in the settings
(`BANGFU_SAMPLE_CONFIDENCE`, `BANGFU_SAMPLE_MARGIN`): Cochran's n₀ = z²·p(1−p)/e² with the
worst case p = 0.5, corrected for the finite population, n = ⌈n₀ / (1 + (n₀ − 1)/N)⌉. The seed
is recorded: the same seed over the same paid payments draws the same sample. A check that
does not match opens an item on the worklist (`funds.due`)."""

from __future__ import annotations

import datetime
import math
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.policy import require_in_scope, require_perm
from bangfu.core.audit import audit_record
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.text import clean_text

from ..audit_actions import FundsAction
from ..models import Book, Payment, Sample, SampleCheck
from ..permissions import FundsPermission

# Two-sided z for the confidence levels offered.
Z = {Decimal("0.90"): 1.6449, Decimal("0.95"): 1.9600, Decimal("0.99"): 2.5758}


def sample_size(population: int, *, confidence: Decimal, margin: Decimal) -> int:
    """How many of `population` to check for `confidence` and ± `margin` (p = 0.5)."""
    if population <= 0:
        return 0
    z = Z.get(Decimal(confidence).quantize(Decimal("0.01")))
    if z is None:
        raise ValidationError(_("置信水平只能是 0.90、0.95 或 0.99。"), field="confidence")
    e = float(margin)
    if not 0 < e < 1:
        raise ValidationError(_("允许误差须大于 0 且小于 1。"), field="margin")
    n0 = z * z * 0.25 / (e * e)
    return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))


def _display(user: Any) -> str:
    return (getattr(user, "display_name", "") or user.get_username()) if user else ""


def _settings() -> tuple[Decimal, Decimal]:
    return Decimal(str(settings.BANGFU_SAMPLE_CONFIDENCE)), Decimal(
        str(settings.BANGFU_SAMPLE_MARGIN)
    )


def unsampled_paid(book: Book) -> Any:
    """The book's paid payments not yet in a sample: the population of the next draw."""
    return (
        Payment.objects.filter(commitment__book=book, status=Payment.Status.PAID)
        .exclude(checks__isnull=False)
        .order_by("pk")
    )


@dataclass(frozen=True)
class DrawPreview:
    """What a draw would take today: shown on the form before confirming."""

    population: int
    size: int
    confidence: Decimal
    margin: Decimal
    last_sample_id: int


def draw_preview(book: Book) -> DrawPreview:
    confidence, margin = _settings()
    population = unsampled_paid(book).count()
    last = Sample.objects.filter(book=book).order_by("-pk").values_list("pk", flat=True).first()
    return DrawPreview(
        population=population,
        size=sample_size(population, confidence=confidence, margin=margin),
        confidence=confidence,
        margin=margin,
        last_sample_id=last or 0,
    )


def sample_draw(
    *,
    actor: Any,
    book: Book,
    drawn_on: datetime.date,
    seed: int | None = None,
    after: int | None = None,
) -> Sample:
    """Draw the sample of the book's paid payments not yet sampled. Refused when there is
    nothing to sample. `after` is the last sample of the book the form showed (0 for none):
    under the book's row lock, a sample drawn since then (a double click, a colleague) refuses
    this draw, so one confirmation draws once."""
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, book.unit)
    confidence, margin = _settings()
    if seed is not None and not 0 <= int(seed) < 2**63:
        raise ValidationError(_("随机种子须为非负整数。"), field="seed")
    seed = secrets.randbits(31) if seed is None else int(seed)
    with transaction.atomic():
        Book.objects.select_for_update().get(pk=book.pk)
        if after is not None:
            latest = (
                Sample.objects.filter(book=book)
                .order_by("-pk")
                .select_related("created_by")
                .first()
            )
            if latest is not None and latest.pk != after:
                raise Conflict(
                    _("%(who)s 已于 %(day)s 抽取样本(%(size)s 笔),本次未重复抽取。")
                    % {
                        "who": _display(latest.created_by),
                        "day": latest.drawn_on.isoformat(),
                        "size": latest.size,
                    }
                )
        paid = list(unsampled_paid(book).values_list("pk", flat=True))
        if not paid:
            raise Conflict(_("该账簿没有尚未抽查的已发放记录。"))
        size = sample_size(len(paid), confidence=confidence, margin=margin)
        chosen = sorted(random.Random(seed).sample(paid, size))
        sample = Sample.objects.create(
            book=book,
            drawn_on=drawn_on,
            seed=seed,
            confidence=confidence,
            margin=margin,
            population=len(paid),
            size=size,
            created_by=actor,
        )
        SampleCheck.objects.bulk_create(SampleCheck(sample=sample, payment_id=pk) for pk in chosen)
        audit_record(
            actor=actor,
            action=FundsAction.SAMPLE_DRAW,
            obj=sample,
            summary=_("从 %(n)s 笔已发放中抽取 %(size)s 笔(置信 %(c)s,误差 %(m)s,种子 %(seed)s)")
            % {"n": len(paid), "size": size, "c": confidence, "m": margin, "seed": seed},
        )
    return sample


def sample_check_record(
    *,
    actor: Any,
    check: SampleCheck,
    method: str,
    checked_on: datetime.date,
    outcome: str,
    notes: str,
) -> SampleCheck:
    """Record one check (once). A mismatch stays on the worklist until handled."""
    require_perm(actor, FundsPermission.PAY)
    require_in_scope(actor, FundsPermission.PAY, check.sample.book.unit)
    errors: dict[str, str] = {}
    if method not in SampleCheck.Method.values:
        errors["method"] = _("请选择核查方式(入户或电话)。")
    if outcome not in SampleCheck.Outcome.values:
        errors["outcome"] = _("请选择核查结果。")
    notes = clean_text(notes or "").strip()
    if not notes:
        errors["notes"] = _("请填写核查情况。")
    if checked_on < check.sample.drawn_on:
        errors["checked_on"] = _("核查日期不能早于抽样日期。")
    if errors:
        raise ValidationError(next(iter(errors.values())), errors=errors)
    with transaction.atomic():
        locked = SampleCheck.objects.select_for_update().get(pk=check.pk)
        if locked.checked_on is not None:
            raise Conflict(_("该笔已于 %(day)s 核查。") % {"day": locked.checked_on.isoformat()})
        locked.method, locked.checked_on, locked.outcome = method, checked_on, outcome
        locked.notes, locked.checked_by = notes, actor
        locked.save(update_fields=["method", "checked_on", "outcome", "notes", "checked_by"])
        audit_record(
            actor=actor,
            action=FundsAction.SAMPLE_CHECK,
            obj=locked,
            summary=_("抽查 %(number)s:%(outcome)s")
            % {"number": locked.payment.number, "outcome": locked.get_outcome_display()},
        )
    return locked


def sample_mismatch_close(*, actor: Any, check: SampleCheck, resolution: str) -> SampleCheck:
    """Close a check that did not match with what was done about it (处理结果): once, by
    finance or a centre's leader. It then leaves the worklist."""
    require_perm(actor, FundsPermission.RESOLVE)
    require_in_scope(actor, FundsPermission.RESOLVE, check.sample.book.unit)
    resolution = clean_text(resolution or "").strip()
    if not resolution:
        raise ValidationError(_("请填写处理结果。"), field="resolution")
    with transaction.atomic():
        locked = SampleCheck.objects.select_for_update().get(pk=check.pk)
        if locked.outcome != SampleCheck.Outcome.MISMATCH:
            raise Conflict(_("只有核查结果为不相符的记录需要处理。"))
        if locked.resolved_at is not None:
            raise Conflict(
                _("该不相符记录已于 %(day)s 处理。")
                % {"day": timezone.localtime(locked.resolved_at).date().isoformat()}
            )
        locked.resolution, locked.resolved_at, locked.resolved_by = (
            resolution,
            timezone.now(),
            actor,
        )
        locked.save(update_fields=["resolution", "resolved_at", "resolved_by"])
        audit_record(
            actor=actor,
            action=FundsAction.SAMPLE_CLOSE,
            obj=locked,
            summary=_("抽查不相符已处理 %(number)s:%(resolution)s")
            % {"number": locked.payment.number, "resolution": resolution[:100]},
        )
    return locked
