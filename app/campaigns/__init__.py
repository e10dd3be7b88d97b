"""Crowdfunding campaigns, pledges and their lifecycle."""
