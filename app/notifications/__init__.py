"""Message catalogue, templates, the outbox and delivery."""
