"""Demo petitions for 响水乡: letters, calls, visits and an online submission at every stage — one
just registered, one group visit being handled at a station, one breached, one answered and
rated, one repeat, one transferred, one referred to assistance for an archived household, one
in 复核, and one restricted report about a member of staff.

Everything goes through the petitions services (numbers, query codes, limits and the audit trail
are as in real use), with dates relative to today so that the worklist always has something.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bangfu.archives.models import Household
from bangfu.network.models import OrgUnit
from bangfu.petitions.models import Petition, Route
from bangfu.petitions.services import handling as h
from bangfu.petitions.services.registration import (
    PetitionInput,
    RepresentativeInput,
    petition_register,
    petition_submit_online,
)

C = Petition.Category
O = Petition.Outcome  # noqa: E741 - the outcome codes, as in the services' tests


def seed_petitions(*, users: dict[str, Any], log: Callable[[str], None]) -> None:
    """Create the demo petitions once (nothing when any petition exists)."""
    if Petition.objects.exists():
        return
    today = timezone.localdate()

    def ago(days: int) -> Any:
        return today - timedelta(days=days)

    staff, leader, liaison1 = users["staff"], users["leader"], users["liaison1"]
    centre = OrgUnit.objects.get(parent__isnull=True, kind=OrgUnit.Kind.CENTER)
    stations = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.STATION).order_by("sort_order", "pk"))
    s0 = stations[0]

    def letter(**kw: Any) -> PetitionInput:
        base: dict[str, Any] = {
            "channel": Petition.Channel.LETTER,
            "category": C.WAGES,
            "request": "",
            "facts": "",
        }
        base.update(kw)
        return PetitionInput(**base)

    # 1. A letter about unpaid wages, registered three days ago: to be accepted or routed.
    petition_register(
        actor=staff,
        unit=centre,
        data=letter(
            petitioner_name="黄德胜",
            phone="13807331001",
            address="响水乡金桥村 2 组",
            employer="宏达建材公司",
            request="要求宏达建材公司支付 2025 年 11 月、12 月工资 7200 元",
            facts="本人在宏达建材公司任装卸工,公司以资金紧张为由拖欠两个月工资。",
            reasons="已完成工作,公司应按月足额支付工资。",
            received_on=ago(3),
        ),
    )

    # 2. A group visit of twelve with three representatives, handled by 响水社区帮扶站.
    group = petition_register(
        actor=staff,
        unit=centre,
        data=PetitionInput(
            channel=Petition.Channel.VISIT,
            category=C.LABOUR_RELATION,
            petitioner_name="孙卫东",
            phone="13807331002",
            employer="湘电配件厂",
            group_size=12,
            representatives=[
                RepresentativeInput("孙卫东", "13807331002"),
                RepresentativeInput("周海波", "13807331003"),
                RepresentativeInput("李春燕", "13807331004"),
            ],
            request="要求湘电配件厂与二车间 12 名职工签订书面劳动合同",
            facts="二车间职工入职一至三年,工厂一直未签订书面劳动合同。",
            read_back=True,
            acknowledged_on_the_spot=True,
            received_on=ago(20),
        ),
    )
    h.petition_accept(actor=staff, petition=group, handling_unit=s0, accepted_on=ago(18))

    # 3. A call about social insurance, accepted 65 days ago and not answered: breached.
    late = petition_register(
        actor=staff,
        unit=centre,
        data=PetitionInput(
            channel=Petition.Channel.CALL,
            category=C.SOCIAL_INSURANCE,
            petitioner_name="吴静",
            phone="13807331005",
            employer="宏达建材公司",
            request="要求公司补缴 2024 年 4 月以来的养老保险",
            facts="社保查询显示公司自 2024 年 4 月起未为本人缴费。",
            read_back=True,
            received_on=ago(70),
        ),
    )
    h.petition_accept(actor=staff, petition=late, handling_unit=centre, accepted_on=ago(65))
    h.petition_acknowledge(
        actor=staff, petition=late, method=Petition.AckMethod.LETTER, acknowledged_on=ago(64)
    )

    # 4. A letter about a work injury, answered and rated; 5. the same person again, a repeat.
    answered = petition_register(
        actor=staff,
        unit=centre,
        data=letter(
            category=C.WORK_INJURY,
            petitioner_name="赵明",
            phone="13807331006",
            id_number="11010519491231002X",
            request="要求湘电配件厂为本人申报工伤认定",
            facts="2025 年 9 月在车间操作冲床时右手受伤,工厂拒绝申报工伤。",
            received_on=ago(50),
        ),
    )
    h.petition_accept(actor=staff, petition=answered, handling_unit=centre, accepted_on=ago(48))
    h.petition_acknowledge(
        actor=staff, petition=answered, method=Petition.AckMethod.LETTER, acknowledged_on=ago(47)
    )
    h.petition_reply(
        actor=staff,
        petition=answered,
        outcome=O.UPHELD,
        decision="经协调,湘电配件厂已于 2025 年 12 月为赵明提交工伤认定申请。",
        basis="《工伤保险条例》第十七条:用人单位应当自事故伤害发生之日起 30 日内提出工伤认定申请。",
        replied_on=ago(10),
    )
    h.petition_rate(actor=staff, petition=answered, rating=Petition.Rating.SATISFIED)
    petition_register(
        actor=staff,
        unit=centre,
        data=PetitionInput(
            channel=Petition.Channel.CALL,
            category=C.WORK_INJURY,
            petitioner_name="赵明",
            phone="13807331006",
            request="要求湘电配件厂为本人申报工伤认定并支付停工留薪期工资",
            facts="工伤认定已申请,停工期间工厂未发工资。",
            read_back=True,
            received_on=ago(2),
        ),
    )

    # 6. An online submission through the public form.
    petition_submit_online(
        centre=centre,
        data=PetitionInput(
            channel=Petition.Channel.ONLINE,
            category=C.ASSISTANCE,
            petitioner_name="陈秀英",
            phone="13807331007",
            address="响水社区一组",
            request="家中丈夫重病,申请困难职工帮扶",
            facts="丈夫 2025 年确诊尿毒症,每月透析费用 3000 余元,本人月收入 1800 元。",
        ),
    )

    # 7. Transferred to the body that has the power to decide.
    moved = petition_register(
        actor=staff,
        unit=centre,
        data=letter(
            category=C.SOCIAL_INSURANCE,
            petitioner_name="刘红梅",
            phone="13807331008",
            request="要求核实本人退休金计算是否正确",
            facts="2025 年 10 月退休,退休金比同事少 400 元。",
            received_on=ago(30),
        ),
    )
    h.petition_transfer(
        actor=staff,
        petition=moved,
        body="湘潭市雨湖区人力资源和社会保障局",
        reason="退休待遇核定属社会保险经办机构职责",
        decided_on=ago(28),
    )
    h.petition_acknowledge(
        actor=staff, petition=moved, method=Petition.AckMethod.LETTER, acknowledged_on=ago(27)
    )

    # 8. A household of 响水社区 in an archive: registered by its liaison, referred to assistance.
    household = (
        Household.objects.filter(unit=s0, status=Household.Status.ACTIVE).order_by("pk").first()
    )
    if household is not None:
        linked = petition_register(
            actor=liaison1,
            unit=s0,
            data=PetitionInput(
                channel=Petition.Channel.VISIT,
                category=C.ASSISTANCE,
                petitioner_name=household.name,
                phone="13807331009",
                household_id=household.pk,
                request="孩子考上大学,学费有困难,申请助学帮扶",
                facts="家庭为在档困难职工,孩子 2025 年考入湖南科技大学,学费 5800 元。",
                read_back=True,
                acknowledged_on_the_spot=True,
                received_on=ago(6),
            ),
        )
        h.petition_accept(actor=liaison1, petition=linked, handling_unit=s0, accepted_on=ago(5))
        h.petition_refer(
            actor=liaison1,
            petition=linked,
            kind=Route.Kind.ASSISTANCE,
            reason="符合金秋助学条件,转帮扶救助办理",
        )

    # 9. All the way to a 复核 now being answered.
    appeal = petition_register(
        actor=staff,
        unit=centre,
        data=letter(
            category=C.UNION_AFFAIRS,
            petitioner_name="罗志刚",
            phone="13807331010",
            request="要求工会返还 2024 年代扣的会费",
            facts="本人 2024 年已退出工会,企业仍按月代扣会费。",
            received_on=ago(120),
        ),
    )
    h.petition_accept(actor=staff, petition=appeal, handling_unit=centre, accepted_on=ago(118))
    h.petition_acknowledge(
        actor=staff, petition=appeal, method=Petition.AckMethod.LETTER, acknowledged_on=ago(117)
    )
    h.petition_reply(
        actor=staff,
        petition=appeal,
        outcome=O.NOT_UPHELD,
        decision="经核实,退会手续未办结,代扣会费符合规定。",
        basis="《中国工会章程》第四条。",
        replied_on=ago(80),
    )
    h.petition_review_request(
        actor=staff, petition=appeal, reason="本人已提交退会申请", requested_on=ago(70)
    )
    h.petition_review_reply(
        actor=leader,
        petition=appeal,
        outcome=O.PARTLY_UPHELD,
        decision="退会申请提交后代扣的两个月会费予以返还。",
        basis="退会申请书及企业代扣记录。",
        replied_on=ago(50),
    )
    h.petition_recheck_request(
        actor=staff, petition=appeal, reason="要求返还全年会费", requested_on=ago(27)
    )

    # 10. A restricted report about the centre's finance officer: she never sees it.
    petition_register(
        actor=staff,
        unit=centre,
        data=letter(
            nature=Petition.Nature.REPORT,
            anonymous=True,
            category=C.UNION_AFFAIRS,
            subject="帮扶中心财务人员",
            request="检举帮扶资金发放中存在代签冒领",
            facts="2025 年春节慰问金发放名单中有多名职工的签字笔迹相同。",
            concerned_user_ids=[users["finance"].pk],
            received_on=ago(5),
        ),
    )
    log(f"已载入演示信访件 {Petition.objects.count()} 件")
