"""Public reports, open-data exports and the verifiable public ledger."""
