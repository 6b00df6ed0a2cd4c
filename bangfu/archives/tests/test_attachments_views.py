"""Attachment pages: download and preview headers, scope, withdraw."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from bangfu.archives.models import Attachment
from bangfu.archives.services.attachments import attachment_upload
from bangfu.archives.tests.factories import make_household, make_id_number
from bangfu.core.models import AccessLog

PNG = b"\x89PNG\r\n\x1a\n" + b"png-body-" * 20
PDF = b"%PDF-1.7\n" + b"pdf-body-" * 20


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def household(network, staff):
    return make_household(network.station_a, filed_by=staff, id_number=make_id_number(seq=41))


def upload(user, household, data, name, kind):
    return attachment_upload(
        user=user, household=household, kind=kind, file=io.BytesIO(data), name=name
    )


def test_a_download_has_the_right_headers(client, household, staff):
    # given
    attachment = upload(staff, household, PNG, "户口 簿.pdf", Attachment.Kind.HUKOU)
    client.force_login(staff)

    # when
    response = client.get(reverse("archives:attachment_download", args=[attachment.pk]))

    # then
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f'attachment; filename="attachment-{attachment.pk}.png"; '
        "filename*=UTF-8''%E6%88%B7%E5%8F%A3%20%E7%B0%BF.png"
    )
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.get().purpose == "查看附件:户口簿"


def test_a_preview_is_inline(client, household, staff):
    attachment = upload(staff, household, PDF, "收入.pdf", Attachment.Kind.INCOME_PROOF)
    client.force_login(staff)

    response = client.get(
        reverse("archives:attachment_download", args=[attachment.pk]), {"inline": "1"}
    )

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; ")
    assert AccessLog.objects.count() == 0  # income proof is not a sensitive kind


def test_the_panel_lists_attachments_and_offers_upload_to_filers(client, household, staff, leader):
    upload(staff, household, PDF, "诊断证明.pdf", Attachment.Kind.DIAGNOSIS)
    detail = reverse("archives:household_detail", args=[household.pk])

    client.force_login(staff)
    body = client.get(detail).content.decode()
    assert "诊断证明.pdf" in body and "敏感" in body
    assert 'data-testid="attachment-upload"' in body

    client.force_login(leader)
    body = client.get(detail).content.decode()
    assert "诊断证明.pdf" in body
    assert 'data-testid="attachment-upload"' not in body


def test_withdraw_page_asks_for_a_reason(client, household, staff):
    attachment = upload(staff, household, PDF, "x.pdf", Attachment.Kind.OTHER)
    client.force_login(staff)
    url = reverse("archives:attachment_withdraw", args=[attachment.pk])

    refused = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "上传错了"})

    assert refused.status_code == 400 and "请填写撤回原因" in refused.content.decode()
    assert done.status_code == 302
    attachment.refresh_from_db()
    assert attachment.withdrawn is True


def test_a_liaison_cannot_withdraw_another_stations_attachment(client, household, staff, liaison_b):
    attachment = upload(staff, household, PDF, "x.pdf", Attachment.Kind.OTHER)
    client.force_login(liaison_b)

    response = client.post(
        reverse("archives:attachment_withdraw", args=[attachment.pk]), {"reason": "想撤回"}
    )

    assert response.status_code == 404
    attachment.refresh_from_db()
    assert attachment.withdrawn is False
