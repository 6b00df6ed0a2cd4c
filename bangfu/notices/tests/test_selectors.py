from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.errors import NotFound
from bangfu.core.models import AuditEvent
from bangfu.core.worklist import due_items
from bangfu.notices import selectors, services
from bangfu.notices.models import Notice, Objection

from .factories import make_notice, make_subject, set_today


@pytest.fixture
def published(network, staff, monkeypatch):
    """A notice of two subjects published on Friday 2026-11-27, ending 2026-12-04."""
    set_today(monkeypatch, date(2026, 11, 27))
    a = make_subject(network.station_a, "张三")
    b = make_subject(network.station_b, "李四")
    notice = make_notice(staff, network.township, [a, b])
    services.notice_publish(actor=staff, notice=notice)
    return notice, a, b


def _object(staff, notice, item=None):
    return services.objection_record(
        actor=staff,
        notice=notice,
        item=item,
        received_on=date(2026, 11, 27),
        channel=Objection.Channel.PHONE,
        from_name="",
        contact="",
        content="反映其有隐性收入。",
    )


def test_state_of_a_subject_without_notice_is_none(network):
    state = selectors.subject_notice_state(make_subject(network.station_a))

    assert (state.status, state.notice, state.ends_on) == ("none", None, None)


def test_state_follows_the_notice_from_draft_to_cleared(network, staff, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 27))
    subject = make_subject(network.station_a)
    notice = make_notice(staff, network.township, [subject])
    assert selectors.subject_notice_state(subject).status == "draft"

    services.notice_publish(actor=staff, notice=notice)
    state = selectors.subject_notice_state(subject)
    assert (state.status, state.notice, state.ends_on) == ("publishing", notice, date(2026, 12, 4))

    set_today(monkeypatch, date(2026, 12, 4))
    assert selectors.subject_notice_state(subject).status == "publishing"

    # The day after the last one the notice has ended, even before `end_notices` runs.
    set_today(monkeypatch, date(2026, 12, 5))
    assert selectors.subject_notice_state(subject).status == "cleared"
    assert selectors.subject_notice_state(subject).cleared
    assert selectors.subject_notice_state(subject).label == "公示期满,无异议"


def test_an_open_objection_holds_the_item_back_after_the_end(published, staff, monkeypatch):
    notice, a, b = published
    _object(staff, notice, notice.items.get(subject_id=a.pk))

    assert selectors.subject_notice_state(a).status == "objection_open"
    assert selectors.subject_notice_state(b).status == "publishing"
    set_today(monkeypatch, date(2026, 12, 7))
    services.notice_end_due()
    assert selectors.subject_notice_state(a).status == "objection_open"
    assert selectors.subject_notice_state(b).status == "cleared"


def test_a_dismissed_objection_clears_after_the_end(published, staff, leader, monkeypatch):
    notice, a, _b = published
    objection = _object(staff, notice, notice.items.get(subject_id=a.pk))
    services.objection_settle(
        actor=leader, objection=objection, upheld=False, resolution="经入户核实,反映不属实。"
    )

    assert selectors.subject_notice_state(a).status == "publishing"
    set_today(monkeypatch, date(2026, 12, 7))
    assert selectors.subject_notice_state(a).status == "cleared"


def test_an_upheld_objection_marks_only_its_item(published, staff, leader, monkeypatch):
    notice, a, b = published
    objection = _object(staff, notice, notice.items.get(subject_id=a.pk))
    services.objection_settle(
        actor=leader, objection=objection, upheld=True, resolution="核实有经营性收入,不予建档。"
    )
    set_today(monkeypatch, date(2026, 12, 7))

    assert selectors.subject_notice_state(a).status == "upheld"
    assert selectors.subject_notice_state(b).status == "cleared"


def test_an_objection_to_the_whole_notice_concerns_every_item(
    published, staff, leader, monkeypatch
):
    notice, a, b = published
    objection = _object(staff, notice)
    set_today(monkeypatch, date(2026, 12, 7))

    assert selectors.subject_notice_state(a).status == "objection_open"
    assert selectors.subject_notice_state(b).status == "objection_open"
    services.objection_settle(actor=leader, objection=objection, upheld=False, resolution="不属实")
    assert selectors.subject_notice_state(a).status == "cleared"
    assert selectors.subject_notice_state(b).status == "cleared"


def test_a_withdrawn_notice_leaves_the_subject_without_notice(published, staff):
    notice, a, _b = published

    services.notice_withdraw(actor=staff, notice=notice, reason="公示内容有误")

    assert selectors.subject_notice_state(a).status == "none"


def test_state_by_kind(published):
    _notice, a, _b = published

    assert selectors.subject_notice_state(a, kind=Notice.Kind.ARCHIVE).status == "publishing"
    assert selectors.subject_notice_state(a, kind=Notice.Kind.ASSISTANCE).status == "none"


def test_state_of_a_real_archive(network, staff):
    from bangfu.archives.tests.factories import make_household

    household = make_household(network.station_a, filed_by=staff)
    notice = make_notice(staff, network.township, [household])

    state = selectors.subject_notice_state(household)

    assert (state.status, state.notice) == ("draft", notice)


def test_list_and_access_are_scoped(published, network, liaison_a):
    notice, _a, _b = published
    other_staff = make_user((Role.STAFF, network.other_township))
    supervisor = make_user((Role.SUPERVISOR, network.county))

    assert list(selectors.notice_list(user=supervisor)) == [notice]  # the county's supervisor
    assert list(selectors.notice_list(user=other_staff)) == []
    with pytest.raises(NotFound):
        selectors.access_notice(user=other_staff, notice_id=notice.pk)
    with pytest.raises(NotFound):
        selectors.access_notice(user=supervisor, notice_id="x")


def test_a_liaison_reads_the_published_notice_of_its_centre_and_nothing_else(
    published, network, staff, liaison_a
):
    # The notice belongs to the township centre, above the liaison's station: the station
    # posts it on its own board, so its liaison may open it — but not manage it.
    notice, _a, _b = published
    draft = make_notice(staff, network.township, [make_subject(network.station_a, "王五")])
    elsewhere = make_user((Role.LIAISON, network.other_township))

    assert list(selectors.notice_list(user=liaison_a)) == [notice]
    assert selectors.access_notice(user=liaison_a, notice_id=notice.pk) == notice
    with pytest.raises(NotFound):
        selectors.access_notice(user=liaison_a, notice_id=draft.pk)
    with pytest.raises(NotFound):
        selectors.access_notice(user=liaison_a, notice_id=notice.pk, perm="notices.manage")
    with pytest.raises(NotFound):
        selectors.access_notice(user=elsewhere, notice_id=notice.pk)
    services.notice_withdraw(actor=staff, notice=notice, reason="材料有误,重新公示。")
    with pytest.raises(NotFound):
        selectors.access_notice(user=liaison_a, notice_id=notice.pk)


def test_list_works_out_the_ended_notices_and_filters_on_it(published, staff, monkeypatch):
    notice, _a, _b = published
    draft = make_notice(staff, notice.unit, [make_subject(notice.unit, "王五")], title="第二批")
    set_today(monkeypatch, date(2026, 12, 7))

    ended = list(selectors.notice_list(user=staff, filters={"status": Notice.Status.ENDED}))
    running = list(selectors.notice_list(user=staff, filters={"status": Notice.Status.PUBLISHED}))
    by_name = list(selectors.notice_list(user=staff, filters={"q": "王五"}))

    assert ended == [notice]
    assert ended[0].item_count == 2  # type: ignore[attr-defined]
    assert ended[0].shown_status == Notice.Status.ENDED  # type: ignore[attr-defined]
    assert ended[0].current_status == Notice.Status.ENDED
    assert running == []
    assert by_name == [draft]


def test_reading_notices_records_nothing(published, staff, monkeypatch):
    # Given a notice whose last day (4 December) has passed, not yet recorded as ended
    notice, _a, _b = published
    set_today(monkeypatch, date(2026, 12, 7))
    events = AuditEvent.objects.count()
    stamp = Notice.objects.values_list("status", "ended_at", "updated_at").get(pk=notice.pk)

    # When it is listed and opened
    listed = list(selectors.notice_list(user=staff))
    opened = selectors.access_notice(user=staff, notice_id=notice.pk)

    # Then both show it ended, and the database is as it was
    assert [n.current_status for n in listed] == [Notice.Status.ENDED]
    assert opened.current_status == Notice.Status.ENDED
    assert opened.get_current_status_display() == "公示期满"
    assert Notice.objects.values_list("status", "ended_at", "updated_at").get(pk=notice.pk) == stamp
    assert stamp[0] == Notice.Status.PUBLISHED
    assert AuditEvent.objects.count() == events


def test_the_list_and_the_notice_agree_on_the_status_day_by_day(published, staff):
    notice, _a, _b = published
    withdrawn = make_notice(staff, notice.unit, [make_subject(notice.unit, "王五")], title="撤回")
    services.notice_withdraw(actor=staff, notice=withdrawn, reason="名单有误")
    draft = make_notice(staff, notice.unit, [make_subject(notice.unit, "赵六")], title="草稿")

    for today, expected in (
        (date(2026, 12, 4), Notice.Status.PUBLISHED),  # the last day still counts
        (date(2026, 12, 5), Notice.Status.ENDED),
    ):
        rows = {n.pk: n for n in selectors.notice_list(user=staff, today=today)}
        assert {pk: n.shown_status for pk, n in rows.items()} == {  # type: ignore[attr-defined]
            notice.pk: expected,
            withdrawn.pk: Notice.Status.WITHDRAWN,
            draft.pk: Notice.Status.DRAFT,
        }
        assert {pk: n.status_on(today) for pk, n in rows.items()} == {
            pk: n.shown_status  # type: ignore[attr-defined]
            for pk, n in rows.items()
        }


def test_end_notices_records_what_the_reads_worked_out(published, staff, monkeypatch):
    notice, _a, _b = published
    set_today(monkeypatch, date(2026, 12, 7))
    events = AuditEvent.objects.count()

    call_command("end_notices", stdout=StringIO())

    notice.refresh_from_db()
    assert (notice.status, notice.current_status) == (Notice.Status.ENDED, Notice.Status.ENDED)
    assert [n.shown_status for n in selectors.notice_list(user=staff)] == [Notice.Status.ENDED]  # type: ignore[attr-defined]
    assert AuditEvent.objects.count() == events + 1


def test_published_notices_for_the_portal(published, network, staff):
    notice, _a, _b = published
    make_notice(staff, network.township, [make_subject(network.station_a, "赵六")], title="草稿")

    assert list(selectors.published_notices(network.county)) == [notice]
    assert list(selectors.published_notices(network.station_a)) == []
    assert list(selectors.published_notices(network.township, today=date(2026, 12, 5))) == []


def test_worklist_shows_notices_ending_soon_and_open_objections(
    published, staff, liaison_a, monkeypatch
):
    notice, a, _b = published
    _object(staff, notice, notice.items.get(subject_id=a.pk))

    # Friday 27 November: the notice ends on 4 December, more than 2 working days away.
    titles = [item.title for item in due_items(staff) if item.context == "公示"]
    assert titles == ["公示异议待核实:2026 年第 1 批困难职工建档公示(张三)"]

    set_today(monkeypatch, date(2026, 12, 2))
    items = [item for item in due_items(staff) if item.context == "公示"]
    assert sorted((i.title, i.due, i.rule) for i in items) == [
        (
            "公示即将期满:2026 年第 1 批困难职工建档公示",
            date(2026, 12, 4),
            "公示 5 个工作日(2026-11-30 至 2026-12-04)",
        ),
        (
            "公示异议待核实:2026 年第 1 批困难职工建档公示(张三)",
            date(2026, 12, 4),
            "公示异议:公示期满前核实办结",
        ),
    ]
    assert [i for i in due_items(liaison_a) if i.context == "公示"] == []
