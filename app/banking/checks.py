"""The bank's part of `flask ledger verify`.

For each account with imported statements: the ledger's `bank:<iban>` equals the last
statement's closing balance minus the lines decided "other" (money outside the
platform), and the suspense account holds exactly the lines still in the queue.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.banking import accounts
from app.banking.models import BankLine, BankStatement
from app.extensions import db
from app.ledger import services as ledger


def check_bank_accounts(out: list[dict]) -> None:
    ibans = db.session.scalars(select(BankStatement.account_iban).distinct())
    for iban in ibans:
        last = db.session.scalars(
            select(BankStatement)
            .where(BankStatement.account_iban == iban)
            .order_by(BankStatement.statement_date.desc(), BankStatement.id.desc())
            .limit(1)
        ).one()
        sums = dict(
            db.session.execute(
                select(BankLine.status, func.coalesce(func.sum(BankLine.amount_cents), 0))
                .where(BankLine.account_iban == iban)
                .group_by(BankLine.status)
            ).all()
        )
        expected = last.closing_balance_cents - int(sums.get("other", 0))
        booked = ledger.balance(accounts.bank(iban))
        if booked != expected:
            out.append(
                {
                    "check": "bank_balance",
                    "account": iban,
                    "booked": booked,
                    "expected": expected,
                    "message": f"bank {iban}: ledger {booked} != closing less 'other' lines {expected}",
                }
            )
        waiting = int(sums.get("unmatched", 0))
        suspense = -ledger.balance(accounts.suspense(iban))
        if suspense != waiting:
            out.append(
                {
                    "check": "bank_suspense",
                    "account": iban,
                    "booked": suspense,
                    "expected": waiting,
                    "message": f"bank {iban}: suspense {suspense} != lines in the queue {waiting}",
                }
            )
