"""/api/v1 jury: jurors, assignments, the scoring window, conflicts, scores, the ranking,
the selection and the jury's audit trail. Thin: every rule lives in app.jury.services."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.api.auth import commit, current_api_user, require_user
from app.calls import services as calls
from app.core.errors import NotFound
from app.jury import schemas
from app.jury import services as jury

blp = Blueprint("api_jury", __name__, url_prefix="/api/v1", description="Jury")

MANAGERS = ("fund_manager", "admin")
READERS = ("fund_manager", "admin", "auditor")


def _call(call_id):
    return calls.get_call(call_id, current_api_user())


def _window(call) -> dict:
    w = jury.find_window(call)
    return {
        "call_id": call.id,
        "state": w.state if w else "not_opened",
        "opened_at": w.opened_at if w else None,
        "closed_at": w.closed_at if w else None,
        "reveal_scores": bool(w and w.reveal_scores),
        "lottery_seed": call.lottery_seed,
    }


@blp.route("/calls/<int:call_id>/jurors")
class Jurors(MethodView):
    @require_user(*READERS)
    @blp.response(200, schemas.JurorListSchema)
    def get(self, call_id):
        """The call's jurors and pending invitations."""
        return {"items": jury.jurors_of(_call(call_id))}

    @require_user(*MANAGERS)
    @blp.arguments(schemas.JurorInSchema)
    @blp.response(201, schemas.JurorSchema)
    def post(self, data, call_id):
        """Add a juror by e-mail: an existing user at once, anyone else by invitation.
        201 when added or invited, 200 when they already were."""
        entry = jury.add_juror(_call(call_id), data["email"], current_api_user())
        commit()
        return entry, 201 if entry.pop("created") else 200


@blp.route("/calls/<int:call_id>/assignments")
class Assignments(MethodView):
    @require_user(*READERS)
    @blp.response(200, schemas.AssignmentListSchema)
    def get(self, call_id):
        """Every assignment of the call (with each juror's declaration and progress)."""
        return {"items": jury.assignments_of_call(_call(call_id))}

    @require_user(*MANAGERS)
    @blp.arguments(schemas.AssignmentInSchema)
    @blp.response(201, schemas.AssignmentResultSchema)
    def post(self, data, call_id):
        """`{"per_application": N}`: a balanced automatic assignment; `{"juror_email",
        "application_id"}`: one assignment (without application_id: every eligible one)."""
        call, user = _call(call_id), current_api_user()
        if "per_application" in data:
            result = jury.auto_assign(call, data["per_application"], user)
        else:
            rows = jury.assign(call, data["juror_email"], data.get("application_id"), user)
            result = {"created": rows, "short": []}
        commit()
        return result


@blp.route("/calls/<int:call_id>/scoring")
@require_user(*READERS)
@blp.response(200, schemas.WindowSchema)
def scoring_state(call_id):
    """The scoring window's state."""
    return _window(_call(call_id))


@blp.route("/calls/<int:call_id>/scoring/open", methods=["POST"])
@require_user(*MANAGERS)
@blp.response(200, schemas.WindowSchema)
def scoring_open(call_id):
    """Open the scoring window (409 while submissions are open or when opened before)."""
    call = _call(call_id)
    jury.open_scoring(call, current_api_user())
    commit()
    return _window(call)


@blp.route("/calls/<int:call_id>/scoring/close", methods=["POST"])
@require_user(*MANAGERS)
@blp.response(200, schemas.WindowSchema)
def scoring_close(call_id):
    """Close the scoring window; draws the public lottery seed when the call uses one."""
    call = _call(call_id)
    jury.close_scoring(call, current_api_user())
    commit()
    return _window(call)


@blp.route("/calls/<int:call_id>/scoring/reveal", methods=["POST"])
@require_user(*MANAGERS)
@blp.arguments(schemas.RevealSchema)
@blp.response(200, schemas.WindowSchema)
def scoring_reveal(data, call_id):
    """Whether jurors see each other's scores after the window closed."""
    call = _call(call_id)
    jury.set_reveal(call, data["reveal"], current_api_user())
    commit()
    return _window(call)


@blp.route("/calls/<int:call_id>/jury/progress")
@require_user(*READERS)
def progress(call_id):
    """Counts per juror (by user id) and per application."""
    data = jury.progress(_call(call_id))
    return {
        "jurors": {str(k): v for k, v in data["jurors"].items()},
        "applications": {str(k): v for k, v in data["applications"].items()},
    }


@blp.route("/calls/<int:call_id>/jury/reminders", methods=["POST"])
@require_user(*MANAGERS)
def reminders(call_id):
    """Remind every juror with work left (once a day at most)."""
    sent = jury.send_reminders(_call(call_id))
    commit()
    return {"sent": sent}


@blp.route("/jury/assignments")
@require_user()
@blp.response(200, schemas.AssignmentListSchema)
def my_assignments():
    """The caller's own assignments as a juror."""
    return {"items": jury.assignments_of_juror(current_api_user())}


@blp.route("/applications/<int:app_id>/conflict", methods=["POST"])
@require_user()
@blp.arguments(schemas.ConflictInSchema)
@blp.response(200, schemas.ScoreSchema)
def conflict(data, app_id):
    """Declare "no conflict", or a conflict with a reason (which removes you from it)."""
    user = current_api_user()
    a = jury.declare(app_id, user, data["conflict"], data.get("reason", ""))
    commit()
    return jury.score_view(a)


@blp.route("/applications/<int:app_id>/score")
class Score(MethodView):
    @require_user()
    @blp.response(200, schemas.ScoreSchema)
    def get(self, app_id):
        """Your assignment: the application (in full once you declared no conflict), your
        scores, and the other jurors' when you may see them."""
        return jury.score_view(jury.juror_assignment(app_id, current_api_user()))

    @require_user()
    @blp.arguments(schemas.ScoreInSchema)
    @blp.response(200, schemas.ScoreSchema)
    def put(self, data, app_id):
        """Save your scores (and submit them with `"submit": true`)."""
        user = current_api_user()
        a = jury.save_score(app_id, user, data["scores"], data.get("comment", ""), data.get("submit", False))
        commit()
        return jury.score_view(a)


@blp.route("/calls/<int:call_id>/ranking")
@require_user(*READERS)
@blp.response(200, schemas.RankingSchema)
def ranking(call_id):
    """The ranking, best first, with the disputed flag and the public lottery seed."""
    call = _call(call_id)
    return {
        "items": jury.ranking(call),
        "lottery_seed": call.lottery_seed,
        "calibration": call.calibration,
        "disagreement_threshold": call.disagreement_threshold,
    }


@blp.route("/calls/<int:call_id>/selection/propose", methods=["POST"])
@require_user(*MANAGERS)
@blp.response(200, schemas.ProposalSchema)
def propose(call_id):
    """The proposed selection within the matching budget (changes nothing)."""
    result = jury.propose(_call(call_id), current_api_user())
    return result | {"match_cents": {str(k): v for k, v in result["match_cents"].items()}}


@blp.route("/calls/<int:call_id>/selection/confirm", methods=["POST"])
@require_user(*MANAGERS)
@blp.arguments(schemas.ConfirmInSchema)
@blp.response(200, schemas.SelectionSchema)
def confirm(data, call_id):
    """Confirm the selection (a reason for every deviation from the proposal)."""
    row = jury.confirm(_call(call_id), data["application_ids"], data.get("reasons"), current_api_user())
    commit()
    return row


@blp.route("/calls/<int:call_id>/selection")
@require_user(*READERS)
@blp.response(200, schemas.SelectionSchema)
def selection(call_id):
    """The confirmed selection (404 before it was confirmed)."""
    row = jury.selection_of(_call(call_id))
    if row is None:
        raise NotFound(_("Voor deze oproep is nog geen selectie bevestigd."))
    return row


@blp.route("/calls/<int:call_id>/jury/audit")
@require_user(*READERS)
@blp.response(200, schemas.AuditTrailSchema)
def audit_trail(call_id):
    """The jury's audit trail of the call (who, when, before, after), oldest first."""
    return {"items": jury.audit_trail(_call(call_id))}
