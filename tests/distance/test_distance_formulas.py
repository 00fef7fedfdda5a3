"""The pure formulas of the dataset distance (core/distance.py): streaming sums, the paper's measure, Fréchet."""

import numpy as np
import pytest
from scipy.linalg import sqrtm
from scipy.stats import wasserstein_distance

from dlcost.core.distance import EmbeddingStats, frechet_distance, partial_stats, wasserstein_of_means

RNG = np.random.default_rng(0)
A = RNG.normal(size=(400, 32))
B = RNG.normal(size=(300, 32)) @ RNG.normal(scale=0.4, size=(32, 32)) + 0.5


def test_merged_partial_sums_are_the_sums_of_the_whole_set():
    whole = partial_stats(A)
    merged = EmbeddingStats.empty(32)
    for chunk in np.array_split(A, 7):
        merged = merged.merge(partial_stats(chunk))
    assert merged.n == 400
    np.testing.assert_allclose(merged.mean, A.mean(axis=0))
    np.testing.assert_allclose(merged.covariance, np.cov(A.T), atol=1e-12)
    np.testing.assert_allclose(whole.outer, merged.outer)


def test_frechet_is_the_fid_formula():
    mean_a, mean_b, cov_a, cov_b = A.mean(0), B.mean(0), np.cov(A.T), np.cov(B.T)
    expected = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * sqrtm(cov_a @ cov_b).real)
    assert frechet_distance(partial_stats(A), partial_stats(B)) == pytest.approx(expected, rel=1e-8)


def test_both_measures_are_zero_on_the_same_set_and_symmetric():
    a, b = partial_stats(A), partial_stats(B)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    assert wasserstein_of_means(a, a) == 0.0
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-10)
    assert wasserstein_of_means(a, b) == pytest.approx(wasserstein_of_means(b, a))
    assert wasserstein_of_means(a, b) == pytest.approx(wasserstein_distance(A.mean(0), B.mean(0)))
    assert frechet_distance(a, b) > 1.0 and wasserstein_of_means(a, b) > 0.1


def test_a_singular_covariance_gives_a_finite_non_negative_distance():
    """Fewer images than dimensions (a small folder, 2,048 values): rank-deficient covariances."""
    few_a, few_b = partial_stats(A[:5]), partial_stats(B[:5])
    value = frechet_distance(few_a, few_b)
    assert np.isfinite(value) and value >= 0.0


def test_mismatched_dimensions_and_shapes_are_refused():
    with pytest.raises(ValueError, match="dimensions differ"):
        partial_stats(A).merge(partial_stats(A[:, :10]))
    with pytest.raises(ValueError, match="2-D"):
        partial_stats(A[0])
