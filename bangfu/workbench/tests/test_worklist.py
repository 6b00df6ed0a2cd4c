from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.core import worklist

pytestmark = pytest.mark.django_db


def test_the_worklist_shows_the_users_roles_and_scope_and_nothing_due(client, liaison_a):
    client.force_login(liaison_a)

    response = client.get(reverse("workbench:worklist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "站联络员" in html and "响水社区帮扶站" in html
    assert "当前没有待办事项。" in html
    assert reverse("accounts:user_list") not in html


def test_shortcuts_follow_the_roles(client, sysadmin, auditor):
    client.force_login(sysadmin)
    admin_html = client.get(reverse("workbench:worklist")).content.decode()
    client.force_login(auditor)
    auditor_html = client.get(reverse("workbench:worklist")).content.decode()

    assert reverse("accounts:user_create") in admin_html
    assert reverse("funds:book_list") not in auditor_html  # the 三员 auditor reads no business
    assert reverse("workbench:audit_list") not in admin_html
    assert reverse("workbench:audit_list") in auditor_html
    assert reverse("accounts:user_create") not in auditor_html


def test_registered_due_items_are_listed_by_due_date_with_overdue_marked(
    client, staff, monkeypatch
):
    today = timezone.localdate()
    items = [
        worklist.DueItem("复核 B", "/b/", today + timedelta(days=10), "年审:一年一次", "archives"),
        worklist.DueItem("入户调查 A", "/a/", today - timedelta(days=1), "申请后 5 个工作日", "x"),
    ]
    monkeypatch.setattr(worklist, "_providers", [lambda user: items])
    client.force_login(staff)

    html = client.get(reverse("workbench:worklist")).content.decode()

    assert html.index("入户调查 A") < html.index("复核 B")
    assert "已逾期" in html
    assert "当前没有待办事项。" not in html


def test_a_liaisons_archive_waiting_on_the_centre_is_shown_apart_from_its_to_dos(
    client, network, staff, liaison_a
):
    # Given an application filed by the liaison, now waiting for the centre's home visit
    from bangfu.archives.services import filing
    from bangfu.archives.tests.filing_factories import household_input

    household = filing.household_create(
        actor=liaison_a, data=household_input(network.point_a1, name="李四")
    )
    client.force_login(liaison_a)

    # When the liaison opens the worklist
    html = client.get(reverse("workbench:worklist")).content.decode()

    # Then nothing is the liaison's to do, and the archive is listed as waiting on others
    assert "当前没有待办事项。" in html
    assert 'data-testid="waiting-items"' in html
    waiting = html.split('data-testid="waiting-items"', 1)[1]
    assert "李四" in waiting
    assert f"等待{network.point_a1.name}工作人员入户调查,截止" in waiting
    assert reverse("archives:household_detail", args=[household.pk]) in waiting


def test_the_business_contexts_are_shortcuts_for_those_who_use_them(client, staff):
    client.force_login(staff)
    staff_html = client.get(reverse("workbench:worklist")).content.decode()
    shortcuts = staff_html.split('data-testid="shortcuts"', 1)[1].split("</section>", 1)[0]

    assert reverse("assistance:application_list") in shortcuts
    assert reverse("petitions:petition_list") in shortcuts
    assert reverse("notices:notice_list") in shortcuts
