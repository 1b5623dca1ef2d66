"""Alembic migrations of the registry database (``vte-registry db upgrade``)."""
