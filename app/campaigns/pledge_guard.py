"""Card testing: pledges without an account cannot open unlimited checkout sessions.

Per client address and per campaign a rate limit (RATELIMIT_PLEDGE, _CAMPAIGN); once an
address has made RATELIMIT_PLEDGE_CHALLENGE_AFTER pledges in the window, each further one
first answers a small question (app.core.humancheck). Logged-in people are known and pass.
"""

from __future__ import annotations

from flask import current_app

from app.core import humancheck, ratelimit


def guard_anonymous_pledge(campaign_id: int, proof_token: str | None, proof_answer: str | None) -> None:
    """429 past a limit, 428 with a question near it; counts the attempt otherwise."""
    if not ratelimit.enabled():
        return
    address = ratelimit.client_address()
    if not ratelimit.allowed("RATELIMIT_PLEDGE", address):
        ratelimit.refuse("RATELIMIT_PLEDGE", address)
    if not ratelimit.allowed("RATELIMIT_PLEDGE_CAMPAIGN", f"campaign:{campaign_id}"):
        ratelimit.refuse("RATELIMIT_PLEDGE_CAMPAIGN", f"campaign:{campaign_id}")
    if ratelimit.used("RATELIMIT_PLEDGE", address) >= current_app.config["RATELIMIT_PLEDGE_CHALLENGE_AFTER"]:
        humancheck.require(proof_token, proof_answer)
    ratelimit.hit("RATELIMIT_PLEDGE", address)
    ratelimit.hit("RATELIMIT_PLEDGE_CAMPAIGN", f"campaign:{campaign_id}")
