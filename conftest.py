"""Fixtures shared by every context's tests: a small network and users in each role."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from bangfu.network.models import OrgUnit
from bangfu.network.tests.factories import make_unit


@dataclass
class Network:
    county: OrgUnit
    township: OrgUnit
    other_township: OrgUnit
    station_a: OrgUnit
    station_b: OrgUnit
    enterprise: OrgUnit
    point_a1: OrgUnit


@pytest.fixture
def network(db: None) -> Network:
    """雨湖区总工会帮扶中心 → 响水乡 centre (stations A, B, an enterprise) and another township."""
    county = make_unit("雨湖区总工会职工服务(帮扶)中心", level=OrgUnit.Level.COUNTY)
    township = make_unit("响水乡职工服务(帮扶)中心", parent=county, level=OrgUnit.Level.TOWNSHIP)
    other = make_unit("长城乡职工服务(帮扶)中心", parent=county, level=OrgUnit.Level.TOWNSHIP)
    station_a = make_unit("响水社区帮扶站", parent=township, kind=OrgUnit.Kind.STATION)
    station_b = make_unit("金霞社区帮扶站", parent=township, kind=OrgUnit.Kind.STATION)
    enterprise = make_unit(
        "湘潭电机厂帮扶站",
        parent=township,
        kind=OrgUnit.Kind.STATION,
        station_type=OrgUnit.StationType.ENTERPRISE,
    )
    point = make_unit("响水社区一组帮扶点", parent=station_a, kind=OrgUnit.Kind.POINT)
    return Network(county, township, other, station_a, station_b, enterprise, point)


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def sysadmin(network: Network):
    return make_user((Role.SYSTEM_ADMIN, network.township), username="sysadmin", full_name="管理员")


@pytest.fixture
def security_admin(network: Network):
    return make_user(
        (Role.SECURITY_ADMIN, network.township), username="security", full_name="安全员"
    )


@pytest.fixture
def auditor(network: Network):
    return make_user((Role.AUDITOR, network.county), username="auditor", full_name="审计员")


@pytest.fixture
def supervisor(network: Network):
    """Business supervision of the fund (纪检/审计): reads archives masked, changes nothing."""
    return make_user((Role.SUPERVISOR, network.township), username="supervisor", full_name="周正")


@pytest.fixture
def leader(network: Network):
    return make_user((Role.LEADER, network.township), username="leader", full_name="何亮")


@pytest.fixture
def staff(network: Network):
    return make_user((Role.STAFF, network.township), username="staff", full_name="郭相妍")


@pytest.fixture
def liaison_a(network: Network):
    return make_user((Role.LIAISON, network.station_a), username="liaison_a", full_name="李联络")


@pytest.fixture
def liaison_b(network: Network):
    return make_user((Role.LIAISON, network.station_b), username="liaison_b", full_name="王联络")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out PostgreSQL-only tests when the suite runs on SQLite (deselected, not skipped:
    CI runs the suite on both databases and the PostgreSQL run includes them)."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        print(
            f"\n{len(dropped)} 个测试需要 PostgreSQL,已略过(设置 DATABASE_URL=postgres://… 可运行)"
            f" / {len(dropped)} PostgreSQL-only tests deselected on SQLite"
        )


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when anything was skipped and BANGFU_FORBID_SKIPS is set (as CI does):
    on a user's machine a missing Chromium or PostgreSQL skips, in CI it must not."""
    if os.environ.get("BANGFU_FORBID_SKIPS") and _skipped:
        print(f"\nBANGFU_FORBID_SKIPS: {len(_skipped)} test(s) were skipped:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
