"""voice providers."""
