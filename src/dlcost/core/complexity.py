"""Relative complexity of a classification target (seed 000, "Relative Complexity").

References
----------
.. [1] N. Thompson et al., "A Model for Estimating the Economic Costs of Computer
   Vision Systems That Use Deep Learning," AAAI 2024 (seed 000_2b7a78e719415b24.txt).
.. [2] C. E. Shannon, "A Mathematical Theory of Communication," 1948.
"""

from __future__ import annotations

import numpy as np

from dlcost.core.checks import InputError, check_class_counts, check_whole_count

__all__ = ["class_entropy", "uniform_class_entropy", "relative_complexity", "MAX_RELATIVE_COMPLEXITY"]

#: Largest relative complexity accepted, given or computed. 100,000 equally likely classes
#: over a 2-class baseline give 16.6; beyond 20 the baseline is nearly a single class, and
#: eq. (1) of [1] (0.609 x RC in log10 error) says nothing but overflows. [unitless]
MAX_RELATIVE_COMPLEXITY = 20.0


def class_entropy(class_counts) -> float:
    """Shannon entropy of a class distribution given per-class example counts.

    H(Y) = -sum_k P(y_k) log P(y_k) with P(y_k) = count_k / sum(counts) [2].

    Parameters
    ----------
    class_counts : sequence of float
        Examples per class, each > 0, at least 2 classes. [images]

    Returns
    -------
    entropy_nats : float
        Entropy of the class label. [nats]
    """
    counts = np.asarray(check_class_counts(class_counts), dtype=float)
    shares = counts / counts.max()  # no overflow in the sum, whatever the counts' magnitude
    probability = shares / shares.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probability > 0, probability * np.log(probability), 0.0)  # 0 log 0 = 0 (an underflowed share)
    return float(-terms.sum())


def uniform_class_entropy(n_classes: int) -> float:
    """Entropy of ``n_classes`` equally likely classes, log(n). [nats]"""
    n_classes = check_whole_count(n_classes, "classes", minimum=2)
    return float(np.log(n_classes))


def relative_complexity(target_entropy_nats: float, baseline_entropy_nats: float,
                        baseline_name: str = "baseline_class_counts") -> float:
    """Relative complexity RC = H(target) / H(baseline) of seed 000 [1].

    A score near 0 is an easy target task, near 1 a task as hard as the baseline
    (ImageNet-1000 with uniform classes by default, H = log 1000). Above 1 the
    target is harder than the baseline and outside the range the regression saw.

    Parameters
    ----------
    target_entropy_nats, baseline_entropy_nats : float
        Shannon entropies of the two class distributions. [nats]
    baseline_name : str
        The input the baseline came from, named by the error when RC would exceed
        :data:`MAX_RELATIVE_COMPLEXITY` (only a near-single-class baseline can).

    Returns
    -------
    relative_complexity : float
        [unitless, 0..MAX_RELATIVE_COMPLEXITY]
    """
    if not baseline_entropy_nats > 0 or target_entropy_nats > MAX_RELATIVE_COMPLEXITY * baseline_entropy_nats:
        ratio = target_entropy_nats / baseline_entropy_nats if baseline_entropy_nats > 0 else float("inf")
        raise InputError(
            baseline_name,
            f"{baseline_name} is nearly a single class (entropy {baseline_entropy_nats:.3g} nats): the relative "
            f"complexity would be {ratio:.3g}, above {MAX_RELATIVE_COMPLEXITY:g}. Give a baseline at least as varied "
            "as the target's classes, or leave it out for ImageNet-1000.",
        )
    return target_entropy_nats / baseline_entropy_nats  # RC definition, seed 000
