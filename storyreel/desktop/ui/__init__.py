"""The windows: one module per screen, each a client of ``ApiClient`` through ``Jobs``."""
