import pytest

from tests.payouts.helpers import FUND


@pytest.fixture(autouse=True)
def _fund_account(app):
    """The fund's own account, as PAYOUT_DEBTOR_* would set it."""
    keys = {
        "PAYOUT_DEBTOR_NAME": FUND["name"],
        "PAYOUT_DEBTOR_IBAN": FUND["iban"],
        "PAYOUT_DEBTOR_BIC": FUND["bic"],
    }
    before = {k: app.config.get(k) for k in keys}
    app.config.update(keys)
    yield
    app.config.update(before)
