"""One router per resource (CONVENTIONS.md, rule 1)."""
