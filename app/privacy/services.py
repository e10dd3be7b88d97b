"""The public face of privacy, what the API calls: a person's data, its erasure, and
requests by e-mail. The rules live in export.py, erasure.py and requests.py."""

from __future__ import annotations

from app.accounts.models import User
from app.privacy import erasure, export, requests
from app.privacy.models import PrivacyRequest


def data_of(user: User) -> dict:
    """Everything the platform holds about `user` (GDPR access), as JSON-ready data."""
    return export.for_user(user)


def erase_user(user: User, actor_id: int | None) -> dict:
    """Erase `user`'s personal data beside the books (GDPR erasure); flushes."""
    return erasure.erase_user(user, actor_id)


def request_by_email(email: str, kind: str) -> PrivacyRequest | None:
    """Record a request by e-mail and mail its link when the address is known."""
    return requests.make_request(email, kind)
