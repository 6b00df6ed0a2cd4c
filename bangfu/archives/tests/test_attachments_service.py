"""Attachments: type by content, size limit, encrypted at rest, scope, withdraw, access log."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.accounts.tests.factories import make_user
from bangfu.archives.models import Attachment, Household
from bangfu.archives.services.attachments import (
    attachment_open,
    attachment_upload,
    attachment_withdraw,
)
from bangfu.archives.tests.factories import make_household, make_id_number
from bangfu.core.errors import Conflict, PermissionDenied, ValidationError
from bangfu.core.models import AccessLog, AuditEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"png-body-" * 50
JPG = b"\xff\xd8\xff\xe0" + b"jpeg-body-" * 50
PDF = b"%PDF-1.7\n" + b"pdf-body-secret-text-" * 50
EXE = b"MZ\x90\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def household(network, staff):
    return make_household(network.station_a, filed_by=staff, id_number=make_id_number(seq=31))


def upload(user, household, data, name="scan.pdf", kind=Attachment.Kind.ID_COPY):
    return attachment_upload(
        user=user, household=household, kind=kind, file=io.BytesIO(data), name=name
    )


def state():
    return (
        list(Attachment.objects.values()),
        AuditEvent.objects.count(),
        AccessLog.objects.count(),
    )


def stored_files(media):
    root = Path(media)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PDF, "证明.pdf", "application/pdf"),
        (JPG, "photo.jpeg", "image/jpeg"),
        (PNG, "scan.pdf", "image/png"),  # named .pdf, is a PNG: accepted as PNG
        (PNG, "no-extension", "image/png"),
    ],
)
def test_the_type_comes_from_the_content(household, staff, data, name, content_type):
    attachment = upload(staff, household, data, name=name)

    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "name"),
    [(EXE, "invoice.pdf"), (b"<html><script>", "x.png"), (b"GIF89a....", "a.jpg")],
)
def test_other_content_is_refused_whatever_its_name(household, staff, media, data, name):
    # given
    before = state()

    # when
    with pytest.raises(ValidationError) as exc:
        upload(staff, household, data, name=name)

    # then
    assert exc.value.errors == {
        "file": "文件:只能上传 PDF、JPG 或 PNG 文件(按文件内容识别,与扩展名无关)。"
    }
    assert state() == before
    assert stored_files(media) == []


def test_exactly_the_limit_is_accepted_and_one_byte_more_refused(household, staff, settings, media):
    # given
    settings.BANGFU_ATTACHMENT_MAX_MB = 10
    limit = 10 * 1024 * 1024
    at_limit = PDF + b"\x00" * (limit - len(PDF))

    # when
    accepted = upload(staff, household, at_limit)
    before = state()
    with pytest.raises(ValidationError) as exc:
        upload(staff, household, at_limit + b"\x00")

    # then
    assert accepted.size == limit
    assert exc.value.errors == {"file": "文件:不能超过 10 MB。"}
    assert state() == before
    assert len(stored_files(media)) == 1


def test_an_empty_file_is_refused(household, staff):
    with pytest.raises(ValidationError) as exc:
        upload(staff, household, b"")

    assert exc.value.errors == {"file": "文件:上传的文件是空的。"}


def test_the_stored_file_is_encrypted_under_a_random_name(household, staff, media):
    # when
    attachment = upload(staff, household, PDF, name="张三身份证.pdf")

    # then
    [path] = stored_files(media)
    raw = path.read_bytes()
    assert b"pdf-body-secret-text-" not in raw
    assert not raw.startswith(b"%PDF")
    assert "张三" not in str(path) and "scan" not in str(path)
    assert path.suffix == ".bin" and len(path.stem) == 32
    assert attachment.file.name.endswith(path.name)


def test_an_upload_is_audited(household, staff):
    attachment = upload(staff, household, PNG, name="card.png", kind=Attachment.Kind.BANK_CARD_COPY)

    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == (
        "archives.attachment.upload",
        "archives.attachment",
        str(attachment.pk),
    )
    assert event.summary == "上传附件:银行卡复印件 card.png"


def test_opening_decrypts_and_logs_sensitive_kinds_only(household, staff):
    # given
    id_copy = upload(staff, household, PDF, kind=Attachment.Kind.ID_COPY)
    income = upload(staff, household, JPG, name="工资.jpg", kind=Attachment.Kind.INCOME_PROOF)

    # when
    opened_id = attachment_open(user=staff, attachment=id_copy)
    opened_income = attachment_open(user=staff, attachment=income)

    # then
    assert opened_id.content == PDF and opened_id.content_type == "application/pdf"
    assert opened_income.content == JPG and opened_income.filename == "工资.jpg"
    log = AccessLog.objects.get()
    assert log.object_id == str(household.pk)
    assert log.fields == f"attachment:{id_copy.pk}:id_copy"
    assert log.purpose == "查看附件:身份证复印件"


def test_a_png_named_pdf_downloads_with_a_png_name(household, staff):
    attachment = upload(staff, household, PNG, name="scan.pdf", kind=Attachment.Kind.OTHER)

    assert attachment_open(user=staff, attachment=attachment).filename == "scan.png"


def test_an_altered_stored_file_is_refused(household, staff, media):
    attachment = upload(staff, household, PDF, kind=Attachment.Kind.OTHER)
    [path] = stored_files(media)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))

    from bangfu.core.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        attachment_open(user=staff, attachment=attachment)


def test_a_checksum_mismatch_is_a_conflict(household, staff):
    attachment = upload(staff, household, PDF, kind=Attachment.Kind.OTHER)
    Attachment.objects.filter(pk=attachment.pk).update(sha256="0" * 64)
    attachment.refresh_from_db()

    with pytest.raises(Conflict):
        attachment_open(user=staff, attachment=attachment)


def test_upload_outside_scope_or_without_right_changes_nothing(household, network, leader, media):
    other = make_user((Role.STAFF, network.other_township))
    before = state()

    with pytest.raises(PermissionDenied) as outside:
        upload(other, household, PDF)
    assert outside.value.message == "您无权为该档案上传附件。"
    with pytest.raises(PermissionDenied):
        upload(leader, household, PDF)  # leaders approve; they do not file

    assert state() == before
    assert stored_files(media) == []


def test_a_closed_archive_takes_no_uploads(household, staff):
    Household.objects.filter(pk=household.pk).update(status=Household.Status.CLOSED)
    household.refresh_from_db()

    with pytest.raises(Conflict):
        upload(staff, household, PDF)


def test_the_same_file_uploaded_twice_is_kept_once(household, staff, media):
    # Given a bank-card scan uploaded by a first click
    upload(staff, household, PNG, name="card.png", kind=Attachment.Kind.BANK_CARD_COPY)
    events = AuditEvent.objects.count()
    files = sorted(p.name for p in Path(media).rglob("*.bin"))

    # When the second click's POST arrives with the same file
    with pytest.raises(Conflict) as exc:
        upload(staff, household, PNG, name="card.png", kind=Attachment.Kind.BANK_CARD_COPY)

    # Then it is refused with a message, no row, no file, no event
    assert exc.value.message == "文件:同一文件已作为“银行卡复印件”上传(card.png),不必重复上传。"
    assert Attachment.objects.filter(household=household).count() == 1
    assert sorted(p.name for p in Path(media).rglob("*.bin")) == files
    assert AuditEvent.objects.count() == events


def test_withdraw_keeps_the_file_and_the_row_and_is_audited(household, staff, media):
    # given
    attachment = upload(staff, household, PDF)

    # when
    attachment_withdraw(user=staff, attachment=attachment, reason="上传错了户")

    # then
    attachment.refresh_from_db()
    assert attachment.withdrawn is True
    assert len(stored_files(media)) == 1
    event = AuditEvent.objects.order_by("-seq")[0]
    assert event.action == "archives.attachment.withdraw"
    assert event.changes == {"withdrawn": [False, True], "reason": [None, "上传错了户"]}


def test_withdraw_needs_a_reason_and_happens_once(household, staff):
    attachment = upload(staff, household, PDF)
    attachment_withdraw(user=staff, attachment=attachment, reason="重复上传")
    before = state()

    with pytest.raises(ValidationError):
        attachment_withdraw(user=staff, attachment=attachment, reason="")
    with pytest.raises(Conflict):
        attachment_withdraw(user=staff, attachment=attachment, reason="再撤一次")

    assert state() == before


def test_there_is_no_url_for_media_files(household, staff, client):
    attachment = upload(staff, household, PDF)
    client.force_login(staff)

    assert client.get("/media/" + attachment.file.name).status_code == 404


def test_a_browser_upload_goes_through_the_form(client, household, staff):
    client.force_login(staff)
    url = reverse("archives:attachment_upload", args=[household.pk])

    response = client.post(
        url,
        {"kind": "diagnosis", "file": SimpleUploadedFile("诊断.pdf", EXE, "application/pdf")},
    )

    assert response.status_code == 400
    assert "只能上传 PDF、JPG 或 PNG 文件" in response.content.decode()
    assert 'value="diagnosis" selected' in response.content.decode()
    assert Attachment.objects.count() == 0

    response = client.post(
        url, {"kind": "diagnosis", "file": SimpleUploadedFile("诊断.pdf", PDF, "text/plain")}
    )
    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "application/pdf"
