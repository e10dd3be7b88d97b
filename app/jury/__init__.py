"""Jurors, assignments, conflicts of interest, criteria scores, ranking and selection."""
