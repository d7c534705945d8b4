"""image providers."""
