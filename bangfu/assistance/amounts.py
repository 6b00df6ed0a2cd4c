"""The suggested amount of an application, from its programme's rule and its facts, with the
working in words (shown on the page and kept with the application)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from bangfu.core.money import format_money

from .models import RuleVersion, SchoolLevel

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Computation:
    suggested: Decimal
    cap: Decimal | None
    working: str


def _yuan(value: Decimal) -> str:
    return _("%(amount)s 元") % {"amount": format_money(value)}


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}%"


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _within_yearly(
    rule: RuleVersion, amount: Decimal, received: Decimal, working: str
) -> Computation:
    """Bound `amount` by the programme's yearly cap less what the household received this year."""
    if rule.yearly_cap is None:
        return Computation(amount, None, working)
    room = max(rule.yearly_cap - received, Decimal("0"))
    if received:
        limit = _("年度上限 %(cap)s 减去本年已获 %(received)s = %(room)s") % {
            "cap": _yuan(rule.yearly_cap),
            "received": _yuan(received),
            "room": _yuan(room),
        }
    else:
        limit = _("年度上限 %(cap)s") % {"cap": _yuan(rule.yearly_cap)}
    if amount > room:
        return Computation(
            room,
            room,
            _("%(w)s,超过%(limit)s,按 %(room)s 计")
            % {"w": working, "limit": limit, "room": _yuan(room)},
        )
    return Computation(amount, room, _("%(w)s,未超过%(limit)s") % {"w": working, "limit": limit})


def living(
    rule: RuleVersion, *, dibao: Decimal, size: int, expenses: Decimal | None, received: Decimal
) -> Computation:
    """Living aid: at most `multiple` × one year of the household's 低保 (standard per person per
    month × 12 × household size); suggested: the expenses (or the standard amount) within it."""
    cap = _round(dibao * 12 * size * rule.living_multiple)
    base = _("低保标准 %(dibao)s/人·月 × 12 个月 × %(size)s 人 × %(multiple)s 倍 = %(cap)s") % {
        "dibao": _yuan(dibao),
        "size": size,
        "multiple": f"{rule.living_multiple.normalize():f}",
        "cap": _yuan(cap),
    }
    wanted = expenses if expenses is not None else rule.standard_amount
    if wanted is None:
        return Computation(cap, cap, _("上限:%(base)s") % {"base": base})
    label = _("支出") if expenses is not None else _("标准金额")
    if wanted > cap:
        return Computation(
            cap,
            cap,
            _("%(label)s %(wanted)s,超过上限(%(base)s),按上限计")
            % {"label": label, "wanted": _yuan(wanted), "base": base},
        )
    return Computation(
        wanted,
        cap,
        _("%(label)s %(wanted)s,未超过上限(%(base)s)")
        % {"label": label, "wanted": _yuan(wanted), "base": base},
    )


def medical(rule: RuleVersion, *, self_paid: Decimal, received: Decimal) -> Computation:
    """Medical aid: the self-paid part × the ratio, within the yearly cap."""
    amount = _round(self_paid * rule.medical_ratio)
    working = _("自付 %(paid)s × %(ratio)s = %(amount)s") % {
        "paid": _yuan(self_paid),
        "ratio": _percent(rule.medical_ratio),
        "amount": _yuan(amount),
    }
    return _within_yearly(rule, amount, received, working)


def education(rule: RuleVersion, *, level: str) -> Computation:
    """Education aid: the amount per student per year of the school level."""
    amount = rule.university_amount if level == SchoolLevel.UNIVERSITY else rule.high_school_amount
    working = _("%(level)s每生每年 %(amount)s") % {
        "level": SchoolLevel(level).label,
        "amount": _yuan(amount),
    }
    return Computation(amount, amount, working)


def flat(rule: RuleVersion, *, received: Decimal) -> Computation:
    """Other kinds: the programme's standard amount, within the yearly cap."""
    amount = rule.standard_amount or Decimal("0.00")
    working = _("项目标准金额 %(amount)s") % {"amount": _yuan(amount)}
    return _within_yearly(rule, amount, received, working)
