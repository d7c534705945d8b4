"""Accounts and access: passwords, tokens, API keys, roles, quotas and rate limits."""
