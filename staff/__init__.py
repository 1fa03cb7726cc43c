"""Staff accounts, roles, login and API tokens."""
