"""Which funds a grant of a role names (roles of a fund are held per fund)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.models import FUND_ROLES, UserRole
from app.core import tenancy
from app.core.errors import ValidationFailed
from app.funds import services as fund_services


def fund_ids_for_grant(funds: list[str] | tuple[str, ...] | None) -> list[int | None]:
    """The fund ids a grant of a fund role names: `*` is every fund (None); no slugs at all
    means the fund of the request's site, else the only fund, and is refused (422) where
    there are several."""
    if funds and "*" in funds:
        return [None]
    if funds:
        return list(dict.fromkeys(fund_services.by_slug(slug).id for slug in funds))
    here = tenancy.single_fund_id()
    if here is not None:  # a fund's site (or a task about one fund): that fund
        return [here]
    every = fund_services.all_funds()
    if len(every) > 1:
        msg = _("Zeg in welk fonds (er zijn er %(n)d).", n=len(every))
        raise ValidationFailed(msg, code="fund_required", details={"fund": [msg]})
    return [fund_services.default_fund().id]


def role_rows(roles: list[str], funds: list[str] | tuple[str, ...] | None = None) -> list[UserRole]:
    """One row per role, and per fund for the roles held in a fund."""
    rows = []
    fund_ids = None
    for role in roles:
        if role in FUND_ROLES:
            fund_ids = fund_ids if fund_ids is not None else fund_ids_for_grant(funds)
            rows.extend(UserRole(role=role, fund_id=f) for f in fund_ids)
        else:
            rows.append(UserRole(role=role))
    return rows
