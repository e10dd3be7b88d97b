"""Open calls, applications and the application workflow."""
