"""Interval calibrations are stored, keyed by a version of the observations that every write changes.

Revision ID: 0003
Revises: 0002
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "calibrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_digest", sa.String(64), nullable=False),
        sa.Column("level", sa.Float, nullable=False),
        sa.Column("observations_version", sa.String(64), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("low_log10", sa.Float),
        sa.Column("high_log10", sa.Float),
        sa.Column("n_observations", sa.Integer, nullable=False),
        sa.Column("n_datasets", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("model_digest", "level", "observations_version"),
    )
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(settings.delete().where(settings.c.key == "observations_version"))
    op.bulk_insert(settings, [{"key": "observations_version", "value": uuid.uuid4().hex}])


def downgrade() -> None:
    settings = sa.table("settings", sa.column("key", sa.String))
    op.execute(settings.delete().where(settings.c.key == "observations_version"))
    op.drop_table("calibrations")
