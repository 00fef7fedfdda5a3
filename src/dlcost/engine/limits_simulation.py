"""Figure 1 of seed 003: four linear models' data and computation needs, simulated.

Section 2 of [1] uses the linear model ``y = theta^T x + z`` (``d = 1000`` covariates
``x ~ N(0, I)``, ``s = 10`` non-zero coefficients, Gaussian noise ``z``) and four estimators:
**oracle**, least squares on the ``s`` relevant covariates; **expert**, least squares on
``s - 1`` of them and one irrelevant one; **flexible**, least squares on all ``d``;
**regularized**, scikit-learn's ``Lasso`` on all ``d``. No model fits an intercept.
Performance is ``-log10(||theta_hat - theta||^2 / ||theta||^2)``: for isotropic queries the
excess squared error of ``theta_hat^T x0`` over the variance of the true predictor ``theta^T x0``
[1, Figure 1 caption], averaged over ``reps`` simulations (mean and standard error).

Settings the seed leaves open, each fixed by a stated rule, not tuned to its figures:
every non-zero coefficient is 1 (``COEFFICIENT``: equal effects, so the covariate the expert
misses matters as much as any); the noise sd is 1 (``NOISE_SD``: the variance of one
covariate's effect, a signal-to-noise ratio of ``s``); the Lasso penalty is
``alpha = noise_sd * sqrt(2 ln d / n)`` in scikit-learn's objective
``(1/(2n)) ||y - X w||^2 + alpha ||w||_1``, the universal threshold [2] (the largest
correlation pure noise has with one of ``d`` covariates), the noise sd known.

With 1,000 simulations the flexible model matches the oracle's performance at 15
observations at about 1,550 observations and the regularized one at about 125 (the seed:
1,500 and 175). The flexible figure depends on neither noise nor coefficients (its error is
``noise_sd^2 chi^2_d / chi^2_{n-d+1}``); the regularized one does. Sensitivity to the
penalty (seed 0): ``alpha_scale`` 0.5 gives 96 and 2 gives 332 (1,000 simulations), 0.75
gives 107 and 1.5 gives 207 (300); the seed's 175 lies near 1.3 times the universal threshold.

Computation, in floating-point operations of a fit on ``n`` observations: least squares on
``k`` covariates ``n k^2 + 2 n k + k^3/3 + 2 k^2`` (Gram by symmetry, ``X^T y``, Cholesky,
two triangular solves); the Lasso ``2 n d`` per coordinate-descent sweep (one length-``n``
dot product per covariate) times scikit-learn's ``n_iter_`` plus one (its first duality-gap
check, one ``X^T r``): textbook cyclic descent, an upper bound on scikit-learn's gap-safe
screened work, leaving out the later gap checks.
So counted, the Lasso at its match needs about 1/700 of the flexible model's computation at
its match: this module does not reproduce the seed's "regularization helps much less with
the computational costs" (a Gram-based Lasso, ``n d^2`` for ``X^T X``, would narrow it to ~1/15).

``method="reduced"`` (default): below ``n = d`` every model is fit on the simulated data
(one sample per simulation, its first ``n`` rows at size ``n``, drawn in float32; errors in
float64). From ``d`` on, every model depends on the data only through ``X^T X`` and ``X^T y``,
so it is fit on an equivalent ``d x d`` problem: ``X^T X = L L^T`` with ``L`` Bartlett's
lower-triangular factor (``L_ii^2 ~ chi^2_{n-i+1}``, ``N(0, 1)`` below the diagonal) [3], and
``X^T z ~ N(0, noise_sd^2 X^T X) = noise_sd L u``, ``u ~ N(0, I)``; the design ``L^T`` with
response ``L^T theta + noise_sd u`` has the same ``X^T X``, ``X^T y``, least-squares and Lasso
solutions (penalty scaled by ``n / d`` for its ``d`` rows, tolerance by the real ``||y||^2``)
at a cost independent of ``n``; the flexible ``theta_hat - theta = noise_sd L^{-T} u`` is one
triangular solve. Each size's law is exact; within one simulation the sizes share ``L``'s
off-diagonal and ``u``, so sizes are dependent (as in one growing sample), which leaves
every per-size mean and standard error valid. ``method="direct"`` fits every size on the
simulated data (flexible by ``numpy.linalg.lstsq``): slow at ``d = 1000``, there to check.

References
----------
.. [1] N. C. Thompson, K. Greenewald, K. Lee, G. F. Manso, "The Computational Limits of Deep
   Learning," arXiv:2007.05558 (seed 003), section 2 and Figure 1.
.. [2] D. L. Donoho, I. M. Johnstone, "Ideal spatial adaptation by wavelet shrinkage,"
   Biometrika 81 (1994); P. J. Bickel, Y. Ritov, A. B. Tsybakov, "Simultaneous analysis of
   Lasso and Dantzig selector," Ann. Statist. 37 (2009).
.. [3] R. J. Muirhead, *Aspects of Multivariate Statistical Theory* (1982), section 3.2.
"""

from __future__ import annotations

import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from scipy.linalg import solve_triangular

from dlcost.core.checks import InputError, check_choice, check_positive, shown

__all__ = ["DEFAULT_SAMPLE_SIZES", "MODELS", "simulate"]

#: Covariates ``d`` and relevant covariates ``s`` of seed 003's illustration.
N_COVARIATES = 1000
N_RELEVANT = 10
#: Noise sd: the variance of one relevant covariate's effect (see the module docstring).
NOISE_SD = 1.0
#: Every non-zero coefficient: equal effects (see the module docstring).
COEFFICIENT = 1.0
#: The oracle's sample size whose performance every model is matched against (seed 003).
REFERENCE_SIZE = 15
#: Log-spaced (1-1.5-2-3-5-7 a decade) from the reference 15 to 5,000, plus 1,100 and 1,250:
#: the flexible model exists only above d + 1 = 1,001, and these give it points below 1.5 d.
DEFAULT_SAMPLE_SIZES = (15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000, 1100, 1250, 1500, 2000, 3000, 5000)
MODELS = ("oracle", "expert", "flexible", "regularized")
MAX_REPS = 100_000
MAX_SAMPLE_SIZE = 1_000_000
MAX_N_SAMPLE_SIZES = 60
MAX_N_COVARIATES = 2000
#: The direct method holds max(sample_sizes) x d numbers per simulation (float32, 4 bytes each).
MAX_DIRECT_VALUES = 20_000_000
#: scikit-learn's defaults for ``Lasso``.
LASSO_TOL = 1e-4
LASSO_MAX_ITER = 1000

_LABELS = {"oracle": "oracle (the s true covariates)", "expert": "expert (s - 1 true + 1 wrong)",
           "flexible": "flexible (all d, least squares)", "regularized": "regularized (all d, Lasso)"}


@dataclass(frozen=True)
class _Plan:
    """What every simulation shares."""

    d: int
    s: int
    noise_sd: float
    sizes: np.ndarray  # sorted, distinct [observations]
    alphas: np.ndarray  # Lasso penalty at each size, sklearn's scaling
    method: str
    lasso: type

    @property
    def theta(self) -> np.ndarray:
        theta = np.zeros(self.d)
        theta[: self.s] = COEFFICIENT
        return theta


def simulate(reps: int = 1000, seed: int = 0, sample_sizes=None, *, n_covariates: int = N_COVARIATES,
             n_relevant: int = N_RELEVANT, noise_sd: float = NOISE_SD, alpha_scale: float = 1.0,
             method: str = "reduced", n_threads: int | None = None) -> dict:
    """Figure 1 of seed 003: each model's performance and computation against sample size.

    Parameters
    ----------
    reps : int
        Simulations at each sample size, 1 to 100,000. [simulations]
    seed : int
        Seed of numpy's generator, 0 to 2**32 - 1; simulation ``r`` uses child ``r`` of
        ``SeedSequence(seed)``, so the first ``r`` simulations do not depend on ``reps``
        (nor on ``n_threads``). [unitless]
    sample_sizes : sequence of int, optional
        Whole numbers from 2 to 1,000,000, at most 60 (sorted, repeats dropped; 15, the
        reference, is always added). Default ``DEFAULT_SAMPLE_SIZES``. [observations]
    n_covariates, n_relevant : int
        ``d`` (2 to 2,000) and ``s`` (1 to min(13, d - 1), so the oracle exists at 15). [covariates]
    noise_sd : float
        Standard deviation of ``z``. [units of y]
    alpha_scale : float
        Multiplies the Lasso penalty's rule, for sensitivity checks. [unitless]
    method : {"reduced", "direct"}
        See the module docstring.
    n_threads : int, optional
        Threads for the simulations (default: the CPU count, at most 8).

    Returns
    -------
    simulation : dict
        JSON-ready: ``settings``, ``sample_sizes``, ``reference_performance`` (the oracle's
        at 15), ``notes`` and ``models``, a list in the order of ``MODELS``, each with its
        ``name``, ``performance_mean`` and ``performance_sem`` [-log10 of a fraction] and
        ``computation_flops`` [FLOP] at each size (None where the model is undefined:
        ``n <= k + 1`` for least squares on ``k`` covariates, where its expected error is
        infinite), ``matches_oracle_at_15`` [observations], the size at which its mean
        performance first reaches the reference (interpolated in log n from the size before;
        None if never on the grid), and ``matches_oracle_at_15_flops`` [FLOP] there. The
        regularized model adds ``alpha``, ``sweeps_mean`` and ``unconverged_fits``.
    """
    reps = _whole(reps, "reps", 1, MAX_REPS)
    seed = _whole(seed, "seed", 0, 2**32 - 1)
    d = _whole(n_covariates, "n_covariates", 2, MAX_N_COVARIATES)
    s = _whole(n_relevant, "n_relevant", 1, min(REFERENCE_SIZE - 2, d - 1))
    noise_sd = check_positive(noise_sd, "noise_sd")
    alpha_scale = check_positive(alpha_scale, "alpha_scale")
    check_choice(method, "method", ("reduced", "direct"))
    sizes = _sizes(DEFAULT_SAMPLE_SIZES if sample_sizes is None else sample_sizes)
    if method == "direct" and sizes[-1] * d > MAX_DIRECT_VALUES:
        raise InputError("sample_sizes", f"method 'direct' holds max(sample_sizes) x n_covariates numbers, at most "
                         f"{MAX_DIRECT_VALUES:,}; got {sizes[-1]:,} x {d:,}. Use method 'reduced'.")
    threads = min(os.cpu_count() or 1, 8) if n_threads is None else _whole(n_threads, "n_threads", 1, 64)
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import Lasso
    except ImportError:
        raise InputError("simulate", "the simulation needs scikit-learn: pip install scikit-learn") from None
    alphas = alpha_scale * noise_sd * np.sqrt(2.0 * math.log(d) / sizes)
    plan = _Plan(d, s, noise_sd, sizes, alphas, method, Lasso)
    children = np.random.SeedSequence(seed).spawn(reps)
    with warnings.catch_warnings(), _one_blas_thread():
        warnings.simplefilter("ignore", ConvergenceWarning)
        size = max(1, min(25, reps // (4 * threads)))  # a few chunks a thread, for balance
        chunks = [children[start:start + size] for start in range(0, reps, size)]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            runs = [run for chunk in pool.map(lambda chunk: _replicate_all(plan, chunk), chunks) for run in chunk]
    stacked = {key: np.stack([run[key] for run in runs]) for key in runs[0]}
    return _summary(plan, stacked, reps, seed, alpha_scale)


def _whole(value, name: str, low: int, high: int) -> int:
    """``value`` as an int if it is a whole number from ``low`` to ``high``."""
    whole = isinstance(value, Integral) or (isinstance(value, Real) and float(value).is_integer())
    if isinstance(value, bool) or not whole or not low <= value <= high:
        raise InputError(name, f"{name} must be a whole number from {low:,} to {high:,}; got {shown(value)}.")
    return int(value)


def _sizes(values) -> np.ndarray:
    """The sample sizes, sorted and distinct, with the reference added."""
    if isinstance(values, str | bytes) or not hasattr(values, "__len__"):
        raise InputError("sample_sizes", f"sample_sizes must be a list of whole numbers; got {shown(values)}.")
    if not 1 <= len(values) <= MAX_N_SAMPLE_SIZES:
        raise InputError("sample_sizes", f"sample_sizes must list 1 to {MAX_N_SAMPLE_SIZES} sizes; got {len(values):,}.")
    sizes = [_whole(value, f"sample_sizes[{index}]", 2, MAX_SAMPLE_SIZE) for index, value in enumerate(values)]
    return np.array(sorted(set(sizes) | {REFERENCE_SIZE}), dtype=np.int64)


def _one_blas_thread():
    """One BLAS thread per simulation thread while they run (threadpoolctl, if there)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _replicate_all(plan: _Plan, children: list) -> list[dict]:
    """Simulations ``children`` in turn, reusing one set of buffers (no page faults per simulation)."""
    d, real = plan.d, _real_sizes(plan)
    n_real = int(real[-1]) if len(real) else 0
    buffers = {"x": np.empty((d, n_real), dtype=np.float32), "design": np.empty(n_real * d, dtype=np.float32),
               "lower": np.zeros((d, d), dtype=np.float32) if len(real) < len(plan.sizes) else None}
    from sklearn import config_context  # its settings hold per thread

    with config_context(skip_parameter_validation=True, assume_finite=True):  # the inputs are ours
        return [_replicate(plan, child, buffers) for child in children]


def _real_sizes(plan: _Plan) -> np.ndarray:
    """The sizes fit on the simulated data itself (the rest on the reduced d x d problem)."""
    return plan.sizes if plan.method == "direct" else plan.sizes[plan.sizes < plan.d]


def _replicate(plan: _Plan, child: np.random.SeedSequence, buffers: dict) -> dict:
    """One simulation at every size: the Grams of the first s + 1 covariates (for the two small
    models, solved later for all simulations at once) and the two large models' errors."""
    rng = np.random.default_rng(child)
    m, k = len(plan.sizes), plan.s + 1
    out = {"gram": np.zeros((m, k, k)), "cross": np.zeros((m, k)), "flexible": np.full(m, np.nan),
           "regularized": np.zeros(m), "sweeps": np.zeros(m)}
    for index, design, response, y_norm2 in _designs(plan, rng, buffers):
        _fit(plan, index, design, response, y_norm2, out)
    return out


def _designs(plan: _Plan, rng: np.random.Generator, buffers: dict):
    """Per size: (index, F-ordered float32 design, response, the real ||y||^2); see the module docstring."""
    d, s, real = plan.d, plan.s, _real_sizes(plan)
    theta_s = np.full(s, COEFFICIENT, dtype=np.float32)
    if len(real):
        x = rng.standard_normal(out=buffers["x"], dtype=np.float32).T  # F-ordered: covariates contiguous
        y = x[:, :s] @ theta_s + np.float32(plan.noise_sd) * rng.standard_normal(x.shape[0], dtype=np.float32)
        for index, n in enumerate(real):
            design = buffers["design"][: n * d].reshape((n, d), order="F")
            design[...] = x[:n]
            yield index, design, y[:n].copy(), float(y[:n].astype(float) @ y[:n])
    if len(real) == len(plan.sizes):
        return
    lower = buffers["lower"]  # Bartlett's L, C-ordered, so L^T is F-ordered; zero above the diagonal
    # Below the diagonal: the normals of this simulation's sample when it has enough (each size's
    # law stays exact; only sizes below and above d become dependent), otherwise new ones.
    count, drawn = d * (d - 1) // 2, buffers["x"].reshape(-1)
    normals = drawn if len(real) and drawn.size >= count else rng.standard_normal(count, dtype=np.float32)
    start = 0
    for row in range(1, d):
        lower[row, :row] = normals[start:start + row]
        start += row
    u = rng.standard_normal(d)
    diagonal = np.arange(d)
    for index in range(len(real), len(plan.sizes)):
        n = int(plan.sizes[index])
        lower[diagonal, diagonal] = np.sqrt(rng.chisquare(n - diagonal))  # L_ii^2 ~ chi^2_{n-i+1}
        design = lower.T
        response = design[:, :s].astype(float) @ theta_s + plan.noise_sd * u
        residual = plan.noise_sd**2 * rng.chisquare(n - d) if n > d else 0.0  # ||y||^2 - ||response||^2
        yield index, design, response.astype(np.float32), float(response @ response) + residual


def _fit(plan: _Plan, index: int, design, response, y_norm2: float, out: dict) -> None:
    """The Gram of the first s + 1 covariates, then the flexible and regularized fits."""
    n, d, theta = int(plan.sizes[index]), plan.d, plan.theta
    first, response64 = design[:, : plan.s + 1].astype(float), response.astype(float)
    out["gram"][index] = first.T @ first
    out["cross"][index] = first.T @ response64
    if n >= d + 2:
        if design.shape[0] == d:  # the reduced, upper-triangular design
            theta_hat = solve_triangular(design, response, check_finite=False)
        else:
            theta_hat = np.linalg.lstsq(design.astype(float), response64, rcond=None)[0]
        out["flexible"][index] = np.sum((theta_hat.astype(float) - theta) ** 2)
    rows = design.shape[0]
    lasso = plan.lasso(alpha=float(plan.alphas[index]) * n / rows, fit_intercept=False, copy_X=False,
                       tol=LASSO_TOL * y_norm2 / float(response64 @ response64), max_iter=LASSO_MAX_ITER)
    lasso.fit(design, response, check_input=False)
    out["regularized"][index] = np.sum((lasso.coef_.astype(float) - theta) ** 2)
    out["sweeps"][index] = lasso.n_iter_


def _small_model_errors(plan: _Plan, gram: np.ndarray, cross: np.ndarray) -> dict:
    """Oracle and expert squared errors, batched least squares over simulations and sizes."""
    s = plan.s
    errors = {}
    for name, columns in (("oracle", list(range(s))), ("expert", list(range(s - 1)) + [s])):
        k = len(columns)
        error = np.full(gram.shape[:2], np.nan)
        defined = plan.sizes >= k + 2
        g = gram[:, defined][:, :, columns][:, :, :, columns]
        c = cross[:, defined][:, :, columns]
        theta_hat = np.linalg.solve(g, c[..., None])[..., 0]
        truth = np.where(np.array(columns) < s, COEFFICIENT, 0.0)
        missed = COEFFICIENT**2 * (s - sum(1 for j in columns if j < s))  # omitted coefficients
        error[:, defined] = np.sum((theta_hat - truth) ** 2, axis=-1) + missed
        errors[name] = error
    return errors


def _least_squares_flops(n: np.ndarray, k: int) -> np.ndarray:
    """Gram (n k^2), X^T y (2 n k), Cholesky (k^3 / 3), two triangular solves (2 k^2). [FLOP]"""
    return n * k**2 + 2.0 * n * k + k**3 / 3.0 + 2.0 * k**2


def _summary(plan: _Plan, stacked: dict, reps: int, seed: int, alpha_scale: float) -> dict:
    """The JSON-ready result."""
    errors = _small_model_errors(plan, stacked["gram"], stacked["cross"])
    errors["flexible"], errors["regularized"] = stacked["flexible"], stacked["regularized"]
    sizes, sweeps = plan.sizes.astype(float), stacked["sweeps"]
    fitted = {"oracle": plan.s, "expert": plan.s, "flexible": plan.d, "regularized": plan.d}
    flops = {name: _least_squares_flops(sizes, k) for name, k in fitted.items()}
    flops["regularized"] = (sweeps.mean(axis=0) + 1.0) * 2.0 * sizes * plan.d  # + the first gap check
    performance = {name: -np.log10(np.maximum(errors[name], np.finfo(float).tiny) / (plan.s * COEFFICIENT**2))
                   for name in MODELS}  # the floor only guards an exact fit
    reference = float(performance["oracle"][:, int(np.searchsorted(plan.sizes, REFERENCE_SIZE))].mean())
    models = []
    for name in MODELS:
        mean = performance[name].mean(axis=0)  # nan where undefined
        sem = performance[name].std(axis=0, ddof=1) / math.sqrt(reps) if reps > 1 else np.full(len(sizes), np.nan)
        cost = np.where(np.isnan(mean), np.nan, flops[name])
        match = _match(sizes, mean, reference)
        models.append({"name": name, "label": _LABELS[name], "n_covariates_fitted": fitted[name],
                       "performance_mean": _listed(mean), "performance_sem": _listed(sem),
                       "computation_flops": _listed(cost), "matches_oracle_at_15": match,
                       "matches_oracle_at_15_flops": None if match is None else _at(sizes, cost, match)})
    unconverged = int(np.sum(sweeps >= LASSO_MAX_ITER))
    models[-1].update(alpha=_listed(plan.alphas), sweeps_mean=_listed(sweeps.mean(axis=0)), unconverged_fits=unconverged)
    notes = [(f"least squares on k covariates is undefined (None) at n <= k + 1, where its expected error is infinite: "
             f"the flexible model (k = {plan.d}) below n = {plan.d + 2:,}"),
             ("computation counts the fit only: least squares n k^2 + 2 n k + k^3/3 + 2 k^2; "
             "Lasso 2 n d times (sklearn's n_iter_ sweeps + 1 gap check) (an upper bound: sklearn screens covariates)")]
    if unconverged:
        notes.append(f"{unconverged:,} Lasso fits stopped at {LASSO_MAX_ITER:,} sweeps before reaching the tolerance")
    settings = {"reps": reps, "seed": seed, "n_covariates": plan.d, "n_relevant": plan.s, "noise_sd": plan.noise_sd,
                "coefficient": COEFFICIENT, "alpha_rule": "alpha = alpha_scale * noise_sd * sqrt(2 ln d / n)",
                "alpha_scale": alpha_scale, "method": plan.method, "reference_size": REFERENCE_SIZE,
                "performance": "-log10(||theta_hat - theta||^2 / ||theta||^2), mean over simulations"}
    return {"settings": settings, "sample_sizes": [int(n) for n in plan.sizes],
            "reference_performance": reference, "models": models, "notes": notes}


def _match(sizes: np.ndarray, mean: np.ndarray, target: float) -> float | None:
    """The first size where ``mean`` reaches ``target``, interpolated in log n from the
    defined size before it (the size itself if there is none); None if it never does."""
    for index in np.flatnonzero(~np.isnan(mean)):
        if mean[index] >= target:
            before = index - 1
            if before < 0 or np.isnan(mean[before]) or mean[before] == mean[index]:
                return float(sizes[index])
            share = (target - mean[before]) / (mean[index] - mean[before])
            return float(math.exp(math.log(sizes[before]) + share * math.log(sizes[index] / sizes[before])))
    return None


def _at(sizes: np.ndarray, values: np.ndarray, size: float) -> float:
    """``values`` (positive) at ``size``, interpolated in log-log over the defined sizes."""
    defined = ~np.isnan(values)
    return float(np.exp(np.interp(math.log(size), np.log(sizes[defined]), np.log(values[defined]))))


def _listed(values: np.ndarray) -> list:
    """Plain floats, None for nan."""
    return [None if math.isnan(value) else float(value) for value in np.asarray(values, dtype=float)]
