"""Role checks for HTML views. Objects are checked in services; this guards whole pages."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def roles_required(*roles: str, write_roles: tuple[str, ...] | None = None):
    """Allow users holding any of `roles`. On writes, only `write_roles` (default: roles
    without 'auditor'), so the overseer reads everything and changes nothing (403)."""

    writers = tuple(r for r in roles if r != "auditor") if write_roles is None else write_roles

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            allowed = writers if request.method in WRITE_METHODS else roles
            if not current_user.has_role(*allowed):
                # Staff of another fund learn nothing of this fund's pages: 404, as for
                # its objects; everybody else is told the role is missing.
                abort(
                    404 if current_user.holds_anywhere(*roles) and not current_user.has_role(*roles) else 403
                )
            return view(*args, **kwargs)

        return wrapped

    return decorator
