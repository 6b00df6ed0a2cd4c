"""A liaison of station A cannot find or open station B's archive by any route."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from bangfu.archives.models import Attachment
from bangfu.archives.services.attachments import attachment_upload
from bangfu.archives.tests.factories import make_household, make_id_number
from bangfu.core.models import AccessLog
from bangfu.core.text import name_initials

PDF = b"%PDF-1.7\n" + b"body-" * 20


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def archive_b(network, staff):
    household = make_household(
        network.station_b,
        filed_by=staff,
        name="王五",
        name_initials=name_initials("王五"),
        id_number=make_id_number(seq=51),
        mobile="13600004444",
    )
    attachment = attachment_upload(
        user=staff,
        household=household,
        kind=Attachment.Kind.ID_COPY,
        file=io.BytesIO(PDF),
        name="id.pdf",
    )
    return household, attachment


def test_no_route_leads_a_liaison_to_another_stations_archive(client, archive_b, liaison_a):
    # given
    household, attachment = archive_b
    client.force_login(liaison_a)
    lst = reverse("archives:household_list")

    # when: find it
    for q in ("王五", "ww", household.id_number[-4:], household.id_number, "4444"):
        body = client.get(lst, {"q": q}, follow=True).content.decode()
        assert 'data-testid="household-empty"' in body, q
        assert reverse("archives:household_detail", args=[household.pk]) not in body, q
    # when: open it
    pk = household.pk
    answers = {
        name: client.get(reverse(f"archives:{name}", args=[pk])).status_code
        for name in ("household_detail", "household_history", "household_pdf")
    }
    answers["attachment_download"] = client.get(
        reverse("archives:attachment_download", args=[attachment.pk])
    ).status_code
    answers["attachment_upload"] = client.post(
        reverse("archives:attachment_upload", args=[pk]), {"kind": "other"}
    ).status_code
    # A liaison holds no archives.reveal: the reveal pages are refused before scope matters.
    answers["household_reveal"] = client.post(
        reverse("archives:household_reveal", args=[pk]),
        {"shown": ["id_number"], "purpose": "核对材料"},
    ).status_code
    answers["household_pdf_full"] = client.post(
        reverse("archives:household_pdf_full", args=[pk]), {"purpose": "核对材料"}
    ).status_code

    # then
    assert answers == {
        "household_detail": 404,
        "household_history": 404,
        "household_pdf": 404,
        "attachment_download": 404,
        "attachment_upload": 404,
        "household_reveal": 403,
        "household_pdf_full": 403,
    }
    assert AccessLog.objects.count() == 0
    assert Attachment.objects.count() == 1


def test_the_own_stations_liaison_opens_it(client, archive_b, liaison_b):
    household, attachment = archive_b
    client.force_login(liaison_b)

    assert client.get(reverse("archives:household_detail", args=[household.pk])).status_code == 200
    assert client.get(reverse("archives:household_pdf", args=[household.pk])).status_code == 200
    response = client.get(reverse("archives:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200 and response.content == PDF
