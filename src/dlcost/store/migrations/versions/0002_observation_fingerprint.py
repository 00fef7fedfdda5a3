"""Observations get a content fingerprint, so identical imports are skipped.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from dlcost.store._fingerprint import observation_fingerprint

revision = "0002"
down_revision = "0001"

#: The observation columns at this revision (later ones, such as 0005's dataset_distance, do not exist yet;
#: a fingerprint counts them only when given, so these rows' fingerprints stay right after those migrations).
FINGERPRINT_FIELDS = ("dataset", "task", "n_train", "n_classes", "class_counts", "relative_complexity", "pretrained",
                      "architecture", "epochs", "metric_name", "metric_value", "gpu_hours", "cost_usd", "source",
                      "observed_on", "notes")


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
    types = {"n_train": sa.Float, "n_classes": sa.Integer, "class_counts": sa.JSON, "relative_complexity": sa.Float,
             "pretrained": sa.Boolean, "epochs": sa.Float, "metric_value": sa.Float, "gpu_hours": sa.Float, "cost_usd": sa.Float}
    table = sa.table("observations", sa.column("id", sa.Integer), sa.column("fingerprint", sa.String),
                     *(sa.column(name, types.get(name, sa.String)) for name in FINGERPRINT_FIELDS))
    connection = op.get_bind()
    rows = connection.execute(sa.select(table)).mappings().all()
    for row in rows:
        connection.execute(table.update().where(table.c.id == row["id"]).values(fingerprint=observation_fingerprint(dict(row))))
    op.create_index("ix_observations_fingerprint", "observations", ["fingerprint"])


def downgrade() -> None:
    op.drop_index("ix_observations_fingerprint", table_name="observations")
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("fingerprint")
