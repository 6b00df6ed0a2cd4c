import pytest
from django.core.management import call_command

from bangfu.accounts.models import RoleAssignment, User
from bangfu.accounts.roles import Role
from bangfu.core.audit import verify_chain
from bangfu.demo.data import CENTRE_NAME, DEMO_PASSWORD
from bangfu.network.models import OrgUnit, UnitPerson

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_township_and_a_user_per_role(capsys):
    call_command("seed_demo")

    centre = OrgUnit.objects.get(name=CENTRE_NAME, parent__isnull=True)
    assert centre.children.filter(station_type=OrgUnit.StationType.COMMUNITY).count() == 3
    assert centre.children.filter(station_type=OrgUnit.StationType.ENTERPRISE).count() == 2
    assert UnitPerson.objects.get(unit=centre, role=UnitPerson.Role.GROUP_HEAD).name == "何亮"
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password
    out = capsys.readouterr().out
    assert "liaison1" in out and DEMO_PASSWORD in out
    assert verify_chain()[1] is None


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    counts = (OrgUnit.objects.count(), User.objects.count(), UnitPerson.objects.count())

    call_command("seed_demo")

    assert (OrgUnit.objects.count(), User.objects.count(), UnitPerson.objects.count()) == counts


def test_every_unit_path_matches_its_parent():
    call_command("seed_demo")

    for unit in OrgUnit.objects.select_related("parent"):
        expected = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        assert unit.path == expected


def test_seed_demo_files_archives_across_stations_categories_and_states():
    from bangfu.archives.models import Household
    from bangfu.notices.models import Notice

    call_command("seed_demo")

    households = Household.objects.all()
    assert households.count() == 20
    assert {h.category for h in households} >= {"deep", "relative", "accident"}
    assert {h.status for h in households} == {
        "active",
        "applied",
        "publicizing",
        "pending_approval",
        "closed",
    }
    assert households.values("unit").distinct().count() == 5
    assert Notice.objects.filter(status="published", kind="archive").count() == 2
    assert all(h.determinations.exists() for h in households)
    assert verify_chain()[1] is None


def test_seed_demo_registers_petitions_at_every_stage():
    from django.utils import timezone

    from bangfu.petitions.models import Deadline, Petition, Route

    call_command("seed_demo")

    petitions = Petition.objects.all()
    assert set(petitions.values_list("status", flat=True)) == {
        "registered",
        "accepted",
        "replied",
        "transferred",
        "rechecking",
    }
    assert set(petitions.values_list("channel", flat=True)) == {"letter", "call", "visit", "online"}
    assert petitions.filter(restricted=True, nature="report", anonymous=True).count() == 1
    assert petitions.filter(repeat_of__isnull=False).count() == 1
    # Funds wires the referral to assistance: it became an application draft.
    route = Route.objects.get(kind="assistance")
    assert route.state == "taken" and route.reference
    today = timezone.localdate()
    breached = Deadline.objects.filter(ours=True, met_on__isnull=True, due_on__lt=today)
    assert breached.filter(stage="handle").count() == 1
    finance = User.objects.get(username="finance")
    assert petitions.filter(concerned_users=finance).count() == 1
    assert verify_chain()[1] is None


def test_seed_demo_sets_up_assistance_programmes_and_applications(capsys):
    from bangfu.assistance.models import Application, Programme

    call_command("seed_demo")

    assert Programme.objects.filter(year=2025).count() == 5
    assert Programme.objects.filter(year=2026, campaign=True).count() == 1
    kinds = set(Application.objects.values_list("kind", flat=True))
    assert kinds == {"medical", "living", "temporary", "festival", "education"}
    medical = Application.objects.get(kind="medical")
    assert medical.working == "自付 8,640.00 元 × 50% = 4,320.00 元,未超过年度上限 5,000.00 元"
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == {
        "draft",
        "submitted",
        "verified",
        "reviewed",
        "publicizing",
        "pending_approval",
        "approved",
        "returned",
        "refused",
    }
    from bangfu.notices.models import Objection

    assert Objection.objects.filter(notice__kind="assistance", settled_on__isnull=True).count() == 1
    from bangfu.assistance.models import CampaignBatch

    batch = CampaignBatch.objects.get()  # one 金秋助学 batch holding the student's application
    assert [a.kind for a in batch.applications.all()] == ["education"]
