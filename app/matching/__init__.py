"""Sponsors, commitments, match policies and the matching postings in the ledger."""
