"""The chance-bounded error model of dlcost-2026, and its inverse.

Seed 000's eq. (1) is linear in log10(error), so its error falls without limit and
exceeds chance at tiny data. dlcost-2026 keeps eq. (1)'s regressors (data, pretraining,
relative complexity, task type) but models the error as a share of chance error:

    error = chance x expit(z),   z = x . beta (+ the dataset's own effect, unknown for a new one)

with chance = 1 - exp(-H) for a classification target of class entropy H (1 - 1/K for K
equally likely classes: the error of a guess), and 1 for segmentation and detection
(an empty mask or no box). So 0 < error < chance for every input, and the data slope
of log10(error) flattens towards chance at small data as published few-shot results do.

The regressors (order of :data:`REGRESSORS`): log10(images) - 3 (centred at 1,000
images), its products with Pretrain and with Type=segmentation, RC, Type (segmentation,
detection), the backbone's ImageNet top-1 in points above ResNet-50's 76.13, Pretrain,
and the pretraining kinds of the VTAB methods (semi-supervised, self-supervised,
generative; supervised and none are the base). The dataset effect is a random intercept
and slope (statsmodels MixedLM); a new dataset's is unknown, so its variance enters the
interval: var z = x' Sigma x + u' G u + sigma^2 with u = (1, log10(images) - 3).

References
----------
.. [1] N. Thompson et al., AAAI 2024 (seed 000_2b7a78e719415b24.txt), eq. (1) and Table 1.
.. [2] X. Zhai et al., "A Large-scale Study of Representation Learning with the Visual
   Task Adaptation Benchmark," arXiv:1910.04867 (the corpus's VTAB results).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["LineInLogData", "z_variance_in_log_data", "REGRESSORS", "PRETRAINING_KINDS", "REFERENCE_TOP1", "LOG_DATA_CENTRE", "BoundedModel", "chance_error",
           "regressors", "z_mean", "z_sd", "predicted_error", "error_interval", "images_needed", "local_log_slope"]

REGRESSORS = ("intercept", "log_data", "pretrain_log_data", "segmentation_log_data", "complexity", "segmentation",
              "detection", "imagenet_top1", "pretrain", "kind_semi_supervised", "kind_self_supervised", "kind_generative")
#: Pretraining kinds: the last three have their own level (supervised and none are the base, Pretrain tells them apart).
PRETRAINING_KINDS = ("none", "supervised", "semi-supervised", "self-supervised", "generative")
#: ImageNet top-1 the covariate is measured from: torchvision's ResNet-50 (IMAGENET1K_V1), the VTAB backbone. [fraction]
REFERENCE_TOP1 = 0.7613
#: log10(images) at which the data regressor is 0 (1,000 images: VTAB-1k). [log10 images]
LOG_DATA_CENTRE = 3.0
#: Smallest error the model reports (expit underflows below it). [fraction]
_MIN_ERROR = 1e-12


@dataclass(frozen=True)
class BoundedModel:
    """Fitted coefficients of the chance-bounded model.

    Attributes
    ----------
    coefficients : tuple of float
        Fixed effects, order of :data:`REGRESSORS`. [logit per unit of the regressor]
    covariance : tuple of tuples
        Their covariance matrix.
    random_covariance : tuple of tuples
        2 x 2 covariance of the dataset's intercept and data slope (G).
    residual_variance : float
        Within-dataset variance of z (sigma^2).
    """

    coefficients: tuple
    covariance: tuple
    random_covariance: tuple
    residual_variance: float

    def beta(self) -> np.ndarray:
        return np.asarray(self.coefficients, dtype=float)


def chance_error(task: str, class_entropy_nats: float | None) -> float:
    """Error of a guess: 1 - exp(-H) for classification (1 - 1/K for K equal classes), 1 otherwise. [fraction]"""
    if task != "classification" or class_entropy_nats is None:
        return 1.0
    return max(1e-6, 1.0 - math.exp(-class_entropy_nats))


def regressors(n_images, relative_complexity: float, pretrained: bool, task: str, imagenet_top1: float | None,
               kind: str | None = None) -> np.ndarray:
    """The regressor rows (len(n_images) x 12, or 12 for a scalar) of :data:`REGRESSORS`.

    ``imagenet_top1`` None: the reference backbone. ``kind`` None: supervised when
    ``pretrained``, else none.
    """
    # fewer than 1 image is 1 image; inf (no data limit) is 10^300: every product stays finite
    log_data = np.log10(np.clip(np.asarray(n_images, dtype=float), 1.0, 1e300)) - LOG_DATA_CENTRE
    kind = kind or ("supervised" if pretrained else "none")
    segmentation, detection = float(task == "segmentation"), float(task == "detection")
    top1_points = 0.0 if imagenet_top1 is None else (imagenet_top1 - REFERENCE_TOP1) * 100.0
    ones = np.ones_like(log_data)
    columns = [ones, log_data, log_data * float(pretrained), log_data * segmentation, ones * relative_complexity,
               ones * segmentation, ones * detection, ones * top1_points, ones * float(pretrained),
               ones * float(kind == "semi-supervised"), ones * float(kind == "self-supervised"), ones * float(kind == "generative")]
    return np.stack(columns, axis=-1)


def z_mean(model: BoundedModel, x: np.ndarray) -> np.ndarray:
    """z = x . beta: the logit of error / chance for a dataset of average difficulty."""
    return x @ model.beta()


def z_sd(model: BoundedModel, x: np.ndarray) -> np.ndarray:
    """Predictive sd of z for a new dataset: sqrt(x' Sigma x + u' G u + sigma^2), u = (1, log_data)."""
    sigma = np.asarray(model.covariance, dtype=float)
    g = np.asarray(model.random_covariance, dtype=float)
    u = x[..., :2]
    fixed = np.einsum("...i,ij,...j->...", x, sigma, x)
    dataset = np.einsum("...i,ij,...j->...", u, g, u)
    return np.sqrt(np.maximum(0.0, fixed + dataset + model.residual_variance))


def z_variance_in_log_data(model: BoundedModel, x_at_centre: np.ndarray) -> tuple[float, float, float]:
    """(a, b, c) with var z = a + 2 b l + c l^2 at l = log10(images) - 3 (x linear in l): scalar bounds."""
    sigma = np.asarray(model.covariance, dtype=float)
    g = np.asarray(model.random_covariance, dtype=float)
    x0 = np.array(x_at_centre, dtype=float)
    x0[1:4] = 0.0
    d = np.zeros_like(x0)
    d[1], d[2], d[3] = 1.0, x_at_centre[8], x_at_centre[5]
    a = float(x0 @ sigma @ x0 + g[0, 0] + model.residual_variance)
    b = float(x0 @ sigma @ d + g[0, 1])
    c = float(d @ sigma @ d + g[1, 1])
    return a, b, c


def _expit(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))  # no overflow warning for large |z|


def predicted_error(model: BoundedModel, x: np.ndarray, chance: float) -> np.ndarray | float:
    """error = chance x expit(z): in (0, chance) for every input. [fraction]"""
    return np.maximum(_MIN_ERROR, chance * _expit(z_mean(model, x)))[()]


def error_interval(model: BoundedModel, x: np.ndarray, chance: float, z_quantile: float) -> tuple:
    """Central interval of the error for a new dataset: chance x expit(z +- q sd). [fraction]"""
    mean, sd = z_mean(model, x), z_sd(model, x)
    return (np.maximum(_MIN_ERROR, chance * _expit(mean - z_quantile * sd))[()],
            np.minimum(chance, chance * _expit(mean + z_quantile * sd))[()])


def _logit(p: float) -> float:
    return math.log(p) - math.log1p(-p)


def _data_parts(model: BoundedModel, x_at_centre: np.ndarray) -> tuple[float, float]:
    """z = level + slope x log_data: the parts of x . beta with and without the data regressors."""
    beta = model.beta()
    level = float(x_at_centre @ beta)  # log_data = 0 at the centre
    pretrained, segmentation = x_at_centre[8], x_at_centre[5]
    slope = float(beta[1] + beta[2] * pretrained + beta[3] * segmentation)
    return level, slope


def images_needed(model: BoundedModel, x_at_centre: np.ndarray, chance: float, target_error: float,
                  z_offset: float = 0.0) -> float:
    """Images for a dataset whose z is the mean plus ``z_offset`` to reach ``target_error``. [images]

    z(n) = level + slope (log10 n - 3) + offset = logit(target / chance), solved for n: closed
    form, since z is linear in log10 n. A target at or above chance needs 1 image; a slope
    >= 0 (more data does not help) needs 1 image or none (inf).
    """
    if target_error >= chance:
        return 1.0
    level, slope = _data_parts(model, x_at_centre)
    wanted = _logit(target_error / chance) - level - z_offset
    if slope >= 0.0:
        return 1.0 if wanted >= 0.0 else math.inf
    log_images = LOG_DATA_CENTRE + wanted / slope
    return 1.0 if log_images <= 0.0 else (math.inf if log_images > 300.0 else 10.0**log_images)


def local_log_slope(model: BoundedModel, x: np.ndarray) -> float:
    """d log10(error) / d log10(images) at ``x``: slope x (1 - expit(z)). Flattens near chance."""
    beta = model.beta()
    slope = float(beta[1] + beta[2] * x[8] + beta[3] * x[5])
    return slope * (1.0 - float(_expit(z_mean(model, x)))) / math.log(10.0)


@dataclass(frozen=True)
class LineInLogData:
    """dlcost-2026 for one query as scalars: z = level + slope l and var z = a + 2 b l + c l^2, l = log10(images) - 3.

    Every regressor is constant or linear in l, so one query's mean and variance are a line
    and a quadratic in l: an estimate prices a dozen candidates with float arithmetic only.
    """

    level: float
    slope: float
    a: float
    b: float
    c: float
    chance: float

    @classmethod
    def of(cls, model: BoundedModel, x_at_centre: np.ndarray, chance: float) -> LineInLogData:
        level, slope = _data_parts(model, x_at_centre)
        return cls(level, slope, *z_variance_in_log_data(model, x_at_centre), chance)

    @staticmethod
    def log_data(n_images: float) -> float:
        return math.log10(min(1e300, max(1.0, n_images))) - LOG_DATA_CENTRE

    def sd(self, n_images: float) -> float:
        l = self.log_data(n_images)
        return math.sqrt(max(0.0, self.a + 2.0 * self.b * l + self.c * l * l))

    def error(self, n_images: float, z_offset: float = 0.0) -> float:
        """chance x expit(z + offset) after ``n_images``. [fraction]"""
        z = self.level + self.slope * self.log_data(n_images) + z_offset
        share = 1.0 / (1.0 + math.exp(-z)) if z > -700.0 else 0.0
        return max(_MIN_ERROR, min(self.chance, self.chance * share))

    def interval(self, n_images: float, z_quantile: float) -> tuple[float, float, float]:
        """(error, low, high) after ``n_images``, the interval at +-``z_quantile`` sd. [fraction]"""
        spread = z_quantile * self.sd(n_images)
        return self.error(n_images), self.error(n_images, -spread), self.error(n_images, spread)
