"""Relative complexity of any input that names classes: the one place RC is resolved.

Seed 000, "Relative Complexity": RC = H(target classes) / H(baseline classes), with
ImageNet-1000 (uniform) as the baseline unless the input names another.
"""

from __future__ import annotations

from dlcost import catalog
from dlcost.core import complexity

__all__ = ["relative_complexity_of", "baseline_entropy_nats"]


def baseline_entropy_nats(baseline_classes: int | None = None, baseline_class_counts=None) -> float:
    """Entropy of the baseline: its class counts, else ``baseline_classes`` (default ImageNet-1000) uniform. [nats]"""
    if baseline_class_counts is not None:
        counts = list(baseline_class_counts.values()) if isinstance(baseline_class_counts, dict) else baseline_class_counts
        return complexity.class_entropy(counts)
    return complexity.uniform_class_entropy(baseline_classes or catalog.defaults()["baseline_classes"])


def relative_complexity_of(inputs) -> float | None:
    """RC of a Scenario, ErrorQuery, LearningCurveQuery or Observation. [unitless]

    Reads, in this order, ``relative_complexity`` (given directly), ``class_counts``,
    then ``classes`` or ``n_classes`` (uniform); the baseline from
    ``baseline_class_counts`` or ``baseline_classes``. None when the input names no classes.
    """
    given = getattr(inputs, "relative_complexity", None)
    if given is not None:
        return float(given)
    counts = getattr(inputs, "class_counts", None)
    n_classes = getattr(inputs, "classes", None) or getattr(inputs, "n_classes", None)
    if counts is None and n_classes is None:
        return None
    if counts is not None:
        target = complexity.class_entropy(list(counts.values()) if isinstance(counts, dict) else counts)
    else:
        target = complexity.uniform_class_entropy(n_classes)
    baseline = baseline_entropy_nats(getattr(inputs, "baseline_classes", None), getattr(inputs, "baseline_class_counts", None))
    return complexity.relative_complexity(target, baseline)  # RC definition, seed 000
