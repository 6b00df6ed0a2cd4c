import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.core.models import AuditEvent
from bangfu.notices import services
from bangfu.notices.models import Notice, NoticeItem, Objection

from .factories import make_notice, make_subject, set_today


@pytest.fixture
def notice(network, staff, monkeypatch):
    """An assistance notice of the township centre, published Friday 2026-11-27."""
    set_today(monkeypatch, date(2026, 11, 27))
    network.township.phone = "0731-5812345"
    network.township.save(update_fields=["phone"])
    notice = make_notice(
        staff,
        network.township,
        [make_subject(network.station_a, "张三"), make_subject(network.station_b, "李四")],
        kind=Notice.Kind.ASSISTANCE,
        title="2026 年春节送温暖救助公示",
        amount=Decimal("800"),
    )
    services.notice_publish(actor=staff, notice=notice)
    return notice


def _login(client, user, password):
    client.force_login(user)


def test_list_shows_the_notices_in_scope_with_filters(client, notice, staff, password):
    _login(client, staff, password)

    response = client.get(reverse("notices:notice_list"), {"status": "published"})
    empty = client.get(reverse("notices:notice_list"), {"status": "ended"})

    assert response.status_code == 200
    assert "2026 年春节送温暖救助公示" in response.content.decode()
    assert "2026-11-30 至 2026-12-04" in response.content.decode()
    assert "没有符合条件的公示。" in empty.content.decode()


def test_list_makes_a_fixed_number_of_queries(
    client, notice, network, staff, password, django_assert_max_num_queries
):
    for n in range(5):
        make_notice(staff, network.township, [make_subject(network.station_a)], title=f"第{n}批")
    _login(client, staff, password)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("notices:notice_list"))

    assert response.content.decode().count("notices/") >= 6


def test_detail_shows_only_the_display_fields(client, notice, staff, password):
    _login(client, staff, password)

    response = client.get(reverse("notices:notice_detail", args=[notice.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "张三" in page and "李四" in page and "800.00" in page
    assert "公示 5 个工作日(2026-11-30 至 2026-12-04)" in page
    assert 'data-testid="objection-form"' in page
    assert 'data-testid="withdraw-form"' in page


@pytest.mark.parametrize("name", ["notice_detail", "notice_print"])
def test_pages_outside_the_scope_are_404(client, notice, network, password, name):
    other = make_user((Role.STAFF, network.other_township))
    _login(client, other, password)

    response = client.get(reverse(f"notices:{name}", args=[notice.pk]))
    missing = client.get(reverse(f"notices:{name}", args=[notice.pk + 1000]))

    assert (response.status_code, missing.status_code) == (404, 404)


def test_actions_outside_the_scope_are_404_and_change_nothing(client, notice, network, password):
    other = make_user((Role.STAFF, network.other_township))
    objection = services.objection_record(
        actor=notice.published_by,
        notice=notice,
        received_on=date(2026, 11, 27),
        channel=Objection.Channel.PHONE,
        from_name="",
        contact="",
        content="反映情况",
    )
    _login(client, other, password)
    events = AuditEvent.objects.count()

    responses = [
        client.post(reverse("notices:notice_withdraw", args=[notice.pk]), {"reason": "x"}),
        client.post(
            reverse("notices:objection_record", args=[notice.pk]),
            {"received_on": "2026-11-27", "channel": "phone", "content": "x"},
        ),
        client.post(
            reverse("notices:objection_settle", args=[objection.pk]),
            {
                f"settle-{objection.pk}-decision": "upheld",
                f"settle-{objection.pk}-resolution": "x",
            },
        ),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    notice.refresh_from_db()
    objection.refresh_from_db()
    assert (notice.status, objection.status) == (Notice.Status.PUBLISHED, Objection.Status.OPEN)
    assert Objection.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_supervisor_sees_but_cannot_act(client, notice, supervisor, password):
    _login(client, supervisor, password)

    page = client.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()
    response = client.post(reverse("notices:notice_withdraw", args=[notice.pk]), {"reason": "x"})

    assert "张三" in page
    assert 'data-testid="withdraw-form"' not in page
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED


def test_record_and_settle_an_objection_through_the_pages(client, notice, staff, leader, password):
    item = notice.items.get(person_name="张三")
    _login(client, staff, password)

    response = client.post(
        reverse("notices:objection_record", args=[notice.pk]),
        {
            "item": item.pk,
            "received_on": "2026-11-27",
            "channel": "visit",
            "from_name": "",
            "contact": "13800001234",
            "content": "其子女在外地有稳定收入。",
        },
    )

    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.item, objection.from_name, objection.contact) == (item, "", "13800001234")

    client.logout()
    _login(client, leader, password)
    response = client.post(
        reverse("notices:objection_settle", args=[objection.pk]),
        {
            f"settle-{objection.pk}-decision": "dismissed",
            f"settle-{objection.pk}-resolution": "经入户核实,子女无固定收入。",
        },
    )

    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.settled_by) == (Objection.Status.DISMISSED, leader)


def test_an_objection_form_with_errors_keeps_what_was_typed(client, notice, staff, password):
    _login(client, staff, password)
    events = AuditEvent.objects.count()

    response = client.post(
        reverse("notices:objection_record", args=[notice.pk]),
        {"received_on": "2026-11-30", "channel": "phone", "from_name": "王五", "content": ""},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写异议内容。" in page
    assert 'value="王五"' in page
    assert Objection.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_service_refusal_shows_on_the_form(client, notice, staff, password):
    _login(client, staff, password)

    response = client.post(
        reverse("notices:objection_record", args=[notice.pk]),
        {"received_on": "2026-11-28", "channel": "phone", "content": "有异议"},
    )

    assert response.status_code == 400
    assert "收到日期不能晚于今天。" in response.content.decode()
    assert Objection.objects.count() == 0


def test_the_contact_and_name_of_an_objector_are_hidden_from_viewers(
    client, notice, staff, supervisor, password
):
    services.objection_record(
        actor=staff,
        notice=notice,
        received_on=date(2026, 11, 27),
        channel=Objection.Channel.PHONE,
        from_name="王五",
        contact="13800001234",
        content="反映情况",
    )
    _login(client, supervisor, password)

    page = client.get(reverse("notices:notice_detail", args=[notice.pk])).content.decode()

    assert "王五" not in page
    assert "13800001234" not in page
    assert "138****1234" in page


def test_publish_and_withdraw_through_the_pages(client, network, staff, password, monkeypatch):
    set_today(monkeypatch, date(2025, 9, 30))
    draft = make_notice(staff, network.township, [make_subject(network.station_a)])
    _login(client, staff, password)

    past = client.post(
        reverse("notices:notice_publish", args=[draft.pk]), {"starts_on": "2025-09-29"}
    )
    assert "发布日期不能早于今天。" in past.content.decode()
    response = client.post(
        reverse("notices:notice_publish", args=[draft.pk]), {"starts_on": "2025-09-30"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.ends_on == date(2025, 10, 14)

    blank = client.post(reverse("notices:notice_withdraw", args=[draft.pk]), {"reason": ""})
    assert "请填写撤回原因。" in blank.content.decode()
    client.post(reverse("notices:notice_withdraw", args=[draft.pk]), {"reason": "名单有误"})
    draft.refresh_from_db()
    assert draft.status == Notice.Status.WITHDRAWN


def test_the_printed_notice(client, notice, staff, password):
    _login(client, staff, password)

    response = client.get(reverse("notices:notice_print", args=[notice.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>2026 年春节送温暖救助公示</h1>" in page
    assert "公示期:2026年11月30日 至 2026年12月4日(共 5 个工作日)。" in page
    assert (
        "如有异议,请于公示期内向响水乡职工服务(帮扶)中心反映"
        '(电话:<span class="nowrap">0731-5812345</span>)。' in page
    )
    assert "2026年11月27日" in page
    assert "800.00" in page
    assert "@page" in page and "A4" in page
    assert "http://" not in page and "https://" not in page


def test_the_printed_notice_holds_no_id_or_bank_number(client, notice, staff, password):
    # Given items changed behind the services' back to carry an ID and a bank card
    NoticeItem.objects.filter(notice=notice, person_name="李四").update(
        unit_name="金霞社区 11010519491231002X"
    )
    NoticeItem.objects.filter(notice=notice, person_name="张三").update(
        category="6222 0212 3456 7890 128"
    )
    _login(client, staff, password)

    page = client.get(reverse("notices:notice_print", args=[notice.pk])).content.decode()

    assert "李四" in page and "金霞社区 ********" in page
    assert "1101051949" not in page and "6222" not in page
    assert re.search(r"\d(?:[ -]?\d){11,}", page) is None


def test_a_draft_has_no_printed_notice(client, network, staff, password):
    draft = make_notice(staff, network.township, [make_subject(network.station_a)])
    _login(client, staff, password)

    assert client.get(reverse("notices:notice_print", args=[draft.pk])).status_code == 404


def test_settling_an_objection_twice_says_so_above_the_notice(client, notice, staff, password):
    # Given an objection settled by a first click
    objection = services.objection_record(
        actor=staff,
        notice=notice,
        received_on=date(2026, 11, 27),
        channel=Objection.Channel.PHONE,
        from_name="",
        contact="",
        content="有异议",
    )
    _login(client, staff, password)
    data = {
        f"settle-{objection.pk}-decision": "dismissed",
        f"settle-{objection.pk}-resolution": "经核实,异议不成立。",
    }
    url = reverse("notices:objection_settle", args=[objection.pk])
    client.post(url, data)
    events = AuditEvent.objects.count()

    # When the second click's POST arrives
    response = client.post(url, data)

    # Then the notice page, as it now is, says it was already settled, and nothing changed
    page = response.content.decode()
    assert response.status_code == 409
    refusal = '<div class="alert alert-danger" role="alert" data-testid="refusal">'
    assert f"{refusal}该异议已办结(异议不成立)。</div>" in page
    assert 'data-testid="settle-form"' not in page
    assert AuditEvent.objects.count() == events


def test_publishing_or_withdrawing_twice_says_so_above_the_notice(
    client, network, staff, password, monkeypatch
):
    set_today(monkeypatch, date(2026, 11, 27))
    draft = make_notice(staff, network.township, [make_subject(network.station_a)])
    _login(client, staff, password)
    publish = reverse("notices:notice_publish", args=[draft.pk])
    client.post(publish, {"starts_on": "2026-11-27"})
    events = AuditEvent.objects.count()

    again = client.post(publish, {"starts_on": "2026-11-27"})

    assert again.status_code == 409
    page = again.content.decode()
    assert "只有草稿可以发布;该公示的状态是“公示中”。" in page
    assert 'data-testid="publish-form"' not in page
    withdraw = reverse("notices:notice_withdraw", args=[draft.pk])
    client.post(withdraw, {"reason": "名单有误"})
    twice = client.post(withdraw, {"reason": "名单有误"})
    assert twice.status_code == 409
    page = twice.content.decode()
    assert "只有草稿或公示中的公示可以撤回;该公示的状态是“已撤回”。" in page
    assert 'data-testid="withdraw-form"' not in page
    assert AuditEvent.objects.count() == events + 1  # the one withdrawal


def test_a_liaison_opens_its_centres_published_notice_without_the_managing_forms(
    client, notice, liaison_a
):
    client.force_login(liaison_a)

    page = client.get(reverse("notices:notice_detail", args=[notice.pk]))
    printed = client.get(reverse("notices:notice_print", args=[notice.pk]))
    settle = client.post(reverse("notices:objection_record", args=[notice.pk]), {})

    assert page.status_code == 200
    html = page.content.decode()
    assert "2026 年春节送温暖救助公示" in html and "张三" in html
    assert 'data-testid="objection-form"' not in html
    assert printed.status_code == 200
    assert settle.status_code in (403, 404)
    assert Objection.objects.count() == 0
