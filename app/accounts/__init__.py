"""Users, roles, login, e-mail confirmation, password reset and API tokens."""
