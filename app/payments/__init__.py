"""Payment gateways (Stripe, demo), webhooks and the payment event log. Sends signals;
never writes pledges or ledger rows itself."""
