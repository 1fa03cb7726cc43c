"""The customer file: organisations, contact persons, orders, preferences, scores and segments."""
