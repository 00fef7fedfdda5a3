"""dlcost: what a deep-learning vision system will cost, how much data it needs, and
what accuracy it can reach (after Thompson et al., AAAI 2024; seed 000).

>>> import dlcost
>>> result = dlcost.estimate(dlcost.Scenario(target_accuracy=0.965, data_max=200_000,
...     cost_per_datapoint=0.63, class_counts=[50_000, 1_000], cost_mode="paper"))
>>> result.recommendations[0].architecture
'EfficientNet-B0'

Public names are imported lazily so that the command line starts fast.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "Scenario": "dlcost.schemas",
    "ErrorQuery": "dlcost.schemas",
    "Estimate": "dlcost.schemas",
    "Recommendation": "dlcost.schemas",
    "ErrorPrediction": "dlcost.schemas",
    "LearningCurveQuery": "dlcost.schemas",
    "LearningCurveResult": "dlcost.schemas",
    "Observation": "dlcost.schemas",
    "InputError": "dlcost.core.checks",
    "estimate": "dlcost.engine.estimate",
    "predict_error": "dlcost.engine.estimate",
    "fit_pilot": "dlcost.engine.pilot",
    "Workspace": "dlcost.service.workspace",
    "architectures": "dlcost.catalog",
    "find_architecture": "dlcost.catalog",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'dlcost' has no attribute {name!r}")


def __dir__():
    return __all__
