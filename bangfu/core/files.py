"""Uploaded files kept encrypted at rest: checked by content, sealed, stored under a random name,
opened only by code that has already fetched the owning record within the user's scope.

What every context's attachments share (archives' supporting documents, petitions' letters and
evidence): the content check (PDF, JPG or PNG by their first bytes, never by the name), the size
limit (`BANGFU_ATTACHMENT_MAX_MB`), the cleaned original name (numbers masked), sealing with the
field keys (`core.crypto.encrypt_bytes`), the checksum on opening, and the download answer.
No URL serves MEDIA_ROOT: a file leaves only through `sealed_file_response`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .crypto import decrypt_bytes, encrypt_bytes
from .errors import Conflict, NotFound, ValidationError
from .masking import mask_numbers_in_text
from .text import clean_text

# Content types recognised by their first bytes, never by the file's name.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
EXTENSIONS = {content_type: ext for _sig, content_type, ext in SIGNATURES}

_CHUNK = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "BANGFU_ATTACHMENT_MAX_MB", 10)) * 1024 * 1024


def sniff_content_type(head: bytes) -> str | None:
    """Return the content type that the file's first bytes show, or None for anything else."""
    for signature, content_type, _ext in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def read_limited(file: IO[bytes], limit: int) -> bytes:
    """Read at most `limit` + 1 bytes, so an oversized upload is detected without reading it all."""
    if hasattr(file, "seek"):
        file.seek(0)
    chunks, total = [], 0
    while total <= limit:
        chunk = file.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def clean_name(name: str) -> str:
    """Return the last path component a browser may send, printable, numbers masked."""
    base = os.path.basename(str(name or "").replace("\\", "/"))
    base = clean_text("".join(ch for ch in base if ch.isprintable()))
    # Scans are often saved under the number they show ("身份证430302….jpg"); the name is
    # stored, listed and audited in the clear, so such numbers are masked.
    base = mask_numbers_in_text(base)
    return base[-200:] or "file"


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    content_type: str
    sha256: str
    name: str

    @property
    def size(self) -> int:
        return len(self.data)


def check_upload(file: IO[bytes], name: str, *, field: str = "file") -> CheckedUpload:
    """Return the upload's bytes, content type, checksum and cleaned name.

    Raise ValidationError on `field` for an empty file, one over BANGFU_ATTACHMENT_MAX_MB, or
    one that is not a PDF, JPG or PNG by its content.
    """
    limit = max_bytes()
    data = read_limited(file, limit)
    if not data:
        raise ValidationError(_("文件:上传的文件是空的。"), field=field)
    if len(data) > limit:
        raise ValidationError(
            _("文件:不能超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)}, field=field
        )
    content_type = sniff_content_type(data[:16])
    if content_type is None:
        raise ValidationError(
            _("文件:只能上传 PDF、JPG 或 PNG 文件(按文件内容识别,与扩展名无关)。"),
            field=field,
        )
    return CheckedUpload(data, content_type, hashlib.sha256(data).hexdigest(), clean_name(name))


def store_sealed(data: bytes, *, folder: str) -> str:
    """Seal `data` with the newest field key and store it under `folder/YYYY/MM/<random>.bin`;
    return the stored name. The caller deletes it (`delete_stored`) if its row is not written."""
    now = timezone.localtime()
    return default_storage.save(
        f"{folder}/{now:%Y/%m}/{secrets.token_hex(16)}.bin", ContentFile(encrypt_bytes(data))
    )


def delete_stored(name: str) -> None:
    default_storage.delete(name)


def open_sealed(name: str, *, sha256: str) -> bytes:
    """Return the decrypted content of a stored file.

    Raise NotFound when the stored file is missing, Conflict when its bytes do not match the
    recorded checksum.
    """
    try:
        with default_storage.open(name, "rb") as handle:
            sealed = handle.read()
    except (FileNotFoundError, OSError):
        raise NotFound(_("附件文件不存在。")) from None
    content = decrypt_bytes(sealed)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise Conflict(_("附件文件校验失败,请联系系统管理员。"))
    return content


def download_name(original_name: str, content_type: str) -> str:
    """Return the original name, with the extension that matches the content when it differs
    (a PNG uploaded as `scan.pdf` downloads as `scan.png`)."""
    ext = EXTENSIONS.get(content_type, "bin")
    stem, dot, current = original_name.rpartition(".")
    if dot and current.lower() in {ext, "jpeg" if ext == "jpg" else ext}:
        return original_name
    return f"{stem if dot else original_name}.{ext}"


def sealed_file_response(
    content: bytes, *, content_type: str, filename: str, ascii_stem: str, inline: bool
) -> HttpResponse:
    """Answer with a decrypted file, never cached, its type not sniffed by the browser; the
    name in UTF-8 with an ASCII fallback (`ascii_stem` + the extension)."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    ascii_name = f"{ascii_stem}.{filename.rsplit('.', 1)[-1]}"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(content))
    add_never_cache_headers(response)
    return response
