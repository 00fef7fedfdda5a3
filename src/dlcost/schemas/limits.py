"""The inputs of ``dlcost limits`` (issue 14, seed 003): a projection query and a simulation query.

The hardware that prices the ``today`` conversion is given with the estimator's own fields
(``gpu``, ``precision``, ``price_per_hour``, ``provider``, ``country``, ``region``, ``pue``,
``power_w``): the same definitions, checked by the Scenario's own validators
(:meth:`LimitsQuery.hardware_scenario`), resolved by the estimator's one resolver.
"""

from __future__ import annotations

import copy
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.schemas._common import MAX_IMAGES, Inputs, stated
from dlcost.schemas.business import MAX_AMOUNT_USD
from dlcost.schemas.errors import input_problems
from dlcost.schemas.scenario import Scenario

__all__ = ["LimitsQuery", "SimulationQuery", "WebSimulationQuery", "CurveQuery", "FitQuery", "MAX_HALVINGS", "MAX_FIT_ROWS", "MAX_IMAGES", "Benchmark", "HARDWARE_FIELDS", "MAX_REPS", "MAX_WEB_REPS", "MAX_SEED"]

Benchmark = Literal["imagenet", "ms-coco", "squad-1.1", "conll-2003", "wmt-2014-en-fr"]
#: The estimator's hardware inputs a ``today`` conversion takes.
HARDWARE_FIELDS = ("gpu", "precision", "price_per_hour", "provider", "country", "region", "pue", "power_w")
#: Most simulations per case one request may ask for.
MAX_REPS = 100_000
#: Most simulations per case one web request may ask for (about 3 s on two cores; the CLI runs any number).
MAX_WEB_REPS = 100
MAX_SEED = 2**32 - 1
#: Most halvings of error a curve may price (each one an estimate).
MAX_HALVINGS = 12
#: Most rows one fit request may send.
MAX_FIT_ROWS = 100_000


def _whole_in(value, name: str, low: int, high: int) -> int:
    """``value`` as an int from ``low`` to ``high``; one line stating the whole range if not."""
    try:
        number = checks.check_whole_count(value, name, minimum=low)
    except InputError:
        number = None
    if number is None or number > high:
        raise InputError(name, f"{name} must be a whole number from {low:,} to {high:,}; got {checks.shown(value)}.")
    return number


def _scenario_field(name: str):
    return copy.deepcopy(Scenario.model_fields[name])


class LimitsQuery(Inputs):
    """A projection of seed 003's Figure 4: the computation, dollars and CO2 of a target error on a benchmark."""

    benchmark: Benchmark = Field(description="imagenet, ms-coco, squad-1.1, conll-2003 or wmt-2014-en-fr (seed 003, Figure 4).")
    target_error: float = Field(description="Error to reach, a fraction in (0, 1): 1 - the benchmark's metric (see `dlcost limits table`).",
                                json_schema_extra=stated({"exclusiveMinimum": 0, "exclusiveMaximum": 1}))
    form: Literal["polynomial", "exponential"] = Field("polynomial", description="polynomial (Table 3) or exponential (Table 4).")
    conversion: Literal["paper-2020", "today"] = Field(
        "paper-2020", description="paper-2020: the seed's dollars and CO2 per Gflop (its reference [82], recovered from Figure 4); "
                                  "today: the hardware catalog's GPU, price, power and grid.")
    coefficients: Literal["figure-4", "table"] = Field(
        "figure-4", description="figure-4: the coefficients Figure 4 implies; table: the tables' two-decimal values.")
    gpu: str = _scenario_field("gpu")
    precision: Literal["bf16", "fp16", "tf32", "fp32"] = _scenario_field("precision")
    price_per_hour: float | None = _scenario_field("price_per_hour")
    provider: str | None = _scenario_field("provider")
    country: str | None = _scenario_field("country")
    region: str | None = _scenario_field("region")
    pue: float | None = _scenario_field("pue")
    power_w: float | None = _scenario_field("power_w")

    @field_validator("target_error")
    @classmethod
    def _target(cls, value):
        value = checks.check_number_input(value, "target_error")
        if not 0.0 < value < 1.0:
            raise InputError("target_error", f"target_error must be a fraction in (0, 1), exclusive; got {checks.shown(value)}.")
        return float(value)

    def hardware_scenario(self) -> Scenario:
        """A Scenario holding only this query's hardware inputs, for the estimator's resolver."""
        values = {name: getattr(self, name) for name in HARDWARE_FIELDS if getattr(self, name) is not None}
        return Scenario.model_validate({"target_accuracy": 0.5, "data_max": 1.0, "cost_per_datapoint": 0.0, "classes": 2, **values})

    @model_validator(mode="after")
    def _hardware(self):
        try:
            self.hardware_scenario()
        except ValidationError as error:
            problem = input_problems(error)[0]
            raise InputError(problem["field"], problem["msg"]) from None
        return self


class SimulationQuery(Inputs):
    """The simulation of seed 003's section 2 (Figure 1)."""

    reps: int = Field(1000, description="Simulations per model and sample size (the seed: 1,000).",
                      json_schema_extra=stated({"minimum": 1, "maximum": MAX_REPS}))
    seed: int = Field(0, description="Seed of the random numbers; the same seed gives the same answer.",
                      json_schema_extra=stated({"minimum": 0, "maximum": MAX_SEED}))

    @field_validator("reps", "seed")
    @classmethod
    def _whole(cls, value, info):
        low, high = (1, MAX_REPS) if info.field_name == "reps" else (0, MAX_SEED)
        return _whole_in(value, info.field_name, low, high)



class CurveQuery(Inputs):
    """Your own project on seed 003's curve: a scenario's target error and each further halving of it, priced."""

    scenario: Scenario = Field(description="The estimate scenario (the keys of `dlcost estimate --scenario`).")
    halvings: int = Field(5, description="Targets to price: the scenario's error and each halving after it.",
                          json_schema_extra=stated({"minimum": 1, "maximum": MAX_HALVINGS}))
    budget_usd: float | None = Field(None, description="Most the project may spend; steps above it are flagged. [USD]",
                                     json_schema_extra=stated({"exclusiveMinimum": 0, "maximum": MAX_AMOUNT_USD}))

    @field_validator("halvings")
    @classmethod
    def _halvings(cls, value):
        return _whole_in(value, "halvings", 1, MAX_HALVINGS)

    @field_validator("budget_usd")
    @classmethod
    def _budget(cls, value):
        if value is None:
            return None
        return checks.check_at_most(checks.check_positive(value, "budget_usd"), "budget_usd", MAX_AMOUNT_USD)


class WebSimulationQuery(SimulationQuery):
    """The simulation over HTTP: at most MAX_WEB_REPS simulations per case, so one request takes seconds (the CLI runs any number)."""

    reps: int = Field(MAX_WEB_REPS, description="Simulations per model and sample size (the CLI runs the seed's 1,000).",
                      json_schema_extra=stated({"minimum": 1, "maximum": MAX_WEB_REPS}))

    @field_validator("reps")
    @classmethod
    def _web_cap(cls, value):
        if value > MAX_WEB_REPS:
            raise InputError("reps", f"reps must be a whole number from 1 to {MAX_WEB_REPS:,} over HTTP; got {value:,}. "
                                     "Run `dlcost limits simulate --reps N` for more.")
        return value


class FitQuery(Inputs):
    """Columns to refit seed 003's regressions on: what `dlcost limits fit` reads from a CSV file's columns.

    The values are checked by :func:`dlcost.engine.limits_fit.fit_limits` (errors in (0, 1), compute
    positive, equal lengths, at least 3 rows), the same function the CLI calls.
    """

    compute: list[float] = Field(description="Computation of each model (Gflops per pass, or training FLOPs).",
                                 json_schema_extra=stated({"minItems": 1, "maxItems": MAX_FIT_ROWS}))
    error: list[float] | None = Field(None, description="Error of each model, fractions in (0, 1); leave out to fit growth by year.",
                                      json_schema_extra=stated({"maxItems": MAX_FIT_ROWS}))
    year: list[float] | None = Field(None, description="Year of each model (decimal years).",
                                     json_schema_extra=stated({"maxItems": MAX_FIT_ROWS}))

    @field_validator("compute", "error", "year")
    @classmethod
    def _rows(cls, value, info):
        if value is not None and len(value) > MAX_FIT_ROWS:
            raise InputError(info.field_name, f"{info.field_name} must have at most {MAX_FIT_ROWS:,} rows; got {len(value):,}.")
        return value
