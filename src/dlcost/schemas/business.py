"""A business case (issue 13): the whole bill of a vision system over its life against what it brings.

A case is a TOML file (``examples/business-*.toml``) with the keys below; it may embed an
estimate scenario (``[scenario]``, the keys of ``dlcost estimate --scenario``), whose data and
training costs, data range and serving figures the bill takes. Money in USD, rates as fractions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.schemas._common import MAX_NAME, MAX_PRICE_USD, Inputs, check_name, stated
from dlcost.schemas.scenario import Scenario

__all__ = ["Activity", "Role", "NewsvendorBenefit", "ClassificationBenefit", "AutomationBenefit", "BusinessCase",
           "MAX_YEARS", "MAX_COUNT", "MAX_AMOUNT_USD"]

#: Longest horizon a case may look over. [years]
MAX_YEARS = 100
#: Largest count (prediction units, predictions a year, workers, runs a year, deployments) a case may state.
MAX_COUNT = 1e15
#: Largest amount (a budget, a wage, a one-off line, the cost of one error) a case may state: a trillion dollars. [USD]
MAX_AMOUNT_USD = 1e12
_PRICE = stated({"minimum": 0, "maximum": MAX_PRICE_USD})
_MONEY = stated({"minimum": 0, "maximum": MAX_AMOUNT_USD})
_COUNT = stated({"minimum": 0, "maximum": MAX_COUNT})
_NAME = stated(text={"minLength": 1, "maxLength": MAX_NAME})


def _non_negative(value, name: str, maximum: float) -> float:
    return checks.check_at_most(checks.check_non_negative(value, name), name, maximum)


def _share(value, name: str) -> float:
    """A fraction in the closed [0, 1]: a task may be wholly automated, an error share may be 0."""
    return _non_negative(value, name, 1.0)


class Activity(Inputs):
    """One operating activity of seed 002's slide: what a pilot used of it, its price, how often it recurs."""

    name: str = Field(description="training, prediction, storage, or any the user adds.", json_schema_extra=_NAME)
    units_used: float = Field(description="Units the pilot used per run (hours, GB-months, ...).", json_schema_extra=_COUNT)
    unit: str = Field("unit", description="What a unit is, for the table (hour, GB-month).", json_schema_extra=_NAME)
    cost_per_unit: float = Field(description="Price of one unit. [USD]", json_schema_extra=_PRICE)
    runs_per_year: float = Field(description="How often the activity runs in a year (27 biweekly, 365 daily, 12 monthly).",
                                 json_schema_extra=_COUNT)

    @field_validator("units_used", "runs_per_year")
    @classmethod
    def _counts(cls, value, info):
        return _non_negative(value, info.field_name, MAX_COUNT)

    @field_validator("cost_per_unit")
    @classmethod
    def _price(cls, value):
        return _non_negative(value, "cost_per_unit", MAX_PRICE_USD)

    @field_validator("name", "unit")
    @classmethod
    def _names(cls, value, info):
        return check_name(value, info.field_name, "an activity or its unit")


class Role(Inputs):
    """People on the project: how many, for how many months (one-off) or months a year (recurring), at what loaded cost."""

    role: str = Field(description="e.g. ML engineer, data engineer, annotator lead.", json_schema_extra=_NAME)
    people: float = Field(1.0, description="Full-time people in the role.", json_schema_extra=_COUNT)
    months: float = Field(description="Months each (one-off), or months a year (recurring).",
                          json_schema_extra=stated({"minimum": 0, "maximum": 12 * MAX_YEARS}))
    monthly_cost: float = Field(description="Loaded cost of one person-month (salary, overhead). [USD]", json_schema_extra=_MONEY)

    @field_validator("role")
    @classmethod
    def _role(cls, value):
        return check_name(value, "role", "a role (ML engineer, data engineer, ...)")

    @field_validator("people")
    @classmethod
    def _people(cls, value):
        return _non_negative(value, "people", MAX_COUNT)

    @field_validator("months")
    @classmethod
    def _months(cls, value):
        return _non_negative(value, "months", 12 * MAX_YEARS)

    @field_validator("monthly_cost")
    @classmethod
    def _cost(cls, value):
        return _non_negative(value, "monthly_cost", MAX_AMOUNT_USD)


class NewsvendorBenefit(Inputs):
    """Demand forecasting (seed 002): a better forecast cuts lost sales and spoilage, per unit and period."""

    kind: Literal["newsvendor"] = "newsvendor"
    mean_demand: float = Field(description="Mean demand of one prediction unit (SKU-store) per period. [units]", json_schema_extra=_COUNT)
    forecast_error_sd_current: float = Field(description="Standard deviation of the current method's forecast error per period. [units]",
                                             json_schema_extra=_COUNT)
    forecast_error_sd_model: float = Field(description="Standard deviation of the model's forecast error per period. [units]",
                                           json_schema_extra=_COUNT)
    unit_price: float = Field(description="Selling price of one unit. [USD]", json_schema_extra=_PRICE)
    unit_cost: float = Field(description="Cost of one unit stocked. [USD]", json_schema_extra=_PRICE)
    salvage_value: float = Field(0.0, description="What an unsold unit fetches (0 = spoiled). [USD]", json_schema_extra=_PRICE)
    periods_per_year: float = Field(365.0, description="Ordering periods a year (365 daily).", json_schema_extra=_COUNT)

    @field_validator("mean_demand", "forecast_error_sd_current", "forecast_error_sd_model", "periods_per_year")
    @classmethod
    def _counts(cls, value, info):
        return _non_negative(value, info.field_name, MAX_COUNT)

    @field_validator("unit_price", "unit_cost", "salvage_value")
    @classmethod
    def _money(cls, value, info):
        return _non_negative(value, info.field_name, MAX_PRICE_USD)

    @model_validator(mode="after")
    def _margins(self):
        if not self.salvage_value < self.unit_cost:
            raise InputError("salvage_value", f"salvage_value must be below unit_cost ({self.unit_cost:g}); got {self.salvage_value:g}.")
        if not self.unit_cost < self.unit_price:
            raise InputError("unit_cost", f"unit_cost must be below unit_price ({self.unit_price:g}); got {self.unit_cost:g}.")
        return self


class ClassificationBenefit(Inputs):
    """Classification at volume: what a correct prediction brings and what each kind of error costs."""

    kind: Literal["classification"] = "classification"
    predictions_per_year: float = Field(description="Predictions a year per deployment.", json_schema_extra=_COUNT)
    benefit_per_correct: float = Field(description="Value of one correct prediction. [USD]", json_schema_extra=_MONEY)
    cost_false_positive: float = Field(0.0, description="Cost of one false positive (a needless recall, a wasted check). [USD]",
                                       json_schema_extra=_MONEY)
    cost_false_negative: float = Field(0.0, description="Cost of one false negative (a missed finding). [USD]", json_schema_extra=_MONEY)
    positive_share: float = Field(0.5, description="Share of errors that are false negatives (the positives missed). [fraction]",
                                  json_schema_extra=stated({"minimum": 0, "maximum": 1}))
    current_accuracy: float = Field(0.0, description="Accuracy of the process the model replaces; 0 = it gets nothing right "
                                                     "(every case an error at the error costs). [fraction]",
                                    json_schema_extra=stated({"minimum": 0, "maximum": 1}))
    model_accuracy: float | None = Field(None, description="The model's accuracy when the case has no estimate scenario "
                                                           "(with one, the estimate's accuracy is used). [fraction]",
                                         json_schema_extra=stated({"minimum": 0, "maximum": 1}))

    @field_validator("predictions_per_year")
    @classmethod
    def _volume(cls, value):
        return _non_negative(value, "predictions_per_year", MAX_COUNT)

    @field_validator("benefit_per_correct", "cost_false_positive", "cost_false_negative")
    @classmethod
    def _money(cls, value, info):
        return _non_negative(value, info.field_name, MAX_AMOUNT_USD)

    @field_validator("positive_share", "current_accuracy", "model_accuracy")
    @classmethod
    def _fraction(cls, value, info):
        return None if value is None else _share(value, info.field_name)


class AutomationBenefit(Inputs):
    """Automating a task (Svanberg et al. 2024, "Beyond AI Exposure"): the wages of the time it takes over."""

    kind: Literal["automation"] = "automation"
    workers: float = Field(description="Workers doing the task, per deployment (firm).", json_schema_extra=_COUNT)
    annual_wage: float = Field(description="Loaded annual wage of one worker. [USD/year]", json_schema_extra=_MONEY)
    task_share: float = Field(description="Share of their time on the task. [fraction]", json_schema_extra=stated({"minimum": 0, "maximum": 1}))
    automated_share: float = Field(1.0, description="Share of the task the system takes over. [fraction]",
                                   json_schema_extra=stated({"minimum": 0, "maximum": 1}))

    @field_validator("workers")
    @classmethod
    def _workers(cls, value):
        return _non_negative(value, "workers", MAX_COUNT)

    @field_validator("annual_wage")
    @classmethod
    def _wage(cls, value):
        return _non_negative(value, "annual_wage", MAX_AMOUNT_USD)

    @field_validator("task_share", "automated_share")
    @classmethod
    def _fraction(cls, value, info):
        return _share(value, info.field_name)


class BusinessCase(Inputs):
    """The whole bill and the benefit of one vision system, over a horizon."""

    name: str = Field("case", description="What the case is called.", json_schema_extra=_NAME)
    horizon_years: int = Field(5, description="Years the system runs.", json_schema_extra=stated({"minimum": 1, "maximum": MAX_YEARS}))
    discount_rate: float = Field(0.08, description="Annual discount rate (> -100%). [fraction]",
                                 json_schema_extra=stated({"exclusiveMinimum": -1, "maximum": 10}))
    deployments: float = Field(1.0, description="Deployments (stores, product lines, client firms) sharing the one build.",
                               json_schema_extra=stated({"minimum": 1, "maximum": MAX_COUNT}))
    prediction_units: float | None = Field(None, description="Prediction units per deployment (SKU-store combinations) the operating "
                                                             "costs and a newsvendor benefit scale with; default: pilot_prediction_units, else 0.",
                                           json_schema_extra=_COUNT)
    pilot_prediction_units: float | None = Field(None, description="Prediction units the pilot behind `activities` covered (seed 002: 15,000).",
                                                 json_schema_extra=stated({"minimum": 1, "maximum": MAX_COUNT}))
    activities: list[Activity] = Field(default_factory=list, description="Operating activities priced per unit (seed 002).")
    scenario: Scenario | None = Field(None, description="The estimate behind the build: its data and training cost, ranges and serving figures.")
    hyperparameter_search_multiplier: float = Field(1.0, description="Training runs a project really makes per final model (search, restarts).",
                                                    json_schema_extra=stated({"minimum": 1, "maximum": 1e6}))
    engineering: list[Role] = Field(default_factory=list, description="People building it (one-off).")
    infrastructure_usd: float = Field(0.0, description="One-off infrastructure (storage, labelling tools, integration). [USD]", json_schema_extra=_MONEY)
    other_one_off_usd: float = Field(0.0, description="Any other one-off cost. [USD]", json_schema_extra=_MONEY)
    contingency: float = Field(0.15, description="Share added to the one-off costs for what goes wrong. [fraction]",
                               json_schema_extra=stated({"minimum": 0, "maximum": 10}))
    retraining_per_year: float = Field(0.0, description="Retrainings a year, each at the estimate's training cost.", json_schema_extra=_COUNT)
    serving_predictions_per_year: float = Field(0.0, description="Predictions a year per deployment priced at the estimate's "
                                                                 "cost per 1,000 predictions (0: serving is in `activities`).",
                                                json_schema_extra=_COUNT)
    monitoring_per_year_usd: float = Field(0.0, description="Monitoring and drift checks a year. [USD/year]", json_schema_extra=_MONEY)
    relabelling_per_year_usd: float = Field(0.0, description="Relabelling for drift a year. [USD/year]", json_schema_extra=_MONEY)
    operations: list[Role] = Field(default_factory=list, description="People running it (months a year).")
    benefit: NewsvendorBenefit | ClassificationBenefit | AutomationBenefit | None = Field(
        None, description="Where the benefit comes from (kind: newsvendor, classification or automation).")
    budget_usd: float | None = Field(None, description="Most the build may cost, for P(build under budget). [USD]",
                                     json_schema_extra=stated({"exclusiveMinimum": 0, "maximum": MAX_AMOUNT_USD}))

    @field_validator("name")
    @classmethod
    def _name(cls, value):
        return check_name(value, "name", "the case")

    @field_validator("benefit", mode="before")
    @classmethod
    def _benefit_kind(cls, value):
        """The benefit's model chosen by its ``kind``, so that an error names that model's field."""
        if value is None or not isinstance(value, dict):
            return value
        kinds = {"newsvendor": NewsvendorBenefit, "classification": ClassificationBenefit, "automation": AutomationBenefit}
        kind = value.get("kind")
        if not isinstance(kind, str) or kind not in kinds:
            raise InputError("benefit", f"benefit.kind must be newsvendor, classification or automation; got {kind!r}.")
        return kinds[kind].model_validate(value)

    @field_validator("horizon_years")
    @classmethod
    def _horizon(cls, value):
        return checks.check_at_most(checks.check_whole_count(value, "horizon_years", minimum=1), "horizon_years", MAX_YEARS)

    @field_validator("discount_rate")
    @classmethod
    def _rate(cls, value):
        number = float(value)
        if not number > -1.0 or number > 10:
            raise InputError("discount_rate", f"discount_rate must be above -1 (-100%) and at most 10; got {value!r}.")
        return number

    @field_validator("deployments")
    @classmethod
    def _deployments(cls, value):
        number = _non_negative(value, "deployments", MAX_COUNT)
        if number < 1:
            raise InputError("deployments", f"deployments must be at least 1; got {value!r}.")
        return number

    @field_validator("prediction_units", "retraining_per_year", "serving_predictions_per_year")
    @classmethod
    def _counts(cls, value, info):
        return None if value is None else _non_negative(value, info.field_name, MAX_COUNT)

    @field_validator("pilot_prediction_units")
    @classmethod
    def _pilot_units(cls, value):
        if value is None:
            return None
        number = checks.check_at_most(checks.check_positive(value, "pilot_prediction_units"), "pilot_prediction_units", MAX_COUNT)
        if number < 1:
            raise InputError("pilot_prediction_units", f"pilot_prediction_units must be at least 1; got {value!r}.")
        return number

    @field_validator("infrastructure_usd", "other_one_off_usd", "monitoring_per_year_usd", "relabelling_per_year_usd")
    @classmethod
    def _money(cls, value, info):
        return _non_negative(value, info.field_name, MAX_AMOUNT_USD)

    @field_validator("budget_usd")
    @classmethod
    def _budget(cls, value):
        return None if value is None else checks.check_at_most(checks.check_positive(value, "budget_usd"), "budget_usd", MAX_AMOUNT_USD)

    @field_validator("hyperparameter_search_multiplier")
    @classmethod
    def _multiplier(cls, value):
        number = checks.check_positive(value, "hyperparameter_search_multiplier")
        if number < 1 or number > 1e6:
            raise InputError("hyperparameter_search_multiplier", f"hyperparameter_search_multiplier must be from 1 to 1e6; got {value!r}.")
        return number

    @field_validator("contingency")
    @classmethod
    def _contingency(cls, value):
        return _non_negative(value, "contingency", 10)

    @model_validator(mode="after")
    def _consistent(self):
        if self.activities and self.pilot_prediction_units is None:
            raise InputError("pilot_prediction_units", "pilot_prediction_units is needed with activities: "
                                                       "the prediction units the pilot covered (seed 002: 15,000).")
        if self.prediction_units is None:
            self.prediction_units = self.pilot_prediction_units or 0.0
        if self.benefit is not None and self.benefit.kind == "newsvendor" and not self.prediction_units:
            raise InputError("prediction_units", "prediction_units must be above 0 with a newsvendor benefit: "
                                                 "the SKU-store combinations the forecasts serve.")
        if (self.benefit is not None and self.benefit.kind == "classification" and self.scenario is None
                and self.benefit.model_accuracy is None):
            raise InputError("benefit", "benefit.model_accuracy is needed without a scenario: the accuracy the model reaches.")
        try:  # a rate near -100% over a long horizon: (1 + r)^-years beyond any float
            factor = sum((1.0 + self.discount_rate) ** -year for year in range(1, self.horizon_years + 1))
        except OverflowError:
            factor = float("inf")
        if not factor < 1e15:
            raise InputError("discount_rate", f"discount_rate {self.discount_rate:g} is too close to -100% for a horizon of "
                                              f"{self.horizon_years} years (cash would be worth {factor:.3g} times its face value).")
        return self
