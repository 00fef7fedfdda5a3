"""Tables of the store (SQLAlchemy 2 declarative). Changes go through an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC time on every backend (SQLite stores it without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class ScenarioRow(Base):
    """A priced scenario: its inputs, the result as computed then, and what computed it."""

    __tablename__ = "scenarios"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    inputs: Mapped[dict] = mapped_column(JSON, nullable=False)
    result: Mapped[dict] = mapped_column(JSON, nullable=False)
    model_name: Mapped[str] = mapped_column(String(200), nullable=False)
    catalog_version: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class BusinessCaseRow(Base):
    """A saved business case (issue 13): its inputs and the result as computed then."""

    __tablename__ = "business_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    inputs: Mapped[dict] = mapped_column(JSON, nullable=False)
    result: Mapped[dict] = mapped_column(JSON, nullable=False)
    catalog_version: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ObservationRow(Base):
    """An observed project outcome: what was trained on what, and the accuracy reached."""

    __tablename__ = "observations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(300), nullable=False)
    task: Mapped[str] = mapped_column(String(40), nullable=False)
    n_train: Mapped[float] = mapped_column(Float, nullable=False)
    n_classes: Mapped[int | None] = mapped_column(Integer)
    class_counts: Mapped[list | None] = mapped_column(JSON)
    relative_complexity: Mapped[float | None] = mapped_column(Float)  # when classes are unknown (Table 2)
    pretrained: Mapped[bool] = mapped_column(Boolean, nullable=False)
    architecture: Mapped[str | None] = mapped_column(String(200))
    epochs: Mapped[float | None] = mapped_column(Float)
    metric_name: Mapped[str] = mapped_column(String(100), nullable=False)
    metric_value: Mapped[float] = mapped_column(Float, nullable=False)  # accuracy or mIoU, fraction
    gpu_hours: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text, nullable=False, default="")
    observed_on: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    fingerprint: Mapped[str | None] = mapped_column(String(64), index=True)  # migration 0002
    dataset_distance: Mapped[float | None] = mapped_column(Float)  # seed 000's dataset distance (migration 0005)


class FittedModelRow(Base):
    """A refit of eq. (1): coefficients with their statistics, covariance and provenance."""

    __tablename__ = "fitted_models"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    coefficients: Mapped[list] = mapped_column(JSON, nullable=False)
    covariance: Mapped[list] = mapped_column(JSON, nullable=False)
    r2: Mapped[float] = mapped_column(Float, nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    residual_variance: Mapped[float] = mapped_column(Float, nullable=False)
    df_resid: Mapped[float] = mapped_column(Float, nullable=False)
    observation_ids: Mapped[list] = mapped_column(JSON, nullable=False)
    selection: Mapped[dict] = mapped_column(JSON, nullable=False)
    with_paper_cases: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    covariate_test: Mapped[dict | None] = mapped_column(JSON)  # the dataset-distance test of the fit (migration 0005)


class SettingRow(Base):
    """Store-wide settings, e.g. the model estimates use (``active_model``)."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class CalibrationRow(Base):
    """A computed interval calibration, valid while the observations are unchanged (migration 0003).

    ``observations_version`` is the settings value ``observations_version`` when it was
    computed; every write to the observations changes that value, so a stale row is never read.
    ``model_digest`` identifies the model's coefficients (a refit under the same name differs).
    """

    __tablename__ = "calibrations"
    __table_args__ = (UniqueConstraint("model_digest", "level", "observations_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_name: Mapped[str] = mapped_column(String(200), nullable=False)
    model_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    level: Mapped[float] = mapped_column(Float, nullable=False)
    observations_version: Mapped[str] = mapped_column(String(64), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    low_log10: Mapped[float | None] = mapped_column(Float)  # NULL: not a number
    high_log10: Mapped[float | None] = mapped_column(Float)
    n_observations: Mapped[int] = mapped_column(Integer, nullable=False)
    n_datasets: Mapped[int] = mapped_column(Integer, nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
