"""Settings, read from the environment when a Config is built (never at import time)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Every setting the platform reads. deploy/streekfonds.env.example documents each one."""

    def __init__(self, instance_path: str | None = None, **overrides):
        env = os.environ
        instance = Path(instance_path or env.get("INSTANCE_PATH") or Path.cwd() / "instance")
        self.INSTANCE_PATH = str(instance)
        # No default: outside testing the app refuses to start without a strong one
        # (app/core/startup_checks.py); demo mode generates one into the instance folder.
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        # Keys the backers' pseudonyms in the public ledger; changing it changes them all.
        self.PSEUDONYM_KEY = env.get("PSEUDONYM_KEY", "")
        # The demo: demo payments, /demo/* pages and a banner on every page.
        self.DEMO_MODE = _bool(env.get("DEMO_MODE"))
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL", f"sqlite:///{instance / 'streekfonds.sqlite'}")
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {}
        self.PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.REDIS_URL = env.get("REDIS_URL", "")
        # The Celery queue of `payments.apply_received` (confirming paid pledges). Empty: the
        # default queue, which every worker takes. A name: start a worker for it
        # (`celery ... worker -Q <name>`), so confirmations never wait behind a burst of mail.
        self.PAYMENTS_QUEUE = env.get("PAYMENTS_QUEUE", "")
        self.BABEL_DEFAULT_LOCALE = "nl"
        self.BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
        self.LANGUAGES = ["nl", "en", "fr"]
        # argon2 parameters (time_cost, memory_cost, parallelism); empty = the library's defaults.
        self.ARGON2_PARAMS: dict = {}
        self.MAX_UPLOAD_BYTES = int(env.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
        # A request may carry a few attachments; Flask refuses anything bigger with 413.
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_CONTENT_LENGTH", str(32 * 1024 * 1024)))
        self.WTF_CSRF_ENABLED = _bool(env.get("WTF_CSRF_ENABLED"), True)
        self.WTF_CSRF_TIME_LIMIT = None
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.PUBLIC_BASE_URL.startswith("https://")
        # Remember-me (never for staff roles): at most 30 days, same flags as the session.
        self.REMEMBER_COOKIE_DURATION = timedelta(days=int(env.get("REMEMBER_COOKIE_DAYS", "30")))
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # A session ends after this long without a request (staff / everyone else), and
        # after SESSION_ABSOLUTE_HOURS whatever happens.
        self.SESSION_IDLE_MINUTES_STAFF = int(env.get("SESSION_IDLE_MINUTES_STAFF", "30"))
        self.SESSION_IDLE_MINUTES = int(env.get("SESSION_IDLE_MINUTES", str(24 * 60)))
        self.SESSION_ABSOLUTE_HOURS = int(env.get("SESSION_ABSOLUTE_HOURS", "12"))
        # API tokens expire after this many days unless made with another lifetime (0: never).
        self.API_TOKEN_DAYS = int(env.get("API_TOKEN_DAYS", "365"))
        # Rate limits (limits' notation, ";" between several). Storage: Redis when REDIS_URL
        # is set, else memory of the process.
        self.RATELIMIT_ENABLED = _bool(env.get("RATELIMIT_ENABLED"), True)
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "")
        self.RATELIMIT_LOGIN = env.get("RATELIMIT_LOGIN", "20 per minute;100 per hour")
        self.RATELIMIT_LOGIN_ACCOUNT = env.get("RATELIMIT_LOGIN_ACCOUNT", "5 per 15 minutes;20 per day")
        # The owner of an account under attack is mailed at most this often.
        self.RATELIMIT_LOGIN_ACCOUNT_MAIL = env.get("RATELIMIT_LOGIN_ACCOUNT_MAIL", "1 per day")
        self.RATELIMIT_REGISTER = env.get("RATELIMIT_REGISTER", "5 per hour")
        self.RATELIMIT_RESET = env.get("RATELIMIT_RESET", "5 per hour")
        self.RATELIMIT_RESET_ACCOUNT = env.get("RATELIMIT_RESET_ACCOUNT", "3 per hour")
        self.RATELIMIT_TOKEN = env.get("RATELIMIT_TOKEN", "10 per hour")
        self.RATELIMIT_PLEDGE = env.get("RATELIMIT_PLEDGE", "10 per hour")
        self.RATELIMIT_PLEDGE_CAMPAIGN = env.get("RATELIMIT_PLEDGE_CAMPAIGN", "300 per hour")
        # Past this many pledges of one address in the hour, a person proves to be there.
        self.RATELIMIT_PLEDGE_CHALLENGE_AFTER = int(env.get("RATELIMIT_PLEDGE_CHALLENGE_AFTER", "3"))
        # Retention (docs/privacy.md): tax-certificate data after the filing year, drafts
        # never submitted, accounts never confirmed.
        self.RETENTION_TAX_YEARS = int(env.get("RETENTION_TAX_YEARS", "7"))
        # Bookkeeping records (the payer's details on bank-statement lines): docs/privacy.md.
        self.RETENTION_ACCOUNTING_YEARS = int(env.get("RETENTION_ACCOUNTING_YEARS", "10"))
        self.RETENTION_DRAFT_DAYS = int(env.get("RETENTION_DRAFT_DAYS", "365"))
        self.RETENTION_UNCONFIRMED_DAYS = int(env.get("RETENTION_UNCONFIRMED_DAYS", "30"))
        # Who the controller is, shown on the privacy page.
        self.PRIVACY_CONTROLLER = env.get("PRIVACY_CONTROLLER", "")
        self.PRIVACY_CONTACT = env.get("PRIVACY_CONTACT", "")
        self.RATELIMIT_PRIVACY = env.get("RATELIMIT_PRIVACY", "5 per hour")
        # How long (seconds) a web process may answer anonymous visitors of a public campaign
        # page from the version it read last, without asking the database (0 = ask each time).
        self.PUBLIC_PAGE_MAX_AGE = float(env.get("PUBLIC_PAGE_MAX_AGE", "1"))
        # Payments
        self.STRIPE_SECRET_KEY = env.get("STRIPE_SECRET_KEY", "")
        self.STRIPE_WEBHOOK_SECRET = env.get("STRIPE_WEBHOOK_SECRET", "")
        self.STRIPE_API_BASE = env.get("STRIPE_API_BASE", "")
        # stripe or demo, said explicitly; demo mode alone may leave it unset (then demo).
        self.PAYMENT_GATEWAY = env.get("PAYMENT_GATEWAY", "demo" if self.DEMO_MODE else "")
        self.DATA_ENCRYPTION_KEY = env.get("DATA_ENCRYPTION_KEY", "")
        # Payouts: the fund's own account (debtor of the SEPA files) and the pain.001 version.
        self.PAYOUT_DEBTOR_NAME = env.get("PAYOUT_DEBTOR_NAME", "")
        self.PAYOUT_DEBTOR_IBAN = env.get("PAYOUT_DEBTOR_IBAN", "")
        self.PAYOUT_DEBTOR_BIC = env.get("PAYOUT_DEBTOR_BIC", "")
        self.SEPA_PAIN_VERSION = env.get("SEPA_PAIN_VERSION", "pain.001.001.09")
        # The fund's bank account for gifts by transfer (empty: backers cannot choose it).
        self.BANK_IBAN = env.get("BANK_IBAN", "").replace(" ", "").upper()
        self.BANK_BIC = env.get("BANK_BIC", "").replace(" ", "").upper()
        self.BANK_BENEFICIARY = env.get("BANK_BENEFICIARY", "")
        # A pledge by transfer waits this many days for its money (reminder at half time).
        self.BANK_TRANSFER_DAYS = int(env.get("BANK_TRANSFER_DAYS", "14"))
        # Funds (issue 14): the fund that holds everything of a one-fund installation, and
        # how long a process trusts its copy of the funds' names, hosts and colours.
        self.DEFAULT_FUND_SLUG = env.get("DEFAULT_FUND_SLUG", "streekfonds")
        self.DEFAULT_FUND_NAME = env.get("DEFAULT_FUND_NAME", "streekfonds")
        self.FUNDS_CACHE_SECONDS = int(env.get("FUNDS_CACHE_SECONDS", "30"))
        # Mail
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(env.get("MAIL_PORT", "25"))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _bool(env.get("MAIL_USE_TLS"))
        self.MAIL_FROM = env.get("MAIL_FROM", "streekfonds <noreply@streekfonds.local>")
        self.OUTBOX_SWEEP_SECONDS = int(env.get("OUTBOX_SWEEP_SECONDS", "60"))
        # A delivery claimed longer ago than this is presumed lost (worker killed) and retried.
        self.OUTBOX_LEASE_SECONDS = int(env.get("OUTBOX_LEASE_SECONDS", "120"))
        self.OUTBOX_MAX_ATTEMPTS = int(env.get("OUTBOX_MAX_ATTEMPTS", "8"))
        self.OUTBOX_RETRY_SECONDS = int(env.get("OUTBOX_RETRY_SECONDS", "60"))
        # flask-smorest / OpenAPI
        self.API_TITLE = "streekfonds API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.API_SPEC_OPTIONS = {
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        }
        self.TESTING = _bool(env.get("TESTING"))
        for key, value in overrides.items():
            setattr(self, key, value)

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}
