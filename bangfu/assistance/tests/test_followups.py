from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.assistance.due import followup_due_items
from bangfu.assistance.models import Application, FollowUp, Kind
from bangfu.assistance.services import application_create, followup_record, followup_schedule
from bangfu.core.errors import Conflict, ValidationError
from bangfu.core.models import AuditEvent

from .factories import aided_household, make_programme, medical_input


@pytest.fixture
def approved(network, staff):
    household = aided_household(network.station_a, staff)
    programme = make_programme(network.township, staff, kind=Kind.MEDICAL)
    application = application_create(
        actor=staff, household_id=household.pk, data=medical_input(programme)
    )
    Application.objects.filter(pk=application.pk).update(status=Application.Status.APPROVED)
    application.refresh_from_db()
    return application


def test_payment_schedules_a_follow_up_within_the_programmes_days(approved):
    paid_on = timezone.localdate() - timedelta(days=40)

    followup = followup_schedule(application=approved, paid_on=paid_on)

    assert followup.due_on == paid_on + timedelta(days=30)
    assert followup.rule == "发放后 30 天内回访"
    assert followup_schedule(application=approved, paid_on=paid_on) == followup
    assert FollowUp.objects.count() == 1
    assert AuditEvent.objects.filter(action="assistance.followup.schedule").count() == 1


def test_an_overdue_follow_up_is_on_the_stations_worklist(approved, staff, liaison_a, liaison_b):
    followup_schedule(application=approved, paid_on=timezone.localdate() - timedelta(days=40))

    items = list(followup_due_items(staff))

    assert [i.title for i in items] == ["回访:张三(2026 年医疗救助)"]
    assert items[0].overdue
    assert list(followup_due_items(liaison_b)) == []


def test_only_an_approved_application_is_followed_up(network, staff, approved):
    Application.objects.filter(pk=approved.pk).update(status=Application.Status.DRAFT)

    with pytest.raises(Conflict) as refused:
        followup_schedule(application=approved, paid_on=date(2026, 4, 1))

    assert refused.value.message == "只有已批准的救助才能安排回访(当前状态:草稿)。"
    assert not FollowUp.objects.exists()


def test_recording_the_outcome_once(approved, staff):
    followup = followup_schedule(application=approved, paid_on=date(2026, 4, 1))

    with pytest.raises(ValidationError) as refused:
        followup_record(
            actor=staff, followup_id=followup.pk, done_on=date(2026, 3, 1), outcome="x", notes=""
        )
    assert refused.value.errors == {
        "done_on": "回访日期不能早于发放日期 2026-04-01。",
        "outcome": "请选择回访结果。",
        "notes": "请填写回访情况。",
    }
    followup_record(
        actor=staff,
        followup_id=followup.pk,
        done_on=date(2026, 4, 20),
        outcome="improved",
        notes="已用于支付药费,病情稳定",
    )
    with pytest.raises(Conflict):
        followup_record(
            actor=staff,
            followup_id=followup.pk,
            done_on=date(2026, 4, 21),
            outcome="worse",
            notes="再次",
        )

    followup.refresh_from_db()
    assert followup.outcome == "improved"
    assert followup.done_by == staff


def test_recording_through_the_page(client, approved, staff):
    followup = followup_schedule(application=approved, paid_on=date(2026, 4, 1))
    client.force_login(staff)
    page = client.get(reverse("assistance:application_detail", args=[approved.pk]))
    url = reverse("assistance:followup_record", args=[followup.pk])
    assert url in page.content.decode()
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"done_on": "2026-04-20", "outcome": "unchanged", "notes": "仍需关注"}
    )

    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.outcome == "unchanged"
