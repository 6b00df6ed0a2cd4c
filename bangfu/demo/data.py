"""Demo data: 响水乡职工服务(帮扶)中心 as the 2012 plan describes it, with users for every role.

Later issues extend `seed` with archives, applications, funds and the rest. Names of the
leading group come from the published plan; everyone else is invented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from bangfu.accounts.models import RoleAssignment, User
from bangfu.accounts.roles import Role
from bangfu.core.audit import audit_record
from bangfu.network.models import OrgUnit, UnitPerson

from .audit_actions import DemoAction

DEMO_PASSWORD = "Bangfu@2026demo"  # noqa: S105 - the published demo password
CENTRE_NAME = "响水乡职工服务(帮扶)中心"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit: str
    password: str = DEMO_PASSWORD


def _unit(
    name: str,
    *,
    parent: OrgUnit | None,
    kind: str,
    station_type: str = "",
    level: str = "",
    address: str = "",
    phone: str = "",
    sort_order: int = 0,
) -> OrgUnit:
    unit = OrgUnit.objects.create(
        parent=parent,
        name=name,
        kind=kind,
        station_type=station_type,
        level=level,
        address=address,
        phone=phone,
        sort_order=sort_order,
        depth=(parent.depth + 1) if parent else 0,
    )
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


def _people(unit: OrgUnit, rows: list[tuple[str, str, str, str]]) -> None:
    UnitPerson.objects.bulk_create(
        UnitPerson(unit=unit, name=name, role=role, post=post, phone=phone, sort_order=i)
        for i, (name, role, post, phone) in enumerate(rows)
    )


def demo_exists() -> bool:
    return OrgUnit.objects.filter(name=CENTRE_NAME, parent__isnull=True).exists()


@transaction.atomic
def seed(log: Callable[[str], None] = print) -> list[DemoLogin]:
    """Create the demo network and users; return the log-ins. Do nothing if it exists."""
    if demo_exists():
        log("演示数据已存在,跳过。")
        return demo_logins()
    P = UnitPerson.Role
    K = OrgUnit.Kind
    T = OrgUnit.StationType
    centre = _unit(
        CENTRE_NAME,
        parent=None,
        kind=K.CENTER,
        level=OrgUnit.Level.TOWNSHIP,
        address="湘潭市雨湖区响水乡政务中心一楼",
        phone="0731-58610001",
    )
    _people(
        centre,
        [
            ("何亮", P.GROUP_HEAD, "乡党委副书记", "0731-58610010"),
            ("刘红军", P.GROUP_DEPUTY, "乡人大副主席", "0731-58610011"),
            ("郭相妍", P.GROUP_DEPUTY, "乡工会主席", "0731-58610012"),
            ("陈建国", P.GROUP_MEMBER, "民政办主任", "0731-58610013"),
            ("周立新", P.GROUP_MEMBER, "劳动服务站站长", "0731-58610014"),
            ("罗晓华", P.GROUP_MEMBER, "中心学校校长", "0731-58610015"),
            ("彭志刚", P.GROUP_MEMBER, "卫生院院长", "0731-58610016"),
            ("谭文斌", P.GROUP_MEMBER, "法律服务所所长", "0731-58610017"),
            ("郭相妍", P.LEADER, "中心主任", "0731-58610012"),
            ("张慧敏", P.STAFF, "专职工作人员", "13807320001"),
            ("谭文斌", P.LAWYER, "法律服务所律师", "13807320002"),
            ("李芳", P.WORKER, "财务", "13807320003"),
        ],
    )
    stations = [
        ("响水社区帮扶站", T.COMMUNITY, "响水社区居委会", "刘桂兰", "13807321001"),
        ("长丰社区帮扶站", T.COMMUNITY, "长丰社区居委会", "赵明", "13807321002"),
        ("金桥村帮扶站", T.COMMUNITY, "金桥村村部", "黄德胜", "13807321003"),
        ("湘电配件厂帮扶站", T.ENTERPRISE, "响水乡工业园 8 号", "孙卫东", "13807321004"),
        ("宏达建材公司帮扶站", T.ENTERPRISE, "响水乡建材路 12 号", "吴静", "13807321005"),
    ]
    station_units = []
    for i, (name, stype, address, liaison, phone) in enumerate(stations):
        station = _unit(
            name,
            parent=centre,
            kind=K.STATION,
            station_type=stype,
            address=address,
            phone=phone,
            sort_order=i,
        )
        _people(station, [(liaison, P.LIAISON, "帮扶站联络员", phone)])
        station_units.append(station)
    point = _unit(
        "响水社区一组帮扶点",
        parent=station_units[0],
        kind=K.POINT,
        station_type=T.COMMUNITY,
        address="响水社区一组",
    )
    _people(point, [("陈秀英", P.LIAISON, "帮扶点联络员", "13807322001")])
    _unit(
        "湘电配件厂二车间帮扶点",
        parent=station_units[3],
        kind=K.POINT,
        station_type=T.ENTERPRISE,
        address="湘电配件厂二车间",
    )

    logins = demo_logins()
    units = {"centre": centre, "s0": station_units[0], "s1": station_units[1]}
    unit_of = {
        "liaison1": units["s0"],
        "liaison2": units["s1"],
    }
    for login in logins:
        unit = unit_of.get(login.username, centre)
        user = User.objects.create_user(
            username=login.username,
            password=login.password,
            full_name=login.full_name,
            unit=unit,
        )
        RoleAssignment.objects.create(user=user, role=login.role, unit=unit)
    audit_record(
        actor=None,
        action=DemoAction.DATA_SEED,
        obj=centre,
        summary="载入演示数据",
        changes={"units": [None, OrgUnit.objects.count()], "users": [None, len(logins)]},
    )
    log("已载入演示数据:" + CENTRE_NAME)
    return logins


def seed_all(log: Callable[[str], None] = print) -> list[DemoLogin]:
    """Seed the network and users, then the archives and petitions (each part only once)."""
    from .archives import seed_archives
    from .assistance import seed_assistance
    from .funds import seed_funds
    from .loop import seed_loop
    from .petitions import seed_petitions

    logins = seed(log=log)
    users = {u.username: u for u in User.objects.filter(username__in=[x.username for x in logins])}
    with transaction.atomic():
        seed_archives(users=users, log=log)
    with transaction.atomic():
        seed_funds(users=users, log=log)
        seed_assistance(users=users, log=log)
        seed_loop(users=users, log=log)
    with transaction.atomic():
        # After assistance: the petition referred to assistance becomes an application draft.
        seed_petitions(users=users, log=log)
    return logins


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin("admin", "系统管理员", Role.SYSTEM_ADMIN, CENTRE_NAME),
        DemoLogin("security", "安全管理员", Role.SECURITY_ADMIN, CENTRE_NAME),
        DemoLogin("auditor", "审计员", Role.AUDITOR, CENTRE_NAME),
        DemoLogin("leader", "何亮", Role.LEADER, CENTRE_NAME),
        DemoLogin("staff", "张慧敏", Role.STAFF, CENTRE_NAME),
        DemoLogin("finance", "李芳", Role.FINANCE, CENTRE_NAME),
        DemoLogin("lawyer", "谭文斌", Role.LAWYER, CENTRE_NAME),
        DemoLogin("liaison1", "刘桂兰", Role.LIAISON, "响水社区帮扶站"),
        DemoLogin("liaison2", "赵明", Role.LIAISON, "长丰社区帮扶站"),
        DemoLogin("supervisor", "周正", Role.SUPERVISOR, CENTRE_NAME),
    ]
