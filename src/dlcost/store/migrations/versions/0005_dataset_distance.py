"""Observations may carry seed 000's dataset distance; a fitted model keeps the test of it as a covariate (issue 15).

Both columns are nullable and added in place: stored observations keep their values and
their fingerprints (a fingerprint counts the distance only when one is given), and
models fitted before keep their coefficients, with no covariate test.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("dataset_distance", sa.Float, nullable=True))
    with op.batch_alter_table("fitted_models") as batch:
        batch.add_column(sa.Column("covariate_test", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fitted_models") as batch:
        batch.drop_column("covariate_test")
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("dataset_distance")
