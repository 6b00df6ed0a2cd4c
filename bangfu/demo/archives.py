"""Demo archives for 响水乡: households across the stations and categories, some in the filing
procedure, one in its public notice, one closed, benefits and monthly incomes.

Everything goes through the archives services (so numbers, ID registration, determinations and
the audit trail are as in real use); only the standards are written directly, before any archive.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bangfu.archives.inputs import HouseholdInput, MemberInput
from bangfu.archives.models import Area, BenefitType, DibaoStandard, Household, MinimumWage
from bangfu.archives.models import choices as c
from bangfu.archives.services import benefits, dynamic, filing, procedure
from bangfu.core.idnumber import check_character
from bangfu.network.models import OrgUnit

AREA_CODE = "430302"
# Real-looking but invented figures for 雨湖区 (市区).
DIBAO_STANDARDS = [(date(2023, 7, 1), "650.00"), (date(2025, 7, 1), "700.00")]
MINIMUM_WAGES = [(date(2022, 4, 1), "1800.00"), (date(2025, 4, 1), "1930.00")]

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_MALE = [
    "建国",
    "志强",
    "国庆",
    "卫东",
    "德胜",
    "立军",
    "海波",
    "振华",
    "明亮",
    "永红",
    "俊杰",
    "文斌",
]
GIVEN_FEMALE = [
    "秀英",
    "桂兰",
    "玉梅",
    "丽华",
    "春燕",
    "晓红",
    "慧敏",
    "美玲",
    "淑珍",
    "翠萍",
    "红霞",
    "雪梅",
]
STREETS = ["响水社区", "长丰社区", "金桥村", "湘电宿舍", "宏达新村"]


def _id_number(rng: random.Random, birth: date, sex: str) -> str:
    seq = rng.randrange(1, 499) * 2 + (1 if sex == "M" else 0)
    first17 = f"{AREA_CODE}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def _bank_card(rng: random.Random) -> str:
    digits = [6, 2, 1, 7, 9, 0] + [rng.randrange(10) for _ in range(12)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d2 = d * 2 if i % 2 == 0 else d
        total += d2 - 9 if d2 > 9 else d2
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _name(rng: random.Random, sex: str) -> str:
    given = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    return rng.choice(SURNAMES) + rng.choice(given)


def ensure_standards() -> Area:
    area, created = Area.objects.get_or_create(
        code=AREA_CODE, defaults={"name": "雨湖区", "kind": c.AreaKind.URBAN}
    )
    if created:
        for day, amount in DIBAO_STANDARDS:
            DibaoStandard.objects.create(
                area=area, amount=Decimal(amount), effective_from=day, document="湘潭市民政局通知"
            )
        for day, amount in MINIMUM_WAGES:
            MinimumWage.objects.create(
                area=area, amount=Decimal(amount), effective_from=day, document="湖南省人民政府通知"
            )
    return area


def _household(
    rng: random.Random,
    *,
    unit: OrgUnit,
    area: Area,
    applied_on: date,
    per_capita_target: Decimal,
    size: int,
    cause: int,
    **extra: Any,
) -> HouseholdInput:
    sex = rng.choice("MF")
    birth = date(rng.randrange(1966, 1990), rng.randrange(1, 13), rng.randrange(1, 28))
    name = _name(rng, sex)
    members: list[MemberInput] = []
    if size >= 2:
        spouse_sex = "F" if sex == "M" else "M"
        spouse_birth = birth + timedelta(days=rng.randrange(-900, 900))
        members.append(
            MemberInput(
                name=_name(rng, spouse_sex),
                relation=c.Relation.SPOUSE,
                id_number=_id_number(rng, spouse_birth, spouse_sex),
                identity=rng.choice([c.MemberIdentity.EMPLOYED, c.MemberIdentity.FARMING]),
                medical_insurance=c.MedicalInsurance.RESIDENT,
                able_to_work=True,
            )
        )
    for i in range(size - 2):
        child_sex = rng.choice("MF")
        child_birth = date(rng.randrange(2006, 2019), rng.randrange(1, 13), rng.randrange(1, 28))
        at_school = child_birth.year <= 2010
        members.append(
            MemberInput(
                name=name[0] + (GIVEN_MALE if child_sex == "M" else GIVEN_FEMALE)[i + 3],
                relation=c.Relation.SON if child_sex == "M" else c.Relation.DAUGHTER,
                id_number=_id_number(rng, child_birth, child_sex),
                identity=c.MemberIdentity.STUDENT,
                medical_insurance=c.MedicalInsurance.RESIDENT,
                able_to_work=False,
                employer_or_school="湘潭大学" if at_school else "响水乡中心小学",
                education=c.Education.BACHELOR if at_school else c.Education.PRIMARY,
                enrolled_year=2024 if at_school else 2023,
                schooling_years=4 if at_school else 6,
            )
        )
    # Yearly wages that put the household's net income per person near the target.
    medical = Decimal(rng.randrange(0, 6)) * Decimal("1000.00")
    wages = (per_capita_target * 12 * size + medical).quantize(Decimal("0.01"))
    mobile = f"138{rng.randrange(10**7, 10**8)}"
    data = HouseholdInput(
        unit=unit,
        area=area,
        applied_on=applied_on,
        name=name,
        id_number=_id_number(rng, birth, sex),
        work_status=rng.choice(
            [
                c.WorkStatus.LAID_OFF,
                c.WorkStatus.EMPLOYED,
                c.WorkStatus.MIGRANT,
                c.WorkStatus.SICK_LEAVE,
            ]
        ),
        housing=rng.choice([c.Housing.OWNED, c.Housing.PUBLIC_RENTAL, c.Housing.PRIVATE_RENTAL]),
        marital_status=c.Marital.MARRIED if size >= 2 else c.Marital.DIVORCED,
        hukou=c.Hukou.URBAN,
        address=f"湘潭市雨湖区响水乡{rng.choice(STREETS)}{rng.randrange(1, 60)}号",
        medical_insurance=c.MedicalInsurance.EMPLOYEE,
        main_cause=cause,
        secondary_causes=[c.HardshipCause.SCHOOLING] if size >= 3 and cause != 9 else [],
        origin=Household.Origin.APPLICATION,
        employer=unit.name.replace("帮扶站", "") if unit.station_type == "enterprise" else "",
        mobile=mobile,
        head_monthly_income=(wages / 12).quantize(Decimal("0.01")),
        wage_income=wages,
        medical_spending=medical,
        single_parent=size >= 2 and rng.random() < 0.1,
        bank_name="中国工商银行",
        bank_branch="湘潭雨湖支行",
        bank_card=_bank_card(rng),
        bank_account_holder=name,
        consent_sensitive_on=applied_on,
        consent_publication_on=applied_on,
        members=members,
    )
    return replace(data, **extra)


def seed_archives(*, users: dict[str, Any], log: Callable[[str], None]) -> None:
    """Create the demo archives once (nothing when any archive exists)."""
    if Household.objects.exists():
        return
    area = ensure_standards()
    rng = random.Random(2012)
    staff, liaison1, liaison2 = users["staff"], users["liaison1"], users["liaison2"]
    stations = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.STATION).order_by("sort_order", "pk"))
    # Targets of net income per person per month against the 700 yuan standard.
    plan = [
        (Decimal("520.00"), 3, c.HardshipCause.LAID_OFF),
        (Decimal("610.00"), 2, c.HardshipCause.SERIOUS_ILLNESS),
        (Decimal("700.00"), 4, c.HardshipCause.SCHOOLING),  # exactly at the standard: 深度困难
        (Decimal("450.00"), 1, c.HardshipCause.NO_WORK_CAPACITY),
        (Decimal("880.00"), 3, c.HardshipCause.ABLE_BUT_UNEMPLOYED),
        (Decimal("1150.00"), 2, c.HardshipCause.SERIOUS_ILLNESS),
        (Decimal("1390.00"), 4, c.HardshipCause.SCHOOLING),
        (Decimal("960.00"), 3, c.HardshipCause.INSUFFICIENT_INSURANCE),
        (Decimal("640.00"), 2, c.HardshipCause.LAID_OFF),
        (Decimal("1250.00"), 3, c.HardshipCause.NO_SOCIAL_INSURANCE),
        (Decimal("580.00"), 4, c.HardshipCause.SERIOUS_ILLNESS),
        (Decimal("1020.00"), 2, c.HardshipCause.OTHER),
        (Decimal("760.00"), 3, c.HardshipCause.LAID_OFF),
        (Decimal("690.00"), 1, c.HardshipCause.NO_WORK_CAPACITY),
        (Decimal("1480.00"), 3, c.HardshipCause.ACCIDENT),  # above 2× but sudden: 意外致困
        (Decimal("1320.00"), 2, c.HardshipCause.ABLE_BUT_UNEMPLOYED),
    ]
    items = []
    today = timezone.localdate()
    for i, (target, size, cause) in enumerate(plan):
        # Filed about a year ago, a fortnight apart: the first yearly reviews fall due now.
        applied_on = today - timedelta(days=368 - 14 * i)
        extra: dict[str, Any] = {}
        if cause == c.HardshipCause.ACCIDENT:
            extra["sudden_hardship"] = True
        items.append(
            _household(
                rng,
                unit=stations[i % len(stations)],
                area=area,
                applied_on=applied_on,
                per_capita_target=target,
                size=size,
                cause=cause,
                **extra,
            )
        )
    active = filing.household_create_many(
        actor=staff, items=items, origin=Household.Origin.APPLICATION
    )

    # 低保 for some of the poorest; the first deep household is left without (应保尽保 list).
    dibao = BenefitType.objects.filter(is_dibao=True).first()
    if dibao is not None:
        for household in active[1:4]:
            benefits.household_benefit_add(
                actor=staff,
                household_id=household.pk,
                benefit_type_id=dibao.pk,
                started_on=household.applied_on + timedelta(days=30),
                note="",
            )

    # Six months above the standard: proposed for 脱困.
    recovering = active[4]
    month = today.replace(day=1)
    for _ in range(6):
        month = (month - timedelta(days=1)).replace(day=1)
    for _ in range(6):
        dynamic.monthly_income_record(
            actor=staff, household=recovering, month=month, amount=Decimal("905.00")
        )
        month = (month + timedelta(days=32)).replace(day=1)

    # One archive closed: the worker is out of hardship (脱困).
    dynamic.household_close(
        actor=staff,
        household=active[-1],
        reason=Household.CloseReason.RECOVERED,
        closed_on=today - timedelta(days=40),
        note="本人重新就业,连续 6 个月家庭月人均收入高于低保标准。",
    )

    # Applications in the procedure: two waiting for their home visit, one in its notice.
    for unit, filer in ((stations[0], liaison1), (stations[1], liaison2)):
        filing.household_create(
            actor=filer,
            data=_household(
                rng,
                unit=unit,
                area=area,
                applied_on=today - timedelta(days=2),
                per_capita_target=Decimal("600.00"),
                size=3,
                cause=c.HardshipCause.SERIOUS_ILLNESS,
            ),
        )
    in_notice = filing.household_create(
        actor=liaison1,
        data=_household(
            rng,
            unit=stations[0],
            area=area,
            applied_on=today - timedelta(days=10),
            per_capita_target=Decimal("540.00"),
            size=2,
            cause=c.HardshipCause.LAID_OFF,
        ),
    )
    procedure.investigation_record(
        actor=staff,
        household=in_notice,
        visited_on=today - timedelta(days=8),
        visitors=["张慧敏", "刘桂兰"],
        findings="家中二人,本人下岗,配偶务农,收入情况属实。",
        recommendation="agree",
    )
    in_notice.refresh_from_db()
    procedure.review_record(
        actor=staff,
        household=in_notice,
        held_on=today - timedelta(days=5),
        participants="响水社区工会小组、居民代表共 9 人",
        votes_for=9,
        votes_against=0,
        passed=True,
        record="经民主评议,一致同意列为困难职工建档对象。",
    )
    in_notice.refresh_from_db()
    procedure.notice_start(actor=staff, household=in_notice)
    log(f"已载入演示档案:{Household.objects.count()} 户")
