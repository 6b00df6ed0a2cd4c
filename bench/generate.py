"""Generate a province-sized archives database for the benchmarks (PostgreSQL only).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bangfu_bench \\
        .venv/bin/python bench/generate.py --households 1000000 --recreate

writes, into a database whose name contains "bench" (never a test or real database):

* a network of 1,111 units: a city centre → 10 county centres → 100 township centres →
  1,000 stations, with ten 低保 areas (three urban districts, seven counties), their 低保
  standards (an older and a current one) and minimum wages;
* users for each level (`city_leader`, `city_staff`, `county_staff`, `town_staff`,
  `liaison`; password BENCH_PASSWORD) with their roles;
* `--households` archives (about 3 people each) at every status, spread over the stations,
  each with its members, ID registrations (open archives), category determinations made by
  the app's own rules (`archives.rules.evaluate`, one or two per archive, the latest kept on
  the archive as the services keep it), the 低保 and other benefits some receive, monthly
  incomes of those under watch, and home visits.

The columns are the models' own (`_meta.concrete_fields`, defaults from the fields), personal
data is encrypted with `core.crypto.encrypt`, blind indexes come from `archives.identity`, pinyin
initials from `core.text.name_initials` — what the app stores, not an imitation. Rows are
written with COPY by `--workers` processes (one township of 10,000 archives per task), with the
tables' secondary indexes dropped during the load and rebuilt afterwards from their own
definitions; foreign keys are not checked during the load (`session_replication_role`), so the
run ends by checking them with one anti-join per key. No audit events are written: the data did
not come through the services' writes (a real import would write one per archive).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, models  # noqa: E402

from bangfu.accounts.models import User  # noqa: E402
from bangfu.accounts.roles import Role  # noqa: E402
from bangfu.accounts.tests.factories import make_user  # noqa: E402
from bangfu.archives import rules  # noqa: E402
from bangfu.archives.identity import digits_tail, id_index, mobile_index  # noqa: E402
from bangfu.archives.models import (  # noqa: E402
    Area,
    BenefitType,
    Determination,
    DibaoStandard,
    Household,
    HouseholdBenefit,
    HouseholdMember,
    IdRegistration,
    MinimumWage,
    MonthlyIncome,
)
from bangfu.archives.models import choices as c  # noqa: E402
from bangfu.core.crypto import EncryptedTextField, encrypt  # noqa: E402
from bangfu.core.idnumber import check_character  # noqa: E402
from bangfu.core.masking import mask_bank_card, mask_id_number, mask_phone  # noqa: E402
from bangfu.core.text import name_initials  # noqa: E402
from bangfu.network.models import OrgUnit  # noqa: E402
from bangfu.network.tests.factories import make_unit  # noqa: E402

try:  # the filing procedure's home visits (their model may move to the workflow kit)
    from bangfu.archives.models import Investigation
except ImportError:  # pragma: no cover
    Investigation = None  # type: ignore[assignment,misc]

BENCH_PASSWORD = "Bench@2026-password"
TOWNSHIP_HOUSEHOLDS = 10_000  # one task: a township of 10 stations
COUNTIES, TOWNSHIPS_PER_COUNTY, STATIONS_PER_TOWNSHIP = 10, 10, 10
TODAY = date(2026, 11, 20)
YEARS = (2015, 2026)
MEMBER_SLOTS = 6  # ids per household: members, registrations (deterministic, no round trip)
CHECK_FKS = True

# Urban districts and counties of a city (names of the bench, codes in Hunan's 4303xx range).
COUNTY_NAMES = [
    ("430302", "雨湖区", c.AreaKind.URBAN),
    ("430304", "岳塘区", c.AreaKind.URBAN),
    ("430305", "高新区", c.AreaKind.URBAN),
    ("430321", "湘潭县", c.AreaKind.COUNTY),
    ("430381", "湘乡市", c.AreaKind.COUNTY),
    ("430382", "韶山市", c.AreaKind.COUNTY),
    ("430323", "茶陵县", c.AreaKind.COUNTY),
    ("430324", "攸县", c.AreaKind.COUNTY),
    ("430325", "醴陵县", c.AreaKind.COUNTY),
    ("430326", "炎陵县", c.AreaKind.COUNTY),
]
TOWN_WORDS = "响水长丰白石姜畲楠竹鹤岭易俗河云湖花石射埠杨嘉桥中路铺谭家山茶恩"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤单解仇朴"
)
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方"]
GIVEN_ONE = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华红玉梅春海林波辉鹏飞宇斌琳"
_GIVEN_TWO = (
    "秀英秀兰桂英建国志强浩然子涵欣怡梓轩雨萱佳琪思远晨阳婷婷文博嘉欣俊杰昊天晓东立新"
    "德胜淑珍凤兰金凤卫东建华秀珍国强海燕丽娟春梅志刚红梅玉兰永红建军小红桂兰宏伟"
    "国庆建平利民少华爱华淑英玉珍红霞秀云长青伟东晓明志华丽华海涛春华明亮文华新民"
    "美玲雪梅金花德华光明胜利振华卫国向阳爱国桂芳玉梅国华秀华建新永强海波云飞"
)
GIVEN_TWO = [_GIVEN_TWO[i : i + 2] for i in range(0, len(_GIVEN_TWO), 2)]

STATUS_SHARES = [  # of all archives; every status present
    (Household.Status.ACTIVE, 0.70),
    (Household.Status.CLOSED, 0.14),
    (Household.Status.APPLIED, 0.03),
    (Household.Status.INVESTIGATED, 0.015),
    (Household.Status.REVIEWED, 0.01),
    (Household.Status.PUBLICIZING, 0.01),
    (Household.Status.PENDING_APPROVAL, 0.02),
    (Household.Status.RETURNED, 0.01),
    (Household.Status.REFUSED, 0.03),
    (Household.Status.DRAFT, 0.015),
]
SIZES = [(1, 0.10), (2, 0.20), (3, 0.35), (4, 0.25), (5, 0.10)]


# --- the copy writer: a model's own columns and defaults ---------------------------------------


class Table:
    """COPY rows of a model given as {attname: value}; missing values take the field default,
    encrypted fields are encrypted, JSON fields dumped, the rest adapted by psycopg."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.plan: list[tuple[str, Any, Any]] = []
        for f in self.fields:
            convert: Any = None
            if isinstance(f, EncryptedTextField):
                convert = encrypt
            elif isinstance(f, models.JSONField):
                convert = _dump_json
            default = f.get_default() if f.has_default() or f.null or f.blank else _REQUIRED
            if f.has_default() and callable(f.default):
                default = _Call(f.default)
            self.plan.append((f.attname, default, convert))
        self.rows: list[tuple[Any, ...]] = []

    def add(self, values: dict[str, Any]) -> None:
        row = []
        append = row.append
        get = values.get
        for attname, default, convert in self.plan:
            value = get(attname, default)
            if value is _REQUIRED:
                raise KeyError(f"{self.model.__name__}.{attname} needs a value")
            if value.__class__ is _Call:
                value = value()
            if convert is not None and value is not None:
                value = convert(value)
            append(value)
        self.rows.append(tuple(row))

    def copy(self, cursor: Any) -> int:
        table = self.model._meta.db_table
        cols = ", ".join(f'"{col}"' for col in self.columns)
        with cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
            for row in self.rows:
                copy.write_row(row)
        written = len(self.rows)
        self.rows = []
        return written


class _Call:
    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __call__(self) -> Any:
        return self.fn()


_REQUIRED = object()


def _dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# --- the plan: who and where -------------------------------------------------------------------


@dataclass(frozen=True)
class Township:
    index: int  # 0..99, also the task number
    centre_id: int
    county_slot: int  # 0..9 within its county: a block of ID sequence numbers
    area_code: str
    area_id: int
    station_ids: tuple[int, ...]
    standard_ids: tuple[int, int]  # older, current
    standard_amounts: tuple[Decimal, Decimal]
    wage_id: int
    wage_amount: Decimal
    filer_id: int
    approver_id: int


def build_network() -> tuple[list[Township], dict[str, User]]:
    """Create the units, areas, standards and users (through the ORM, a few thousand rows)."""
    city = make_unit("江城市总工会职工服务(帮扶)中心", level=OrgUnit.Level.CITY)
    users = {
        "city_leader": make_user(
            (Role.LEADER, city), username="city_leader", full_name="市中心领导", password=None
        ),
        "city_staff": make_user(
            (Role.STAFF, city), username="city_staff", full_name="市中心工作人员", password=None
        ),
    }
    for user in users.values():
        user.is_staff = user.is_superuser = True  # for the admin change list beside the list
        user.save(update_fields=["is_staff", "is_superuser"])
    dibao_type = BenefitType.objects.filter(is_dibao=True).order_by("pk").first()
    assert dibao_type is not None, "the 低保 benefit type comes with the migrations"
    townships: list[Township] = []
    for county_no, (code, county_name, kind) in enumerate(COUNTY_NAMES):
        county = make_unit(
            f"{county_name}总工会职工服务(帮扶)中心", parent=city, level=OrgUnit.Level.COUNTY
        )
        area = Area.objects.create(code=code, name=county_name, kind=kind)
        base = Decimal("700.00") if kind == c.AreaKind.URBAN else Decimal("620.00")
        older = DibaoStandard.objects.create(
            area=area, amount=base - 50, effective_from=date(2024, 1, 1)
        )
        current = DibaoStandard.objects.create(
            area=area, amount=base, effective_from=date(2025, 7, 1)
        )
        wage = MinimumWage.objects.create(
            area=area, amount=base * 2 + 500, effective_from=date(2024, 1, 1)
        )
        if county_no == 0:
            users["county_staff"] = make_user(
                (Role.STAFF, county),
                username="county_staff",
                full_name="县中心工作人员",
                password=None,
            )
        for town_no in range(TOWNSHIPS_PER_COUNTY):
            word = TOWN_WORDS[(county_no * 7 + town_no * 3) % len(TOWN_WORDS)]
            town = make_unit(
                f"{county_name}{word}{town_no + 1}乡职工服务(帮扶)中心",
                parent=county,
                level=OrgUnit.Level.TOWNSHIP,
            )
            stations = [
                make_unit(
                    f"{county_name}{word}{town_no + 1}乡第{s + 1}社区帮扶站",
                    parent=town,
                    kind=OrgUnit.Kind.STATION,
                )
                for s in range(STATIONS_PER_TOWNSHIP)
            ]
            filer = make_user(
                (Role.STAFF, town),
                username=f"town_staff_{county_no}_{town_no}",
                full_name="乡镇工作人员",
                password=None,
            )
            approver = make_user(
                (Role.LEADER, town),
                username=f"town_leader_{county_no}_{town_no}",
                full_name="乡镇中心领导",
                password=None,
            )
            if county_no == 0 and town_no == 0:
                users["town_staff"] = filer
                users["liaison"] = make_user(
                    (Role.LIAISON, stations[0]),
                    username="liaison",
                    full_name="站联络员",
                    password=None,
                )
            townships.append(
                Township(
                    index=len(townships),
                    centre_id=town.pk,
                    county_slot=town_no,
                    area_code=code,
                    area_id=area.pk,
                    station_ids=tuple(s.pk for s in stations),
                    standard_ids=(older.pk, current.pk),
                    standard_amounts=(older.amount, current.amount),
                    wage_id=wage.pk,
                    wage_amount=wage.amount,
                    filer_id=filer.pk,
                    approver_id=approver.pk,
                )
            )
    # One hash for every bench user (the hasher takes half a second per password).
    User.objects.update(password=make_password(BENCH_PASSWORD))
    return townships, users


# --- one township's archives -------------------------------------------------------------------


def _pick(rng: random.Random, shares: list[tuple[Any, float]]) -> Any:
    x = rng.random()
    for value, share in shares:
        x -= share
        if x < 0:
            return value
    return shares[-1][0]


@lru_cache(maxsize=200_000)
def _initials(name: str) -> str:
    return name_initials(name)


def _name(rng: random.Random) -> str:
    surname = (
        rng.choice(COMPOUND_SURNAMES)
        if rng.random() < 0.01
        else SURNAMES[min(int(rng.expovariate(1 / 18)), len(SURNAMES) - 1)]
    )
    return surname + (rng.choice(GIVEN_TWO) if rng.random() < 0.7 else rng.choice(GIVEN_ONE))


def _luhn(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


class People:
    """Valid ID numbers, unique across the whole run: a township owns a block of the sequence
    numbers of its county's area code (odd for men, even for women) on every birth date."""

    def __init__(self, township: Township, slots: int) -> None:
        self.code = township.area_code
        block = 1000 // slots
        self.first = township.county_slot * block
        self.per_sex = block // 2
        self.used: Counter[tuple[date, str]] = Counter()
        self.rng = random.Random(f"{township.area_code}-{township.county_slot}")
        self.start: dict[tuple[date, str], int] = {}

    def id_number(self, born: date, sex: str) -> str:
        for shift in range(0, 400):
            day = born + timedelta(days=shift)
            n = self.used[(day, sex)]
            if n < self.per_sex:
                self.used[(day, sex)] += 1
                # Spread over the block, as real sequence numbers are (the last four digits of
                # an ID are then as selective as in life: about 11,000 values).
                start = self.start.setdefault((day, sex), self.rng.randrange(self.per_sex))
                seq = self.first + 2 * ((start + n) % self.per_sex) + (1 if sex == "M" else 0)
                first17 = f"{self.code}{day:%Y%m%d}{seq:03d}"
                return first17 + check_character(first17)
        raise RuntimeError("out of ID sequence numbers")


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _at(day: date, rng: random.Random) -> datetime:
    # Office hours in Asia/Shanghai (UTC+8): 08:00–17:00 is 00:00–09:00 UTC.
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(1, 9 * 3600)
    )


@lru_cache(maxsize=64)
def _values(choices: type[models.Choices]) -> list[Any]:
    return list(choices.values)


def generate_township(args: tuple[Township, int, int, int, int]) -> dict[str, int]:
    """Write `count` archives of one township, ids from `first` (a task of the pool); `round`
    numbers the tasks of the same township (archive numbers and ID sequences apart)."""
    township, first, count, slots, round_no = args
    connections.close_all()
    rng = random.Random(first)
    people = People(township, slots)
    tables = {
        m: Table(m)
        for m in (
            Household,
            HouseholdMember,
            IdRegistration,
            Determination,
            HouseholdBenefit,
            MonthlyIncome,
        )
    }
    if Investigation is not None:
        tables[Investigation] = Table(Investigation)
    dibao_type_id, other_benefit_ids = _benefit_types()
    relations = _values(c.Relation)
    identities = _values(c.MemberIdentity)
    archive_numbers: Counter[int] = Counter()
    statuses: Counter[str] = Counter()
    today = TODAY
    visit_rule = "入户调查:申请后 5 个工作日"

    for n in range(count):
        pk = first + n
        status = _pick(rng, STATUS_SHARES)
        statuses[status.value] += 1
        size = _pick(rng, SIZES)
        unit_id = township.station_ids[n % len(township.station_ids)]
        applied_on = _day(rng, date(YEARS[0], 1, 1), today - timedelta(days=3))
        if status in (Household.Status.APPLIED, Household.Status.DRAFT):
            applied_on = _day(rng, today - timedelta(days=20), today)
        created_at = _at(applied_on, rng)
        year = applied_on.year
        archive_numbers[year] += 1
        sex = rng.choice(["M", "F"])
        born = _day(rng, date(1962, 1, 1), date(1998, 12, 31))
        head_id = people.id_number(born, sex)
        name = _name(rng)
        mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if rng.random() < 0.9 else ""
        card = _luhn(f"62{rng.randrange(10**15):015d}") if rng.random() < 0.7 else ""
        rule_version = rules.RULE_2012 if rng.random() < 0.05 else rules.RULE_2021
        # Older files (2012 rule) say on the file whether the household receives 低保.
        receives_before = rule_version == rules.RULE_2012 and rng.random() < 0.3
        # Income and spending over a year, scaled so that the categories spread as in a city.
        per_head = Decimal(rng.choice([300, 450, 550, 620, 680, 750, 900, 1100, 1300, 1600, 2200]))
        per_head += Decimal(rng.randrange(0, 100))
        wage = per_head * 12 * size
        medical = Decimal(rng.choice([0, 0, 0, 1200, 3600, 9000]))
        sudden = rng.random() < 0.04
        excluded = rng.random() < 0.02
        members: list[dict[str, Any]] = []
        for m in range(size - 1):
            if m == 0 and size >= 2:
                relation = "spouse" if "spouse" in relations else relations[0]
                m_sex = "F" if sex == "M" else "M"
                m_born = born + timedelta(days=rng.randrange(-1500, 1500))
                identity = rng.choice(["employed", "unemployed", "laid_off", "farming"])
            else:
                children = [r for r in ("son", "daughter") if r in relations] or relations
                relation = rng.choice(children)
                m_sex = "M" if relation == "son" else "F"
                m_born = _day(rng, date(max(born.year + 20, 1985), 1, 1), date(2022, 12, 31))
                identity = "student" if today.year - m_born.year < 22 else "employed"
            if identity not in identities:
                identity = identities[0]
            has_id = rng.random() < 0.85 or today.year - m_born.year >= 16
            members.append(
                {
                    "id": pk * MEMBER_SLOTS + m,
                    "household_id": pk,
                    "created_at": created_at,
                    "updated_at": created_at,
                    "name": name[0] + _name(rng)[1:] if relation != "spouse" else _name(rng),
                    "relation": relation,
                    "sex": m_sex,
                    "id_number": people.id_number(m_born, m_sex) if has_id else "",
                    "birth_date": m_born,
                    "identity": identity,
                    "able_to_work": identity != "student",
                    "monthly_income": Decimal(rng.choice([0, 0, 800, 1500])),
                    "sort_order": m,
                }
            )
        for member in members:
            member["id_index"] = id_index(member["id_number"]) if member["id_number"] else ""
            member["id_last4"] = member["id_number"][-4:]
            member["id_masked"] = mask_id_number(member["id_number"])

        facts = rules.HouseholdFacts(
            wage_income=wage,
            medical_spending=medical,
            head_monthly_income=(wage / 12 / size).quantize(Decimal("0.01")),
            sudden_hardship=sudden,
            owns_vehicle=excluded,
            receives_dibao=receives_before,
            members=tuple(
                rules.MemberFacts(
                    sex=m["sex"],
                    birth_date=m["birth_date"],
                    identity=m["identity"],
                    able_to_work=m["able_to_work"],
                    monthly_income=m["monthly_income"],
                )
                for m in members
            ),
        )
        determinations: list[dict[str, Any]] = []
        category = ""
        latest_det = None
        under_line = None
        receives = receives_before
        if status != Household.Status.DRAFT:
            # An older determination under the older standard for about one archive in five.
            older = rng.random() < 0.2 and applied_on < date(2025, 7, 1)
            rounds = [(0, applied_on)] if older else []
            rounds.append((1, min(max(applied_on, date(2025, 7, 1)), today)))
            for k, (which, on) in enumerate(rounds):
                result = rules.evaluate(
                    rule_version,
                    facts,
                    standard=township.standard_amounts[which],
                    minimum_wage=township.wage_amount,
                    on=on,
                )
                det = {
                    "id": pk * 2 + k,
                    "household_id": pk,
                    "rule_version": rule_version,
                    "dibao_standard_id": township.standard_ids[which],
                    "minimum_wage_id": township.wage_id,
                    "inputs": result.inputs,
                    "net_income_per_capita": result.net_income_per_capita,
                    "category": result.category,
                    "reason": result.reason,
                    "determined_on": on,
                    "determined_by_id": township.filer_id,
                    "created_at": _at(on, rng) + timedelta(seconds=k),
                }
                determinations.append(det)
            latest = determinations[-1]
            category = latest["category"]
            latest_det = latest["id"]
            if rule_version == rules.RULE_2021:
                receives = category == c.Category.DEEP.value and rng.random() < 0.8
            line = township.standard_amounts[1]
            under_line = (
                latest["net_income_per_capita"]
                if category != c.Category.NOT_ELIGIBLE.value
                and latest["net_income_per_capita"] <= line
                else None
            )
        filed_on = None
        last_reviewed_on = review_due_on = closed_on = retention = None
        close_reason = ""
        opinions: list[dict[str, Any]] = []
        if status in (Household.Status.ACTIVE, Household.Status.CLOSED):
            filed_on = min(applied_on + timedelta(days=rng.randrange(20, 45)), today)
            last_reviewed_on = _day(rng, max(filed_on, today - timedelta(days=365)), today)
            if rng.random() < 0.08:  # overdue: last reviewed more than a year ago
                last_reviewed_on = today - timedelta(days=rng.randrange(366, 500))
            review_due_on = last_reviewed_on + timedelta(days=365)
        if status == Household.Status.CLOSED:
            closed_on = _day(rng, filed_on or applied_on, today)
            close_reason = rng.choice(_values(Household.CloseReason))
            retention = date(closed_on.year + 10, closed_on.month, min(closed_on.day, 28))
            review_due_on = None
        if status == Household.Status.PENDING_APPROVAL:
            submitted = today - timedelta(days=rng.randrange(0, 9))
            opinions = [{"step": "submit", "date": submitted.isoformat()}]
        household = {
            "id": pk,
            "created_at": created_at,
            "updated_at": created_at,
            "unit_id": unit_id,
            "centre_id": township.centre_id,
            "archive_no": f"{year}-{archive_numbers[year] + round_no * 2000:05d}",
            "status": status.value,
            "origin": rng.choice(_values(Household.Origin)),
            "applied_on": applied_on,
            "area_id": township.area_id,
            "rule_version": rule_version,
            "category": category,
            "name": name,
            "name_initials": _initials(name),
            "sex": sex,
            "id_number": head_id,
            "id_index": id_index(head_id),
            "id_last4": head_id[-4:],
            "id_masked": mask_id_number(head_id),
            "birth_date": born,
            "health": rng.choice(_values(c.Health)) if rng.random() < 0.3 else c.Health.HEALTHY,
            "work_status": rng.choice(_values(c.WorkStatus)),
            "industry": rng.choice(_values(c.Industry)),
            "employer": f"{township.area_code}号企业{rng.randrange(500)}",
            "employer_nature": rng.choice(_values(c.EmployerNature)),
            "housing": rng.choice(_values(c.Housing)),
            "mobile": mobile,
            "mobile_index": mobile_index(mobile),
            "mobile_last4": digits_tail(mobile),
            "mobile_masked": mask_phone(mobile),
            "marital_status": rng.choice(_values(c.Marital)),
            "hukou": rng.choice(_values(c.Hukou)),
            "address": f"第{rng.randrange(1, 300)}栋{rng.randrange(1, 30)}号",
            "medical_insurance": rng.choice(_values(c.MedicalInsurance)),
            "head_monthly_income": facts.head_monthly_income,
            "wage_income": wage,
            "medical_spending": medical,
            "sudden_hardship": sudden,
            "owns_vehicle": excluded,
            "receives_dibao": receives,
            "main_cause": rng.choice(_values(c.HardshipCause)),
            "secondary_causes": rng.sample(_values(c.HardshipCause), rng.randrange(0, 3)),
            "bank_name": "中国工商银行" if card else "",
            "bank_card": card,
            "bank_card_last4": digits_tail(card),
            "bank_card_masked": mask_bank_card(card),
            "opinions": opinions,
            "consent_sensitive_on": applied_on,
            "consent_publication_on": applied_on,
            "filed_by_id": township.filer_id,
            "entered_by_id": township.filer_id,
            "checked_by_id": township.approver_id if filed_on else None,
            "filed_on": filed_on,
            "last_reviewed_on": last_reviewed_on,
            "review_due_on": review_due_on,
            "closed_on": closed_on,
            "close_reason": close_reason,
            "retention_review_on": retention,
            "latest_determination_id": latest_det,
            "net_income_under_line": under_line,
        }
        tables[Household].add(household)
        for member in members:
            tables[HouseholdMember].add(member)
        for det in determinations:
            tables[Determination].add(det)
        if status in Household.OPEN_STATUSES:
            tables[IdRegistration].add(
                {
                    "id": pk * MEMBER_SLOTS,
                    "id_index": household["id_index"],
                    "household_id": pk,
                    "member_id": None,
                }
            )
            for member in members:
                if member["id_index"]:
                    tables[IdRegistration].add(
                        {
                            "id": member["id"] + 1,
                            "household_id": pk,
                            "id_index": member["id_index"],
                            "member_id": member["id"],
                        }
                    )
        # Benefits: most 低保 households hold a 低保 benefit row; some others a utility discount.
        if category and (receives or (under_line is not None and rng.random() < 0.5)):
            started = _day(rng, applied_on, today)
            tables[HouseholdBenefit].add(
                {
                    "id": pk * 2,
                    "household_id": pk,
                    "benefit_id": dibao_type_id,
                    "started_on": started,
                    "created_at": created_at,
                    "updated_at": created_at,
                }
            )
        if other_benefit_ids and rng.random() < 0.2:
            tables[HouseholdBenefit].add(
                {
                    "id": pk * 2 + 1,
                    "household_id": pk,
                    "benefit_id": rng.choice(other_benefit_ids),
                    "started_on": applied_on,
                    "created_at": created_at,
                    "updated_at": created_at,
                }
            )
        # Monthly incomes of the archives under watch for 脱困 (about one in twenty).
        if status == Household.Status.ACTIVE and rng.random() < 0.05:
            above = rng.random() < 0.3
            start = date(today.year, today.month, 1)
            for k in range(rng.randrange(3, 9)):
                month = _add_months(start, -(k + 1))
                amount = township.standard_amounts[1] + Decimal(100 if above else -50)
                tables[MonthlyIncome].add(
                    {
                        "id": pk * 10 + k,
                        "household_id": pk,
                        "month": month,
                        "net_income_per_capita": amount,
                        "recorded_by_id": township.filer_id,
                        "created_at": created_at,
                    }
                )
        if Investigation is not None and status != Household.Status.DRAFT:
            visited = None if status == Household.Status.APPLIED else applied_on + timedelta(days=3)
            tables[Investigation].add(
                {
                    "id": pk,
                    "household_id": pk,
                    "created_at": created_at,
                    "updated_at": created_at,
                    "due_on": applied_on + timedelta(days=7),
                    "due_rule": visit_rule,
                    "visited_on": visited,
                    "visitors": ["乡镇工作人员", "社区干部"] if visited else [],
                    "findings": "情况属实" if visited else "",
                    "recommendation": "agree" if visited else "",
                    "recorded_by_id": township.filer_id if visited else None,
                }
            )

    written: dict[str, int] = {}
    with psycopg.connect(_dsn(), autocommit=False) as conn:
        with conn.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers
            cursor.execute("SET synchronous_commit = off")
            for model, table in tables.items():
                written[model.__name__] = table.copy(cursor)
        conn.commit()
    written["statuses"] = dict(statuses)  # type: ignore[assignment]
    return written


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


@lru_cache(maxsize=1)
def _benefit_types() -> tuple[int, list[int]]:
    rows = list(BenefitType.objects.values_list("pk", "is_dibao"))
    dibao = next(pk for pk, is_dibao in rows if is_dibao)
    return dibao, [pk for pk, is_dibao in rows if not is_dibao]


# --- load around the indexes -------------------------------------------------------------------


BIG_TABLES = [
    Household,
    HouseholdMember,
    IdRegistration,
    Determination,
    HouseholdBenefit,
    MonthlyIncome,
    *([Investigation] if Investigation is not None else []),
]


def _dsn() -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=str(db.get("PORT") or 5432),
    )


def drop_indexes() -> list[str]:
    """Drop the secondary indexes of the big tables (not primary keys, not unique constraints)
    and return their definitions, to be created again after the load."""
    tables = [m._meta.db_table for m in BIG_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            JOIN pg_class ic ON ic.relname = i.indexname
            JOIN pg_index x ON x.indexrelid = ic.oid
            WHERE i.tablename = ANY(%s) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = ic.oid)
            """,
            [tables],
        )
        rows = cursor.fetchall()
        for name, _definition in rows:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def _create_indexes(definitions: list[str]) -> None:
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET max_parallel_maintenance_workers = 0")
        for definition in definitions:
            conn.execute(definition)


def create_indexes(definitions: list[str], workers: int) -> None:
    # Largest tables first, spread over the workers.
    groups: list[list[str]] = [[] for _ in range(workers)]
    for i, definition in enumerate(definitions):
        groups[i % workers].append(definition)
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_create_indexes, groups)


def finish(workers: int) -> None:
    """Move every sequence past the ids written, check the foreign keys, VACUUM ANALYZE."""
    with connection.cursor() as cursor:
        for model in BIG_TABLES:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
            )
        if CHECK_FKS:
            for model in BIG_TABLES:
                for f in model._meta.concrete_fields:
                    if not f.is_relation:
                        continue
                    target = f.related_model._meta.db_table  # type: ignore[union-attr]
                    table = model._meta.db_table
                    cursor.execute(
                        f'SELECT count(*) FROM "{table}" t WHERE t."{f.column}" IS NOT NULL AND '
                        f'NOT EXISTS (SELECT 1 FROM "{target}" r WHERE r.id = t."{f.column}")'
                    )
                    broken = cursor.fetchone()[0]
                    if broken:
                        raise SystemExit(f"{broken} rows of {table}.{f.column} point nowhere")
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        for model in BIG_TABLES:
            conn.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        conn.execute("VACUUM (ANALYZE) network_orgunit")


def recreate_database() -> None:
    db = settings.DATABASES["default"]
    name = db["NAME"]
    admin = psycopg.conninfo.make_conninfo(_dsn(), dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--recreate", action="store_true", help="drop and create the database")
    options = parser.parse_args()
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        raise SystemExit("Refusing: DATABASE_URL must name a PostgreSQL database called *bench*.")
    started = time.perf_counter()
    if options.recreate:
        connections.close_all()
        recreate_database()
    call_command("migrate", verbosity=0)
    if Household.objects.exists():
        raise SystemExit("The database already holds archives: use --recreate.")
    townships, users = build_network()
    print(
        f"network: {OrgUnit.objects.count()} units, {len(users)} bench users "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    definitions = drop_indexes()
    connections.close_all()

    total = options.households
    per_task = TOWNSHIP_HOUSEHOLDS
    n_tasks = (total + per_task - 1) // per_task
    rounds = (n_tasks + len(townships) - 1) // len(townships)
    # Each (county, task) pair owns a block of the county's ID sequence numbers.
    slots = rounds * TOWNSHIPS_PER_COUNTY
    tasks = []
    for i in range(n_tasks):
        round_no = i // len(townships)
        township = _with_slot(
            townships[i % len(townships)],
            townships[i % len(townships)].county_slot + TOWNSHIPS_PER_COUNTY * round_no,
        )
        count = min(per_task, total - i * per_task)
        tasks.append((township, 1 + i * per_task, count, slots, round_no))
    totals: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    loaded = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(options.workers) as pool:
        for i, written in enumerate(pool.imap_unordered(generate_township, tasks), start=1):
            statuses.update(written.pop("statuses"))  # type: ignore[arg-type]
            totals.update(written)
            if i % 10 == 0 or i == len(tasks):
                print(
                    f"  {i}/{len(tasks)} townships, {totals['Household']:,} archives "
                    f"({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    print(f"rows written in {time.perf_counter() - loaded:.0f} s: {dict(totals)}", flush=True)
    indexed = time.perf_counter()
    create_indexes(definitions, options.workers)
    print(f"{len(definitions)} indexes built in {time.perf_counter() - indexed:.0f} s", flush=True)
    finished = time.perf_counter()
    finish(options.workers)
    print(
        f"sequences, foreign keys checked, VACUUM ANALYZE in "
        f"{time.perf_counter() - finished:.0f} s",
        flush=True,
    )
    people = totals["Household"] + totals["HouseholdMember"]
    print(
        f"done: {totals['Household']:,} archives, {people:,} people, statuses "
        f"{dict(sorted(statuses.items()))} in {time.perf_counter() - started:.0f} s"
    )


def _with_slot(township: Township, slot: int) -> Township:
    from dataclasses import replace

    return replace(township, county_slot=slot)


if __name__ == "__main__":
    main()
