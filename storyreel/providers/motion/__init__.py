"""motion providers."""
