"""The cost-optimal plan for collecting data in rounds: Learn-Optimize-Collect of [1].

We hold n0 labelled images and Monte Carlo draws of n*, the images needed to reach
the target. Over up to T rounds we grow the set to totals n0 <= q_1 <= ... <= q_T
<= data_max, paying c per new image plus c_round per round; after each round we
train, learn whether the target is met (met iff n* <= q_t) and stop if it is. If it
is still unmet after the last round we pay the penalty P. With S(q) = P(n* > q)
and q_0 = n0, the expected cost of a plan q is the T-round objective of [1]:

    E[cost] = sum_t S(q_{t-1}) (c (q_t - q_{t-1}) + c_round) + P S(q_T).

S(n0) is the chance the pilot alone misses the target: every round is weighted by
it, and when every draw is at most n0 nothing is collected and nothing is spent.

Why the optimum sits at draws. S is a step function of q that drops only at the
draws. Between two consecutive draws every S(q_t) is constant, so the cost is
linear in q_t with slope c (S(q_{t-1}) - S(q_t)) >= 0 (slope c S(q_{T-1}) >= 0 for
the last round). Moving q_t down to the left end of its step, a draw or the bound
q_{t-1}, never raises the cost. A q_t equal to q_{t-1} is a round with no new
images, which only adds c_round, so it is dropped; data_max only decides which
draws are reachable. The candidate totals are therefore n0 and the distinct finite
draws in (n0, data_max]; a draw of inf (no size reaches the target) is never met.

How it is solved. [1] minimise E[cost] by gradient descent on a smoothed empirical
CDF, which finds a local optimum. Here the plan is exact for the empirical
distribution of the draws. The objective is a chain in (q_0, ..., q_T), so
dynamic programming over the m candidate totals finds the minimum over every
sorted plan of at most T rounds. With V_k(x) the least expected cost with at most k
rounds left at total x,

    V_0(x) = P S(x),
    V_k(x) = min(V_{k-1}(x), c_round S(x) + min_{y > x} [c S(x) (y - x) + V_{k-1}(y)]).

The inner minimum is over a Monge array (the term c S(x) y has
(S(x') - S(x))(y' - y) <= 0 for x < x', y < y'), so its leftmost minimiser y*(x)
never decreases as x grows. Divide and conquer over x then costs O(m log m) per
round instead of O(m^2). For one round this is the exact search over all
candidates. Ties go to fewer rounds and fewer images.

References
----------
.. [1] R. Mahmood, J. Lucas, J. M. Alvarez, S. Fidler, M. T. Law, "Optimizing Data
   Collection for Machine Learning," NeurIPS 2022 (LOC: Learn-Optimize-Collect).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from numbers import Real

import numpy as np

from dlcost.core.checks import (
    InputError,
    check_at_most,
    check_non_negative,
    check_whole_count,
    shown,
)

__all__ = ["MAX_ROUNDS", "CollectionPlan", "expected_plan_cost", "plan_collection"]

#: Most rounds a plan may have.
MAX_ROUNDS = 20
_TIE = 1e-12  # an extra round must save more than this fraction of the cost


@dataclass(frozen=True)
class CollectionPlan:
    """A plan of collection rounds and what it is expected to cost.

    ``round_totals_images`` holds the total q_t after each round [images], only the
    rounds that add images, so a plan may have fewer than ``max_rounds`` rounds
    and none at all. Each total equals a draw of n*; round it up when buying
    whole images. ``probability_met_by_round[t]`` is P(n* <= q_t) [fraction],
    counting draws the pilot already meets. ``probability_missed`` is P(n* > q_T),
    or P(n* > n0) with no rounds [fraction]. ``expected_images_collected`` and
    ``expected_rounds`` count only the rounds run before the target is met.
    """

    round_totals_images: tuple
    expected_cost_usd: float
    probability_met_by_round: tuple
    probability_missed: float
    expected_images_collected: float
    expected_rounds: float

    def to_dict(self) -> dict:
        data = asdict(self)
        data["round_totals_images"] = list(self.round_totals_images)
        data["probability_met_by_round"] = list(self.probability_met_by_round)
        return data


def _sorted_draws(samples, name: str = "needed_samples_images") -> np.ndarray:
    """The draws of n*, sorted, once checked: one-dimensional, at least one, each >= 0 or inf."""
    try:
        draws = np.asarray(samples, dtype=float)
    except (TypeError, ValueError):
        raise InputError(name, f"{name} must be an array of numbers; got {shown(samples)}.") from None
    if draws.ndim != 1:
        raise InputError(name, f"{name} must be a one-dimensional array of draws; got shape {draws.shape}.")
    if draws.size == 0:
        raise InputError(name, f"{name} must hold at least one draw of the images needed; got none.")
    bad = np.flatnonzero(np.isnan(draws) | (draws < 0))
    if bad.size:
        raise InputError(name, f"{name} must be 0 or more, or inf for a draw that never reaches the target; "
                               f"got {float(draws[bad[0]])!r} at index {int(bad[0])}.")
    return np.sort(draws)


def _checked_costs(n_current_images, cost_per_image_usd, penalty_usd, cost_per_round_usd) -> tuple:
    return (check_non_negative(n_current_images, "n_current_images"),
            check_non_negative(cost_per_image_usd, "cost_per_image_usd"),
            check_non_negative(penalty_usd, "penalty_usd"),
            check_non_negative(cost_per_round_usd, "cost_per_round_usd"))


def _checked_data_max(data_max_images, n_current: float) -> float:
    name = "data_max_images"
    if isinstance(data_max_images, bool) or not isinstance(data_max_images, Real) or math.isnan(data_max_images):
        raise InputError(name, f"{name} must be a number of images, or inf for no limit; got {shown(data_max_images)}.")
    if data_max_images < n_current:
        raise InputError(name, f"{name} must be at least n_current_images ({n_current:g}); got {data_max_images!r}.")
    return float(data_max_images)


def _survival(sorted_draws: np.ndarray, totals) -> np.ndarray:
    """S(q) = P(n* > q): the share of draws above each total (a draw of inf is above all)."""
    met = np.searchsorted(sorted_draws, totals, side="right")
    return (sorted_draws.size - met) / sorted_draws.size


def _plan_terms(sorted_draws, n_current, round_totals, cost_per_image, penalty, cost_per_round) -> dict:
    """Expected cost and the other figures of a plan, straight from the objective."""
    totals = np.concatenate([[n_current], np.asarray(round_totals, dtype=float)])
    survival = _survival(sorted_draws, totals)
    running, steps = survival[:-1], np.diff(totals)  # a round runs iff the target is unmet before it
    cost = float(np.sum(running * (cost_per_image * steps + cost_per_round)) + penalty * survival[-1])
    return {"expected_cost_usd": cost, "probability_met_by_round": tuple(float(p) for p in 1.0 - survival[1:]),
            "probability_missed": float(survival[-1]),
            "expected_images_collected": float(np.sum(running * steps)), "expected_rounds": float(np.sum(running))}


def expected_plan_cost(round_totals_images, needed_samples_images, n_current_images, cost_per_image_usd,
                       penalty_usd, cost_per_round_usd=0.0) -> float:
    """Expected cost of collecting up to the totals ``round_totals_images``, round by round.

    The T-round objective of [1] (module docstring), with S the share of draws above
    a total. Every listed round pays ``cost_per_round_usd`` if it runs, a round
    adding no images too; an empty plan costs ``penalty_usd`` x P(n* > n0).

    Parameters
    ----------
    round_totals_images : sequence of float
        q_1 <= ... <= q_T, each at least ``n_current_images``. [images]
    needed_samples_images : array
        Draws of n*, the images needed; inf where no size reaches the target. [images]
    n_current_images : float
        n0, the labelled images held now. [images]
    cost_per_image_usd, penalty_usd, cost_per_round_usd : float
        c, P and c_round. [USD per image], [USD], [USD per round]

    Returns
    -------
    expected_cost_usd : float
        [USD]
    """
    draws = _sorted_draws(needed_samples_images)
    n_current, cost_per_image, penalty, cost_per_round = _checked_costs(
        n_current_images, cost_per_image_usd, penalty_usd, cost_per_round_usd)
    name = "round_totals_images"
    totals = np.asarray(round_totals_images, dtype=float)
    if totals.ndim != 1 or not np.all(np.isfinite(totals)):
        raise InputError(name, f"{name} must be a sequence of finite totals; got {shown(round_totals_images)}.")
    if np.any(np.diff(np.concatenate([[n_current], totals])) < 0):
        raise InputError(name, f"{name} must not decrease and must start at n_current_images ({n_current:g}) "
                               f"or more; got {shown(round_totals_images)}.")
    return _plan_terms(draws, n_current, totals, cost_per_image, penalty, cost_per_round)["expected_cost_usd"]


def _best_next_totals(totals, weight, value_next):
    """min over j > i of weight_i (x_j - x_i) + value_next_j for every i < m - 1, with its leftmost argmin.

    Divide and conquer on the monotone argmin of a Monge array, one level of the
    recursion at a time: rows ``a..b`` search columns ``lo..hi``, the middle row
    its whole window, the rows above it up to its argmin, the rows below from it.
    """
    m = totals.size
    best, choice = np.full(m, np.inf), np.full(m, -1)
    a, b, lo, hi = (np.array([i]) for i in (0, m - 2, 1, m - 1))
    while m >= 2 and a.size:
        row = (a + b) // 2
        start = np.maximum(lo, row + 1)
        length = hi - start + 1
        offsets = np.concatenate([[0], np.cumsum(length)[:-1]])
        rows = np.repeat(row, length)
        columns = np.arange(length.sum()) + np.repeat(start - offsets, length)
        values = weight[rows] * (totals[columns] - totals[rows]) + value_next[columns]
        lowest = np.minimum.reduceat(values, offsets)
        hits = np.flatnonzero(values == np.repeat(lowest, length))
        argmin = columns[hits[np.searchsorted(hits, offsets)]]
        best[row], choice[row] = lowest, argmin
        up, down = a < row, row < b
        a, b = np.concatenate([a[up], row[down] + 1]), np.concatenate([row[up] - 1, b[down]])
        lo, hi = np.concatenate([lo[up], argmin[down]]), np.concatenate([argmin[up], hi[down]])
    return best, choice


def _optimal_totals(totals, survival, cost_per_image, penalty, cost_per_round, max_rounds) -> list:
    """The dynamic programme of the module docstring; ``totals[0]`` is n0. Returns the round totals."""
    weight = cost_per_image * survival
    value = penalty * survival  # V_0: no round left, pay the penalty if unmet
    decisions = []
    for rounds_left in range(1, max_rounds + 1):
        if rounds_left < max_rounds:
            best, choice = _best_next_totals(totals, weight, value)
        else:  # only the start, n0, is needed: an exact search over all candidates
            best, choice = np.full(totals.size, np.inf), np.full(totals.size, -1)
            if totals.size > 1:
                values = weight[0] * (totals[1:] - totals[0]) + value[1:]
                choice[0] = 1 + int(np.argmin(values))
                best[0] = values[choice[0] - 1]
        another = cost_per_round * survival + best
        run = another < value * (1.0 - _TIE)
        value = np.where(run, another, value)
        decisions.append((run, choice))
    plan, state = [], 0
    for run, choice in reversed(decisions):
        if run[state]:
            state = int(choice[state])
            plan.append(float(totals[state]))
    return plan


def plan_collection(needed_samples_images, n_current_images, cost_per_image_usd, penalty_usd, max_rounds,
                    data_max_images=math.inf, cost_per_round_usd=0.0) -> CollectionPlan:
    """The plan of at most ``max_rounds`` collection rounds of least expected cost.

    Exact for the empirical distribution of the draws (module docstring): the
    minimum of :func:`expected_plan_cost` over every sorted plan of at most
    ``max_rounds`` rounds with totals in [n0, data_max].

    Parameters
    ----------
    needed_samples_images : array
        Draws of n*, the images needed to reach the target, e.g. 2,000 to 10,000
        posterior draws; inf where no size reaches it (never met). [images]
    n_current_images : float
        n0, the labelled images held now. [images]
    cost_per_image_usd : float
        c, the price of one more labelled image. [USD per image]
    penalty_usd : float
        P, paid if the target is still unmet after the last round. [USD]
    max_rounds : int
        T, the most collection rounds, 1 to 20.
    data_max_images : float
        The most images that can be held; inf for no limit. [images]
    cost_per_round_usd : float
        c_round, the fixed cost of running a round (training and evaluating). [USD]

    Returns
    -------
    plan : CollectionPlan
    """
    draws = _sorted_draws(needed_samples_images)
    n_current, cost_per_image, penalty, cost_per_round = _checked_costs(
        n_current_images, cost_per_image_usd, penalty_usd, cost_per_round_usd)
    rounds = check_at_most(check_whole_count(max_rounds, "max_rounds", 1), "max_rounds", MAX_ROUNDS)
    data_max = _checked_data_max(data_max_images, n_current)
    finite = draws[np.isfinite(draws)]
    reachable = np.unique(finite[(finite > n_current) & (finite <= data_max)])
    totals = np.concatenate([[n_current], reachable])
    plan = _optimal_totals(totals, _survival(draws, totals), cost_per_image, penalty, cost_per_round, rounds)
    terms = _plan_terms(draws, n_current, plan, cost_per_image, penalty, cost_per_round)
    return CollectionPlan(round_totals_images=tuple(plan), **terms)
