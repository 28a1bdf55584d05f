"""Alembic environment and revisions of the store's schema (run by `app.store.migrate`)."""
