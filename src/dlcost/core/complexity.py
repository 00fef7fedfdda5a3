"""Relative complexity of a classification target (seed 000, "Relative Complexity").

References
----------
.. [1] N. Thompson et al., "A Model for Estimating the Economic Costs of Computer
   Vision Systems That Use Deep Learning," AAAI 2024 (seed 000_2b7a78e719415b24.txt).
.. [2] C. E. Shannon, "A Mathematical Theory of Communication," 1948.
"""

from __future__ import annotations

import numpy as np

from dlcost.core.checks import check_class_counts, check_whole_count

__all__ = ["class_entropy", "uniform_class_entropy", "relative_complexity"]


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
    probability = counts / counts.sum()
    return float(-(probability * np.log(probability)).sum())


def uniform_class_entropy(n_classes: int) -> float:
    """Entropy of ``n_classes`` equally likely classes, log(n). [nats]"""
    n_classes = check_whole_count(n_classes, "classes", minimum=2)
    return float(np.log(n_classes))


def relative_complexity(target_entropy_nats: float, baseline_entropy_nats: float) -> float:
    """Relative complexity RC = H(target) / H(baseline) of seed 000 [1].

    A score near 0 is an easy target task, near 1 a task as hard as the baseline
    (ImageNet-1000 with uniform classes by default, H = log 1000). Above 1 the
    target is harder than the baseline and outside the range the regression saw.

    Parameters
    ----------
    target_entropy_nats, baseline_entropy_nats : float
        Shannon entropies of the two class distributions. [nats]

    Returns
    -------
    relative_complexity : float
        [unitless]
    """
    if baseline_entropy_nats <= 0:
        raise ValueError(
            f"baseline entropy must be greater than 0; got {baseline_entropy_nats!r}."
        )
    return target_entropy_nats / baseline_entropy_nats  # RC definition, seed 000
