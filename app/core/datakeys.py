"""Envelope encryption with a data key per record, for crypto-shredding.

Personal data that must be encrypted (a backer's register number and address for the tax
certificate) is encrypted with a data key of its own: a fresh Fernet key, kept in
`data_keys` only wrapped (encrypted) with the master key `DATA_ENCRYPTION_KEY`. Deleting
that row (`shred`) makes every copy of the ciphertext unreadable, wherever it lies: an
export, a replica, a backup taken after the deletion. A backup taken before it still holds
the wrapped key; docs/privacy.md says how to keep `data_keys` out of long-lived backups.

Ciphertext formats (the first bytes tell them apart):
- `dk1:<key id>:<Fernet token under the data key>`: written since issue 12;
- a bare Fernet token (starts with `gAAAAA`) under the master key: written before. It keeps
  decrypting; it cannot be shredded by itself (its key is the master key), only deleted,
  until `flask privacy rekey-tax-data` gives it a data key (`rekey`).
"""

from __future__ import annotations

from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import Integer, LargeBinary, delete
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, UTCDateTime

PREFIX = b"dk1:"


class DataKey(Base):
    """One data key, wrapped with the master key. Deleted to shred what it encrypts."""

    __tablename__ = "data_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class NoMasterKey(RuntimeError):
    """DATA_ENCRYPTION_KEY is missing or not a Fernet key."""


class Shredded(RuntimeError):
    """The ciphertext's data key was deleted: the data is gone for good."""


def master() -> Fernet:
    """The master key's Fernet; NoMasterKey without a valid DATA_ENCRYPTION_KEY."""
    key = current_app.config.get("DATA_ENCRYPTION_KEY") or ""
    if not key:
        raise NoMasterKey("DATA_ENCRYPTION_KEY is not set")
    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except (ValueError, TypeError):
        raise NoMasterKey("DATA_ENCRYPTION_KEY is not a valid Fernet key") from None


def encrypt(session, plaintext: bytes) -> bytes:
    """Encrypt with a new data key (its wrapped form added to the session and flushed)."""
    wrapper = master()
    data_key = Fernet.generate_key()
    row = DataKey(wrapped_key=wrapper.encrypt(data_key))
    session.add(row)
    session.flush()
    return PREFIX + str(row.id).encode() + b":" + Fernet(data_key).encrypt(plaintext)


def key_id(blob: bytes) -> int | None:
    """The data key a ciphertext names; None for the older format under the master key."""
    blob = bytes(blob)
    if not blob.startswith(PREFIX):
        return None
    head, _sep, _token = blob[len(PREFIX) :].partition(b":")
    return int(head)


def decrypt(session, blob: bytes) -> bytes:
    """The plaintext; Shredded when its data key was deleted, NoMasterKey without the master
    key, InvalidToken when the ciphertext was tampered with."""
    blob = bytes(blob)
    wrapper = master()
    kid = key_id(blob)
    if kid is None:
        return wrapper.decrypt(blob)  # the format before data keys
    row = session.get(DataKey, kid)
    if row is None:
        raise Shredded(f"data key {kid} was shredded")
    token = blob[len(PREFIX) :].partition(b":")[2]
    return Fernet(wrapper.decrypt(row.wrapped_key)).decrypt(token)


def rekey(session, blob: bytes) -> bytes | None:
    """The same plaintext under a new data key, for a ciphertext of the older format (under
    the master key); None when it has a data key already. Makes old data shreddable."""
    if key_id(blob) is not None:
        return None
    return encrypt(session, master().decrypt(bytes(blob)))


def shred(session, blob: bytes | None) -> bool:
    """Delete the data key of this ciphertext (True when one was deleted). Every copy of the
    ciphertext becomes unreadable; the caller removes the ciphertext itself too."""
    if blob is None:
        return False
    kid = key_id(blob)
    if kid is None:
        return False
    # "fetch": a DataKey loaded in this session is removed from it too, not served again.
    result = session.execute(
        delete(DataKey).where(DataKey.id == kid).execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)


__all__ = [
    "DataKey",
    "InvalidToken",
    "NoMasterKey",
    "Shredded",
    "decrypt",
    "encrypt",
    "key_id",
    "rekey",
    "shred",
]
