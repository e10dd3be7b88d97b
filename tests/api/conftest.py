from tests.campaigns.fixtures import encryption_key, fake_stripe  # noqa: F401
