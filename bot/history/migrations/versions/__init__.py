"""One module per schema revision (alembic); the newest is ``head``."""
