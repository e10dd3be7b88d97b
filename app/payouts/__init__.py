"""Paying the projects: invoices, payout requests with four eyes, SEPA batches and the final report."""
