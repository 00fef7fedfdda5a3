"""How many images a target needs: dlcost-2026 inverted per backbone, eq. (1) inverted, or a pilot's learning curve.

With a pilot, the need also carries the cost-optimal collection plan (:func:`collection_plan`);
without one, a wide dlcost-2026 range gets a pilot recommendation (:func:`pilot_recommendation`).
Each returns a :class:`DataNeed`: the images needed, the error predicted at the
images the need is sized for (min(needed, data_max)), the accuracy at the data
limit (headroom), and their intervals. Every number is one a result can report:
the images needed are at least 1 (infinite: no size reaches the target), errors
lie in (0, 1] (``error_clamped`` says when eq. (1) gave more than 1), and each
interval holds its point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from dlcost import catalog
from dlcost.core import accuracy, cost
from dlcost.core.bounded_error import LOG_DATA_CENTRE
from dlcost.engine.pilot import fit_pilot
from dlcost.engine.uncertainty import Calibration, data_needed_bounds, error_bounds, reported_error
from dlcost.schemas import LearningCurveQuery, Scenario

__all__ = ["DataNeed", "need_from_eq1", "need_from_pilot"]


@dataclass(frozen=True)
class DataNeed:
    """Images needed for the target, the error reached, and their intervals."""

    data_needed: float  # inf: no size reaches the target
    n_sized: float  # min(data_needed, data_max): the images the need is sized for
    reached_error: float
    error_low: float
    error_high: float
    needed_low: float
    needed_high: float  # inf: unbounded
    error_at_data_max: float
    interval: dict
    source: str
    pilot: object = None  # the LearningCurveResult, when a pilot sized the data
    error_clamped: float | None = None  # the error eq. (1) gave, when above 1 and reported as 1
    collection_plan: dict | None = None  # with a pilot: the cost-optimal rounds (dlcost.core.collection_plan)


def _images(n_images: float) -> float:
    """Images as a need reports them: at least 1; inf (no size reaches the target) for inf or nan. [images]"""
    return math.inf if math.isnan(n_images) else max(1.0, n_images)


def _holding(point: float, low: float, high: float) -> tuple[float, float]:
    """An interval widened, where needed, to hold its point."""
    return min(low, point), max(high, point)


def need_from_eq1(scenario: Scenario, model: catalog.ErrorModel, rc: float, calibration: Calibration) -> DataNeed:
    """Eq. (1) inverted, with the calibrated interval carried through its monotone relation."""
    coef, segmentation, target_error = model.coefficients, scenario.task == "segmentation", 1.0 - scenario.target_accuracy
    data_needed = _images(float(accuracy.images_needed(target_error, rc, scenario.pretrained, segmentation, coef)))  # Eq. (1) solved for n
    n_sized = float(cost.training_images(data_needed, scenario.data_max))
    error = float(accuracy.predicted_error(n_sized, rc, scenario.pretrained, segmentation, coef))  # Eq. (1)
    error_low, error_high = error_bounds(calibration, n_sized, rc, scenario.pretrained, segmentation)
    needed_low, needed_high = data_needed_bounds(calibration, target_error, rc, scenario.pretrained, segmentation,
                                                 n_sized if math.isinf(data_needed) else data_needed)
    needed_low, needed_high = _holding(data_needed, needed_low, needed_high)
    return DataNeed(
        data_needed, n_sized, reported_error(error), error_low, error_high, needed_low, needed_high,
        reported_error(float(accuracy.predicted_error(scenario.data_max, rc, scenario.pretrained, segmentation, coef))),
        calibration.describe(), f"eq. (1), {model.name}", error_clamped=error if not error <= 1.0 else None,
    )


def pilot_query(scenario: Scenario, points=None) -> LearningCurveQuery:
    """The learning-curve query of a scenario's pilot (or of ``points``): the same classes, baseline, task and levels."""
    return LearningCurveQuery(
        points=scenario.pilot_points if points is None else points, target_accuracy=scenario.target_accuracy, task=scenario.task,
        classes=scenario.classes, class_counts=scenario.class_counts, baseline_classes=scenario.baseline_classes,
        baseline_class_counts=scenario.baseline_class_counts, pretrained=scenario.pretrained, tau=scenario.tau,
        interval_level=scenario.interval_level, data_max=scenario.data_max,
    )


def need_from_pilot(scenario: Scenario, model: catalog.ErrorModel) -> DataNeed:
    """The pilot's learning curve sizes the data (eq. (1) only as its prior); fitted once."""
    samples: list = []
    result = fit_pilot(pilot_query(scenario), model, predict_needed_within=scenario.data_max, samples=samples)
    data_needed = _images(result.data_needed) if result.reachable and result.data_needed is not None else math.inf
    prediction = result.prediction
    reachable = data_needed <= scenario.data_max
    interval = {"level": scenario.interval_level, "method": f"pilot learning curve: {result.interval['method']}",
                "n_observations": len(result.points), "n_datasets": 1,
                "calibration": f"{len(result.points)} pilot points; {result.family_label}",
                "low_log10": None, "high_log10": None}
    error = 1.0 - scenario.target_accuracy if reachable else _error(prediction["error"], 1.0)
    error_low, error_high = _holding(error, _error(prediction["error_low"], 0.0), _error(prediction["error_high"], 1.0))
    needed_low = _images(result.data_needed_low or 1.0)
    needed_high = result.data_needed_high if result.data_needed_high is not None else math.inf
    return DataNeed(
        data_needed, float(cost.training_images(data_needed, scenario.data_max)), error, error_low, error_high,
        *_holding(data_needed, needed_low, needed_high), _error(prediction["error_at_data_max"], 1.0), interval,
        f"pilot: {result.family_label}", result, collection_plan=collection_plan(scenario, samples, needed_high),
    )


def collection_plan(scenario: Scenario, needed_samples: list, needed_high: float) -> dict | None:
    """The cost-optimal collection rounds from the pilot's draws of the images needed (Mahmood et al., NeurIPS 2022).

    Each image costs ``cost_per_datapoint``; ending without the target costs
    ``missed_target_penalty`` (default: the data cost of the upper end of the data-needed
    range, or of data_max when that end is unbounded). Rounds start from the images held:
    the largest pilot subset, or data_present if more.
    """
    from dlcost.core.collection_plan import plan_collection

    if not needed_samples or not scenario.pilot_points:
        return None
    held = max(scenario.data_present, scenario.pilot_points[-1].n_train)
    cap = scenario.data_max
    if scenario.missed_target_penalty is not None:
        penalty, source = scenario.missed_target_penalty, "given"
    else:
        finite = [s for s in needed_samples if math.isfinite(s)]
        upper = needed_high if math.isfinite(needed_high) else (cap if math.isfinite(cap) else max(finite, default=held))
        penalty = scenario.cost_per_datapoint * max(0.0, min(upper, cap) - held)
        source = "default: the data cost of the upper end of the data-needed range"
    plan = plan_collection(needed_samples, held, scenario.cost_per_datapoint, penalty, scenario.collection_rounds,
                           data_max_images=cap, cost_per_round_usd=0.0)
    return {**plan.to_dict(), "missed_target_penalty": penalty, "penalty_source": source, "n_held": held,
            "n_draws": len(needed_samples), "rounds_allowed": scenario.collection_rounds}


def _error(value: float | None, unbounded: float) -> float:
    """A pilot's error within [0, 1]; ``unbounded`` where the curve gave none (not finite). [fraction]"""
    return unbounded if value is None or math.isnan(value) else min(1.0, max(0.0, value))


# ----- dlcost-2026: the chance-bounded model -----------------------------------------------
def bounded_inputs(task: str, relative_complexity: float, pretrained: bool, imagenet_top1: float | None,
                   baseline_entropy: float) -> tuple:
    """The regressors at 1,000 images and the chance error of a query (dlcost.core.bounded_error)."""
    from dlcost.core import bounded_error as be

    chance = be.chance_error(task, relative_complexity * baseline_entropy)
    return be.regressors(10.0**be.LOG_DATA_CENTRE, relative_complexity, pretrained, task, imagenet_top1), chance


@lru_cache(maxsize=64)
def z_quantile(level: float) -> float:
    """Standard normal quantile of a central ``level`` interval."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2.0)


def bounded_interval(model: catalog.ErrorModel, level: float) -> dict:
    """How a dlcost-2026 answer states its interval (the Estimate's and ErrorPrediction's ``interval``)."""
    return {"level": level, "method": "mixed-model predictive: fixed-effect, dataset and residual variance",
            "n_observations": model.n, "n_datasets": None, "calibration": f"{model.name} (docs/validation.md)",
            "low_log10": None, "high_log10": None}


def _bounded_needed(model, x_centre, chance: float, target_error: float, side: float, level: float, line=None) -> float:
    """Images needed by a dataset ``side`` (-1: easier, +1: harder) interval-quantiles from the mean.

    The sd of z grows with the distance from 1,000 images (the random data slope), so the
    bound is a fixed point: z(n) + side q sd(n) = logit(target / chance), iterated from the
    centre in plain floats (z and var z are a line and a quadratic in l = log10 n - 3).
    """
    from dlcost.core import bounded_error as be

    if target_error >= chance:
        return 1.0
    line = line or be.LineInLogData.of(model.bounded, x_centre, chance)
    z_level, slope = line.level, line.slope
    goal = math.log(target_error / chance) - math.log1p(-target_error / chance)
    if slope >= 0.0:
        return be.images_needed(model.bounded, x_centre, chance, target_error)
    q = z_quantile(level)
    a, b, c = line.a, line.b, line.c
    log_data = _bound_log_data(goal - z_level, slope, side * q, a, b, c)
    if log_data is None or log_data > 9.0:  # the sd beyond 10^12 images is the sd at 10^12: a straight line from there
        beyond = (goal - z_level - side * q * math.sqrt(max(0.0, a + 18.0 * b + 81.0 * c))) / slope
        if beyond >= 9.0:
            log_data = beyond
        elif log_data is None:
            return math.inf if side > 0 else 1.0
    log_images = be.LOG_DATA_CENTRE + log_data
    if log_images > 300.0:
        return math.inf
    return 1.0 if log_images <= 0.0 else 10.0**log_images


def _bound_log_data(rest: float, slope: float, signed_q: float, a: float, b: float, c: float) -> float | None:
    """The smallest l >= -3 (one image) with slope l + signed_q sqrt(a + 2 b l + c l^2) = rest; None: none.

    Squaring gives (slope^2 - q^2 c) l^2 - 2 (rest slope + q^2 b) l + rest^2 - q^2 a = 0; a root
    counts when rest - slope l has the sign of signed_q (the side it came from).
    """
    q2 = signed_q * signed_q
    quad, lin, const = slope * slope - q2 * c, -2.0 * (rest * slope + q2 * b), rest * rest - q2 * a
    if abs(quad) < 1e-12:
        roots = [] if lin == 0.0 else [-const / lin]
    else:
        disc = lin * lin - 4.0 * quad * const
        if disc < 0.0:
            return None
        root = math.sqrt(disc)
        roots = [(-lin - root) / (2.0 * quad), (-lin + root) / (2.0 * quad)]
    valid = sorted(root for root in roots if (rest - slope * root) * signed_q >= -1e-9)
    if not valid:
        return None
    above = [root for root in valid if root >= -LOG_DATA_CENTRE]  # l = -3: one image
    return above[0] if above else -LOG_DATA_CENTRE


def need_from_bounded(scenario: Scenario, model: catalog.ErrorModel, rc: float, imagenet_top1: float | None) -> DataNeed:
    """dlcost-2026 inverted for one backbone: the images needed, the error reached, their intervals."""
    from dlcost.core import bounded_error as be
    from dlcost.engine.complexity import baseline_entropy_nats

    baseline = baseline_entropy_nats(scenario.baseline_classes, scenario.baseline_class_counts)
    x_centre, chance = bounded_inputs(scenario.task, rc, scenario.pretrained, imagenet_top1, baseline)
    line = be.LineInLogData.of(model.bounded, x_centre, chance)
    target_error, level = 1.0 - scenario.target_accuracy, scenario.interval_level
    data_needed = _images(be.images_needed(model.bounded, x_centre, chance, target_error))
    n_sized = float(cost.training_images(data_needed, scenario.data_max))
    error, error_low, error_high = line.interval(n_sized, z_quantile(level))
    needed_low = _images(_bounded_needed(model, x_centre, chance, target_error, -1.0, level, line))
    needed_high = _images(_bounded_needed(model, x_centre, chance, target_error, +1.0, level, line))
    at_max = line.error(scenario.data_max) if scenario.data_max < math.inf else 0.0
    interval = bounded_interval(model, level)
    if error >= target_error and data_needed <= scenario.data_max:
        error = min(error, target_error)
    return DataNeed(data_needed, n_sized, reported_error(error), *_holding(reported_error(error), error_low, error_high),
                    *_holding(data_needed, needed_low, needed_high), reported_error(at_max) if at_max > 0 else 0.0,
                    interval, f"{model.name} (chance-bounded, backbone top-1 {'reference' if imagenet_top1 is None else f'{imagenet_top1:.1%}'})")


def error_and_need_functions(model: catalog.ErrorModel, scenario, rc: float, imagenet_top1: float | None = None):
    """(error after n images, images for an error) of a model, vectorised: for curves and charts."""
    import numpy as np

    segmentation = scenario.task == "segmentation"
    if model.form == "eq1":
        coef = model.coefficients
        return (lambda n: accuracy.predicted_error(n, rc, scenario.pretrained, segmentation, coef),
                lambda e: accuracy.images_needed(e, rc, scenario.pretrained, segmentation, coef))
    from dlcost.core import bounded_error as be
    from dlcost.engine.complexity import baseline_entropy_nats

    baseline = baseline_entropy_nats(getattr(scenario, "baseline_classes", None), getattr(scenario, "baseline_class_counts", None))
    x_centre, chance = bounded_inputs(scenario.task, rc, scenario.pretrained, imagenet_top1, baseline)

    def error_of(n_images):
        x = be.regressors(n_images, rc, scenario.pretrained, scenario.task, imagenet_top1)
        return be.predicted_error(model.bounded, x, chance)

    def needed_of(target_error):
        return np.vectorize(lambda t: be.images_needed(model.bounded, x_centre, chance, float(t)), otypes=[float])(target_error)

    return error_of, needed_of


#: A data-needed range wider than this (high / low) without a pilot gets a pilot recommendation.
PILOT_WORTH_RANGE = 30.0


def pilot_recommendation(scenario: Scenario, model: catalog.ErrorModel, need: DataNeed,
                         training_usd_per_image: float) -> dict | None:
    """A three-point pilot for an estimate whose data range is wide: its sizes, cost, and the range it is expected to leave.

    Sizes: 1/4, 1/2 and all of a subset of a tenth of the images the target needs (at least
    100, at most data_max). The expected range is that of the pilot's posterior (the model's
    prior slope and spread, :func:`dlcost.engine.pilot.pilot_prior`; point noise 0.03 in
    log10) if the points fall on the model's curve: the narrowing a pilot buys on average.
    """
    from dlcost.core import bounded_error as be
    from dlcost.core.curve_posterior import NOISE_SD_LOG10, posterior_power_law
    from dlcost.engine.complexity import baseline_entropy_nats
    from dlcost.engine.pilot import pilot_prior

    if model.form != "bounded" or scenario.pilot_points or not math.isfinite(need.data_needed):
        return None
    range_now = need.needed_high / need.needed_low if need.needed_low > 0 else math.inf
    if range_now <= PILOT_WORTH_RANGE:
        return None
    largest = math.floor(min(scenario.data_max, max(100.0, need.data_needed / 10.0)))  # whole images, within data_max
    if largest < 4:
        return None  # no three growing subsets fit
    sizes = [largest // 4, largest // 2, largest]
    from dlcost.engine.complexity import relative_complexity_of

    rc = relative_complexity_of(scenario)
    baseline = baseline_entropy_nats(scenario.baseline_classes, scenario.baseline_class_counts)
    chance = be.chance_error(scenario.task, rc * baseline)
    errors = [float(be.predicted_error(model.bounded, be.regressors(n, rc, scenario.pretrained, scenario.task, None), chance))
              for n in sizes]
    query = pilot_query(scenario, [[float(n), e] for n, e in zip(sizes, errors)])
    slope, _, slope_sd = pilot_prior(model, query, rc, float(sizes[-1]))
    posterior = posterior_power_law(sizes, errors, slope, None, prior_slope_sd=slope_sd, noise_sd_log10=NOISE_SD_LOG10)
    (s_aa, s_ab), (_, s_bb) = posterior.covariance
    distance = math.log10(need.data_needed) - posterior.log10_n_ref
    sd_log10_error = math.sqrt(max(0.0, s_aa + 2 * distance * s_ab + distance**2 * s_bb))
    beta = min(-1e-6, posterior.mean[1])
    range_after = 10.0 ** min(300.0, 2 * z_quantile(scenario.interval_level) * sd_log10_error / abs(beta))
    data_cost = scenario.cost_per_datapoint * max(0.0, sizes[-1] - scenario.data_present)
    training_cost = training_usd_per_image * sum(sizes)
    return {"sizes_images": sizes, "data_cost_usd": data_cost, "training_cost_usd": training_cost,
            "cost_usd": data_cost + training_cost, "range_factor_now": range_now if math.isfinite(range_now) else None,
            "range_factor_expected": range_after, "level": scenario.interval_level}
