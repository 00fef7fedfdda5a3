"""Dataset distance (seed 000, "Dataset Distance"): how far a target's image embeddings are from a baseline's.

Pure numbers. Embeddings enter as streaming sums (count, sum, sum of outer products), so that a
baseline of millions of images is summarised in d + d² numbers, merged across workers (Ray) or
saved to a file and shared; no embedding set is held whole.

- :func:`wasserstein_of_means`: the paper's measure. Seed 000 averages the 2,048 penultimate
  embeddings of each data set and takes "the Wasserstein distance between both averaged embedding
  vectors": read, as its wording implies, as the 1-D Wasserstein distance between the two vectors'
  values (``scipy.stats.wasserstein_distance``), 0 for identical embeddings, no maximum.
- :func:`frechet_distance`: the better-founded companion, the Fréchet distance between Gaussians
  fitted to the two embedding sets (Heusel et al. 2017, the FID formula):
  ||mu_a - mu_b||² + tr(C_a + C_b - 2 (C_a C_b)^(1/2)).

References
----------
.. [1] N. Thompson et al., "A Model for Estimating the Economic Costs of Computer Vision Systems That
   Use Deep Learning," AAAI 2024 (seed 000), section "Regression Variables".
.. [2] M. Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
   Equilibrium," NeurIPS 2017 (the Fréchet Inception Distance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["EmbeddingStats", "partial_stats", "wasserstein_of_means", "frechet_distance"]


@dataclass(frozen=True)
class EmbeddingStats:
    """Streaming sums of a set of embeddings: ``n`` vectors of ``dimension`` values.

    ``total`` is the sum of the vectors [d], ``outer`` the sum of their outer products [d x d],
    both float64; mean and covariance follow. Two partial sums merge by adding.
    """

    n: int
    total: np.ndarray
    outer: np.ndarray

    @property
    def dimension(self) -> int:
        return int(self.total.shape[0])

    @property
    def mean(self) -> np.ndarray:
        return self.total / self.n

    @property
    def covariance(self) -> np.ndarray:
        """Unbiased sample covariance (n - 1 in the denominator); needs n >= 2."""
        mean = self.mean
        return (self.outer - self.n * np.outer(mean, mean)) / (self.n - 1)

    def merge(self, other: "EmbeddingStats") -> "EmbeddingStats":
        if other.dimension != self.dimension:
            raise ValueError(f"embedding dimensions differ: {self.dimension} and {other.dimension}.")
        return EmbeddingStats(self.n + other.n, self.total + other.total, self.outer + other.outer)

    @classmethod
    def empty(cls, dimension: int) -> "EmbeddingStats":
        return cls(0, np.zeros(dimension), np.zeros((dimension, dimension)))


def partial_stats(embeddings) -> EmbeddingStats:
    """The sums of a batch of embeddings [n x d], accumulated in float64."""
    values = np.asarray(embeddings, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"embeddings must be a 2-D array (images x values); got shape {values.shape}.")
    return EmbeddingStats(int(values.shape[0]), values.sum(axis=0), values.T @ values)


def wasserstein_of_means(target: EmbeddingStats, baseline: EmbeddingStats) -> float:
    """The paper's dataset distance: 1-D Wasserstein distance between the two mean embedding vectors. [unitless, >= 0]"""
    from scipy.stats import wasserstein_distance

    return float(wasserstein_distance(target.mean, baseline.mean))                   # seed 000, "Dataset Distance"


def frechet_distance(target: EmbeddingStats, baseline: EmbeddingStats) -> float:
    """Fréchet distance between Gaussians fitted to the two sets (the FID formula). [squared embedding units, >= 0]

    The trace of the square root of C_a C_b is the sum of the square roots of its eigenvalues,
    which are those of the symmetric C_a^(1/2) C_b C_a^(1/2): real and non-negative, so no
    complex ``sqrtm`` and no imaginary residue. A tiny negative from rounding is clipped to 0.
    """
    difference = target.mean - baseline.mean
    cov_a, cov_b = target.covariance, baseline.covariance
    root_a = _factor(cov_a)  # cov_a = root_a root_a^T: tr((C_a C_b)^(1/2)) = sum sqrt(eig(root_a^T C_b root_a))
    middle = root_a.T @ cov_b @ root_a
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    trace_root = float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))
    value = float(difference @ difference + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root)   # Heusel et al. 2017
    return max(value, 0.0)


def _factor(matrix: np.ndarray) -> np.ndarray:
    """A factor L of a positive semi-definite matrix, matrix = L L^T, with as many columns as its rank.

    Pivoted Cholesky (LAPACK dpstrf): a covariance of fewer images than dimensions (a folder of
    ten images, 2,048 values) is rank-deficient, and its factor then has only rank columns, so the
    eigenvalue problem that follows is rank x rank, not 2,048 x 2,048.
    """
    from scipy.linalg import lapack

    symmetric = (matrix + matrix.T) / 2.0
    if not np.any(symmetric):
        return np.zeros((matrix.shape[0], 0))
    factor, pivots, rank, _ = lapack.dpstrf(symmetric, lower=1, tol=-1.0)
    lower = np.tril(factor)[:, :rank]
    root = np.empty_like(lower)
    root[pivots - 1] = lower
    return root
