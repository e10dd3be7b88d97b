"""The jury's services: the one module other domains (and the views and API) import.

The rules live in the modules re-exported here: `jurors` (jurors, invitations,
assignments), `window` (scoring window, progress, reminders), `review` (conflicts and
scores), `scoring` and `ranking` (the numbers), `selection` (proposal and confirmation).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from app.calls.models import Application, Call
from app.core.audit import AuditEvent
from app.extensions import db
from app.jury.jurors import (
    accept_invitation,
    add_juror,
    assign,
    assignable_applications,
    assignments_of_call,
    assignments_of_juror,
    auto_assign,
    juror_of,
    jurors_of,
    on_user_registered,
)
from app.jury.models import Assignment
from app.jury.ranking import jury_applications, lottery_digest, ranking
from app.jury.review import (
    application_view,
    declare,
    juror_assignment,
    may_see_others,
    save_score,
    score_view,
    total_of,
)
from app.jury.selection import BudgetPlanner, confirm, planner_for, propose, selection_of
from app.jury.window import (
    close_scoring,
    find_window,
    open_scoring,
    open_windows,
    progress,
    send_reminders,
    set_reveal,
    window_state,
)

__all__ = [
    "BudgetPlanner",
    "accept_invitation",
    "add_juror",
    "application_view",
    "assign",
    "assignable_applications",
    "assignments_of_call",
    "assignments_of_juror",
    "audit_trail",
    "auto_assign",
    "close_scoring",
    "confirm",
    "declare",
    "find_window",
    "juror_assignment",
    "juror_of",
    "jurors_of",
    "jury_applications",
    "lottery_digest",
    "may_see_others",
    "on_user_registered",
    "open_scoring",
    "open_windows",
    "planner_for",
    "progress",
    "propose",
    "ranking",
    "save_score",
    "score_view",
    "selection_of",
    "send_reminders",
    "set_reveal",
    "total_of",
    "window_state",
]

_APPLICATION_ACTIONS = ("application.in_review", "application.selected", "application.not_selected")


def audit_trail(call: Call) -> list[AuditEvent]:
    """The jury's audit events of a call, oldest first: window, jurors, assignments,
    conflict declarations, score changes, the selection and the status moves it made."""
    assignment_ids = select(Assignment.id).where(Assignment.call_id == call.id)
    app_ids = select(Application.id).where(Application.call_id == call.id)
    q = (
        select(AuditEvent)
        .where(
            or_(
                and_(
                    AuditEvent.object_type == "call",
                    AuditEvent.object_id == call.id,
                    AuditEvent.action.like("jury.%"),
                ),
                and_(AuditEvent.object_type == "jury_assignment", AuditEvent.object_id.in_(assignment_ids)),
                and_(
                    AuditEvent.object_type == "application",
                    AuditEvent.object_id.in_(app_ids),
                    AuditEvent.action.in_(_APPLICATION_ACTIONS),
                ),
            )
        )
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(q))
