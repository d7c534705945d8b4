"""Capability interfaces, the built-in offline providers, the registry and the result cache."""
