"""The double-entry journal: every money movement, in integer cents, append-only.

A domain of its own below campaigns and matching, so that both post to one journal without
importing each other. Account names are documented in README.md ("The ledger").
"""
