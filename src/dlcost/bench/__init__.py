"""Measure training and data-loading throughput on this machine (``dlcost bench``).

PyTorch is an optional extra: importing this package never imports torch. The
functions import it when called and raise :class:`MissingTorch` when it is absent.

- :func:`run_training_bench`: images/s of a synthetic classification training step,
  counted forward FLOPs, achieved TFLOP/s and peak memory.
- :func:`count_forward_gflops`: forward FLOPs per image of a catalog architecture.
- :func:`run_loader_bench`: JPEG decode + ImageNet augmentation images/s per CPU core.
- :func:`save_training_result`, :func:`save_loader_result`: append a measurement to
  the user's throughput files, atomically.
"""

from __future__ import annotations

__all__ = [
    "MissingTorch",
    "TrainingBenchResult",
    "LoaderBenchResult",
    "run_training_bench",
    "count_forward_gflops",
    "run_loader_bench",
    "save_training_result",
    "save_loader_result",
    "save_inference_result",
    "INFERENCE_COLUMNS",
    "default_data_dir",
    "TRAINING_COLUMNS",
    "LOADER_COLUMNS",
]

MISSING_TORCH_MESSAGE = (
    "dlcost bench needs PyTorch: pip install 'dlcost[torch]' "
    "(or: pip install torch==2.14.1 torchvision==0.29.1)"
)


class MissingTorch(ValueError):
    """PyTorch or torchvision is not installed."""

    def __init__(self, message: str = MISSING_TORCH_MESSAGE):
        super().__init__(message)


def _require_torch():
    """``(torch, torchvision)``, imported on first use; :class:`MissingTorch` when absent."""
    try:
        import torch
        import torchvision
    except ImportError as error:
        raise MissingTorch() from error
    return torch, torchvision


# The submodules below import torch only inside their functions.
from dlcost.bench._loader import LoaderBenchResult, run_loader_bench  # noqa: E402
from dlcost.bench._store import (  # noqa: E402
    INFERENCE_COLUMNS,
    LOADER_COLUMNS,
    TRAINING_COLUMNS,
    default_data_dir,
    save_inference_result,
    save_loader_result,
    save_training_result,
)
from dlcost.bench._training import (  # noqa: E402
    TrainingBenchResult,
    count_forward_gflops,
    run_training_bench,
)
