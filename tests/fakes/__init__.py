"""Local stand-ins for the outside services the platform talks to (Stripe, ...).

They are real network servers, so the code under test uses its real client
libraries against them instead of mocks.
"""
