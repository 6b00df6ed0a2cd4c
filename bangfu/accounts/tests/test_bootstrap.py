import pytest
from django.core.management import CommandError, call_command

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.core.models import AuditEvent
from bangfu.network.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_bootstrap_creates_the_top_centre_and_the_three_admins(capsys):
    call_command("bootstrap", "--centre", "某县总工会职工服务(帮扶)中心", "--level", "county")

    centre = OrgUnit.objects.get()
    assert (centre.path, centre.level) == (f"/{centre.pk}/", "county")
    roles = {u.username: u.role_assignments.get().role for u in User.objects.all()}
    assert roles == {
        "admin": Role.SYSTEM_ADMIN,
        "security": Role.SECURITY_ADMIN,
        "auditor": Role.AUDITOR,
    }
    assert all(u.must_change_password for u in User.objects.all())
    out = capsys.readouterr().out
    password = next(line.split()[1] for line in out.splitlines() if "admin " in line)
    assert User.objects.get(username="admin").check_password(password)
    assert AuditEvent.objects.filter(action="accounts.installation.bootstrap").count() == 1


def test_bootstrap_refuses_a_second_time_and_changes_nothing(network):
    units = OrgUnit.objects.count()

    with pytest.raises(CommandError):
        call_command("bootstrap", "--centre", "另一个中心")

    assert OrgUnit.objects.count() == units
    assert not User.objects.filter(username="admin").exists()
