"""Test data for petitions: registration input, and petitions registered through the service
(so numbers, codes, limits and the audit trail are as in real use)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bangfu.petitions.models import Petition
from bangfu.petitions.services.registration import (
    PetitionInput,
    RepresentativeInput,
    petition_register,
)

REQUEST = "要求湘电配件厂补发 2025 年 10 月至 12 月拖欠的工资共 9600 元"
FACTS = "本人在湘电配件厂二车间工作,2025 年 10 月起工厂以订单减少为由停发工资,多次讨要无果。"


def petition_input(**overrides: Any) -> PetitionInput:
    """A letter from 王建国 about unpaid wages; override any field."""
    data = PetitionInput(
        channel=Petition.Channel.LETTER,
        category=Petition.Category.WAGES,
        request=REQUEST,
        facts=FACTS,
        reasons="劳动合同约定每月 15 日发放工资。",
        petitioner_name="王建国",
        phone="13807325678",
        address="响水乡长丰社区 3 组 12 号",
        employer="湘电配件厂",
    )
    return replace(data, **overrides)


def visit_input(**overrides: Any) -> PetitionInput:
    return petition_input(channel=Petition.Channel.VISIT, read_back=True, **overrides)


def representatives(n: int) -> list[RepresentativeInput]:
    names = ["王建国", "李春燕", "赵德胜", "刘桂兰", "陈立军", "周海波", "孙振华"]
    return [RepresentativeInput(name=names[i], phone=f"1380732{i:04d}") for i in range(n)]


def register(
    actor: Any, unit: Any, *, received_on: date | None = None, **overrides: Any
) -> Petition:
    return petition_register(
        actor=actor, unit=unit, data=petition_input(received_on=received_on, **overrides)
    )
