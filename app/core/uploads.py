"""Uploaded files are judged by their bytes, not by their name or the browser's word."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.errors import ValidationFailed

ALLOWED = {"application/pdf", "image/jpeg", "image/png"}
IMAGES = {"image/jpeg", "image/png"}


@dataclass(frozen=True)
class CheckedUpload:
    filename: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def sniff(content: bytes) -> str | None:
    """The real type of a file from its first bytes, or None when it is none we accept."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def safe_filename(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "bestand"
    return base[:200]


def check_upload(filename: str, content: bytes, max_bytes: int, allowed: set[str] = ALLOWED) -> CheckedUpload:
    """Accept PDF, JPEG or PNG (or `allowed`) up to `max_bytes`; ValidationFailed otherwise."""
    if not content:
        raise ValidationFailed(_("Het bestand is leeg."), details={"file": [_("Het bestand is leeg.")]})
    if len(content) > max_bytes:
        msg = _("Het bestand is groter dan %(mb)d MB.", mb=max_bytes // (1024 * 1024))
        raise ValidationFailed(msg, details={"file": [msg]})
    kind = sniff(content)
    if kind not in allowed:
        msg = _("Alleen PDF, JPEG of PNG zijn toegestaan.")
        raise ValidationFailed(msg, details={"file": [msg]})
    return CheckedUpload(safe_filename(filename), kind, content, hashlib.sha256(content).hexdigest())


def attachment_disposition(filename: str) -> str:
    """`Content-Disposition` for a download by its own name (RFC 6266): an ASCII fallback in
    `filename`, the real name UTF-8 encoded in `filename*` (a header is Latin-1 only, so a
    name like "begroting-€.pdf" would otherwise fail the response)."""
    from urllib.parse import quote

    name = (filename or "download").replace("\r", "").replace("\n", "")
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
