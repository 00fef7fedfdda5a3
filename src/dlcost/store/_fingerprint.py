"""A content fingerprint of an observation, so importing the same rows twice adds nothing."""

from __future__ import annotations

import hashlib
import json

__all__ = ["FINGERPRINT_FIELDS", "observation_fingerprint"]

#: Every field of an observation: two rows with equal values here are the same observation.
FINGERPRINT_FIELDS = ("dataset", "task", "n_train", "n_classes", "class_counts", "relative_complexity", "pretrained",
                      "architecture", "epochs", "metric_name", "metric_value", "gpu_hours", "cost_usd", "source",
                      "observed_on", "notes")


def _canonical(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(float(value))
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return str(value)


def observation_fingerprint(record: dict) -> str:
    """SHA-256 of the observation's fields, numbers written as floats (1 and 1.0 are equal)."""
    canonical = {field: _canonical(record.get(field)) for field in FINGERPRINT_FIELDS}
    canonical["source"] = canonical["source"] or ""
    canonical["notes"] = canonical["notes"] or ""
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
