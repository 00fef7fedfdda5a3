"""Alembic environment: runs the migrations on the connection the store hands over."""

from alembic import context
from sqlalchemy import text

from dlcost.store._schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Several processes may open a new store at once: one migrates, the others wait.
        connection.execute(text("SELECT pg_advisory_xact_lock(742031)"))
    context.run_migrations()
