"""All SQL lives here; callers pass the session whose transaction they own."""
