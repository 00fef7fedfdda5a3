"""Initial tables: scenarios, observations, fitted models, settings.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("catalog_version", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.String(300), nullable=False),
        sa.Column("task", sa.String(40), nullable=False),
        sa.Column("n_train", sa.Float, nullable=False),
        sa.Column("n_classes", sa.Integer),
        sa.Column("class_counts", sa.JSON),
        sa.Column("relative_complexity", sa.Float),
        sa.Column("pretrained", sa.Boolean, nullable=False),
        sa.Column("architecture", sa.String(200)),
        sa.Column("epochs", sa.Float),
        sa.Column("metric_name", sa.String(100), nullable=False),
        sa.Column("metric_value", sa.Float, nullable=False),
        sa.Column("gpu_hours", sa.Float),
        sa.Column("cost_usd", sa.Float),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("observed_on", sa.String(40)),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_observations_dataset", "observations", ["dataset"])
    op.create_table(
        "fitted_models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("coefficients", sa.JSON, nullable=False),
        sa.Column("covariance", sa.JSON, nullable=False),
        sa.Column("r2", sa.Float, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("residual_variance", sa.Float, nullable=False),
        sa.Column("df_resid", sa.Float, nullable=False),
        sa.Column("observation_ids", sa.JSON, nullable=False),
        sa.Column("selection", sa.JSON, nullable=False),
        sa.Column("with_paper_cases", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(100), nullable=False, unique=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_table("fitted_models")
    op.drop_index("ix_observations_dataset", "observations")
    op.drop_table("observations")
    op.drop_table("scenarios")
