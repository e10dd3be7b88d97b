"""Users hold several roles; API tokens are stored only as their SHA-256."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock, tenancy
from app.core.models import Base, UTCDateTime

ROLES = ("applicant", "backer", "juror", "fund_manager", "auditor", "admin", "sponsor")
# Roles held in a fund (a grant names the fund, or every fund); the others hold everywhere.
FUND_ROLES = ("juror", "fund_manager", "auditor", "sponsor")
# Roles that see other people's data: short idle timeout, no remember-me.
STAFF_ROLES = ("juror", "fund_manager", "auditor", "admin")


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Bumped on password change so that reset links and sessions made before stop working.
    security_stamp: Mapped[int] = mapped_column(Integer, default=0)
    # A deactivated user cannot log in, and their sessions and API tokens stop at once.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # Set when the person's data was erased (GDPR): the row stays for the references to it.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        """The roles this user holds where the running request looks (its fund scope)."""
        return {r.role for r in self.role_rows if self.has_role(r.role)}

    def has_role(self, *roles: str) -> bool:
        """Holds one of `roles` in every fund of the request's scope (a fund's site: that
        fund; tasks and the platform's own pages: every fund). A grant without a fund
        holds everywhere (an overseer given `--fund '*'`, a platform administrator)."""
        rows = [r for r in self.role_rows if r.role in roles]
        if not rows:
            return False
        held = {r.fund_id for r in rows}
        if None in held:
            return True
        scope = tenancy.current_scope()
        if scope is None:
            scope = frozenset(tenancy.all_fund_ids())
        return bool(scope) and scope <= held

    def holds_anywhere(self, *roles: str) -> bool:
        """Holds one of `roles` in some fund (not necessarily the one looked at)."""
        return any(r.role in roles for r in self.role_rows)

    def fund_ids_for(self, *roles: str) -> set[int] | None:
        """The funds where this user holds one of `roles`; None for every fund."""
        held = {r.fund_id for r in self.role_rows if r.role in roles}
        return None if None in held else held

    @property
    def is_auditor_only(self) -> bool:
        """An overseer who holds no role that may change anything."""
        return "auditor" in self.roles and not (self.roles & {"fund_manager", "admin"})

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in an inactive user
        return bool(self.active) if self.active is not None else True

    def get_id(self) -> str:
        return f"{self.id}:{self.security_stamp}"


class UserRole(Base):
    """A role held in one fund, or (fund_id NULL) in every fund."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "fund_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginSession(Base):
    """A log-in, known to the server: logging out ends it, so a replayed cookie is refused.

    The cookie carries a random key; only its SHA-256 is stored here."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
