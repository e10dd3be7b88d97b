"""/api/v1/users: user administration for the role `admin` (list and search, roles,
deactivate and reactivate, resend the invitation). Thin: the rules and the audit trail are
in app.accounts.admin_services (re-exported by app.accounts.services), which the admin
pages use too."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.accounts import services as admin
from app.accounts.models import ROLES, User
from app.api.auth import commit, current_api_user, require_user
from app.api.pagination import page
from app.funds import services as funds
from app.funds.schemas import Schema

blp = Blueprint("api_users", __name__, url_prefix="/api/v1/users", description="User administration")


class UserListArgs(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(load_default=None, allow_none=True)


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    locale = fields.String()
    roles = fields.Method("_roles")
    # Each role with the fund it is held in ("*": every fund, or a role of no fund).
    grants = fields.Method("_grants")
    active = fields.Boolean()
    email_confirmed = fields.Method("_confirmed")
    created_at = fields.AwareDateTime()

    def _roles(self, user: User) -> list[str]:
        return sorted(user.roles)

    def _grants(self, user: User) -> list[dict]:
        return sorted(
            (
                {"role": r.role, "fund": "*" if r.fund_id is None else funds.slug_of(r.fund_id)}
                for r in user.role_rows
            ),
            key=lambda g: (g["role"], g["fund"]),
        )

    def _confirmed(self, user: User) -> bool:
        return user.email_confirmed_at is not None


class UserListSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))
    next = fields.String(allow_none=True)


class RoleInSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    # For a role of a fund: the funds (slugs, or "*" for every fund); needed where the
    # installation has several and the request names none (`?fund=`).
    funds = fields.List(fields.String(), load_default=None)


class NoteInSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


@blp.route("")
@require_user(*admin.ADMINS)
@blp.arguments(UserListArgs, location="query")
@blp.response(200, UserListSchema)
def list_users(args):
    """Every user, or those whose e-mail or name holds `?q=`."""
    return page(admin.users_query(args["q"]), User.id, args, lambda u: u)


@blp.route("/<int:user_id>")
@require_user(*admin.ADMINS)
@blp.response(200, UserSchema)
def get_user(user_id):
    """One user with `roles` and `active` (404 when unknown)."""
    return admin.user_or_404(user_id)


@blp.route("/<int:user_id>/roles", methods=["POST"])
@require_user(*admin.ADMINS)
@blp.arguments(RoleInSchema)
@blp.response(200, UserSchema)
def grant_role(data, user_id):
    """Grant `{"role"}` (422 for an unknown role; granting a held role changes nothing)."""
    user = admin.grant_role(admin.user_or_404(user_id), data["role"], current_api_user(), data.get("funds"))
    commit()
    return user


@blp.route("/<int:user_id>/roles/<role>", methods=["DELETE"])
@require_user(*admin.ADMINS)
@blp.response(200, UserSchema)
def revoke_role(user_id, role):
    """Revoke a role (422 unknown role, 409 own_admin_role for one's own admin role)."""
    user = admin.revoke_role(admin.user_or_404(user_id), role, current_api_user())
    commit()
    return user


@blp.route("/<int:user_id>/deactivate", methods=["POST"])
@require_user(*admin.ADMINS)
@blp.arguments(NoteInSchema)
@blp.response(200, UserSchema)
def deactivate(data, user_id):
    """The user can no longer log in; their sessions and API tokens stop at once (409
    own_account for oneself)."""
    user = admin.deactivate(admin.user_or_404(user_id), current_api_user(), data.get("note"))
    commit()
    return user


@blp.route("/<int:user_id>/reactivate", methods=["POST"])
@require_user(*admin.ADMINS)
@blp.arguments(NoteInSchema)
@blp.response(200, UserSchema)
def reactivate(data, user_id):
    """The user may log in again."""
    user = admin.reactivate(admin.user_or_404(user_id), current_api_user(), data.get("note"))
    commit()
    return user


@blp.route("/<int:user_id>/invitation", methods=["POST"])
@require_user(*admin.ADMINS)
@blp.response(200, UserSchema)
def resend_invitation(user_id):
    """Mail the confirmation link again (409 already_confirmed, 409 inactive)."""
    user = admin.resend_invitation(admin.user_or_404(user_id), current_api_user())
    commit()
    return user
