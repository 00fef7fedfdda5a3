"""Seed 003's published regressions and Figure 4 (``limits_regressions.toml``), and the example data of ``limits/``."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

__all__ = ["regressions_file", "figure4", "example_csv", "EXAMPLES"]

#: The example data sets `dlcost limits fit` ships (catalog/limits_examples/SOURCES.md).
EXAMPLES = ("timm_imagenet.csv", "epoch_vision_compute.csv")


@cache
def regressions_file() -> dict:
    """The whole data file: ``source``, ``benchmarks``, ``regressions``, ``figure4``, ``world``."""
    return tomllib.loads(resources.files("dlcost.catalog").joinpath("limits_regressions.toml").read_text(encoding="utf-8"))


def figure4() -> dict[str, list[list[float]]]:
    """Figure 4 by benchmark: rows of [error, poly Gflops, CO2 lbs, USD, exp Gflops, CO2 lbs, USD], each a log10."""
    return regressions_file()["figure4"]


def example_csv(name: str) -> str:
    """The text of one shipped example data set (``EXAMPLES``)."""
    if name not in EXAMPLES:
        raise ValueError(f"example must be one of {', '.join(EXAMPLES)}; got {name!r}.")
    return resources.files("dlcost.catalog").joinpath("limits_examples", name).read_text(encoding="utf-8")
