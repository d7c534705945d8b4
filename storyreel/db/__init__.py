"""Persistence: SQLAlchemy 2.0 models, the database handle, repositories and migrations."""
