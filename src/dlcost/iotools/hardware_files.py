"""The user's hardware config (TOML) and saved measurements (CSV), each value checked against its range.

A config or a saved measurement can make every estimate wrong (a negative TDP gives negative
energy, a zero price a free GPU, a peak of 1e-300 TFLOP/s an infinite cost), so each value is
checked before the catalog reads it. A bad one raises :class:`~dlcost.core.checks.InputError`
with one line naming the file, the key (``hardware.MyGPU.tdp_w``, ``prices[0].gpu``, a CSV
line and column) and the accepted range. The ranges are those of the matching estimate input
where there is one (a price is bounded as ``price_per_hour`` is, GPUs per instance as ``gpus``,
power as ``power_w``), else the catalog's (:data:`dlcost.catalog.hardware.MAX_TFLOPS`, ...).
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass
from numbers import Real
from pathlib import Path

from dlcost.catalog import hardware as limits
from dlcost.core.checks import InputError, shown
from dlcost.iotools.files import read_user_text
from dlcost.schemas.observation import TEXT_LIMITS
from dlcost.schemas.scenario import MAX_GPUS, MAX_IMAGES, MAX_NAME, MAX_PRICE_USD

__all__ = ["Bound", "Text", "Choice", "read_config", "check_config", "check_value", "check_cell", "toml_key",
           "check_prices_name_accelerators", "ACCELERATOR_KEYS", "PRICE_KEYS", "TRAINING_COLUMNS", "LOADER_COLUMNS", "INFERENCE_COLUMNS"]


@dataclass(frozen=True)
class Bound:
    """A number from ``low`` to ``high`` (``low`` excluded when ``low_open``), or a whole number."""

    low: float
    high: float
    unit: str = ""
    low_open: bool = False
    whole: bool = False

    def rule(self) -> str:
        if self.whole:
            return f"a whole number from {self.low:g} to {self.high:g}" + (f" {self.unit}" if self.unit else "")
        left = "(" if self.low_open else "["
        return f"a number in {left}{self.low:g}, {self.high:g}]" + (f" {self.unit}" if self.unit else "")

    def accepts(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, Real):
            return False
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            return False
        if not math.isfinite(number) or number > self.high or number < self.low or (self.low_open and number == self.low):
            return False
        return not self.whole or number == int(number)


@dataclass(frozen=True)
class Text:
    """Text of 1 (0 when ``empty``) to ``longest`` characters; ``many``: a list of up to ``many`` such texts."""

    longest: int
    many: int = 0
    empty: bool = False

    def rule(self) -> str:
        one = f"text of {0 if self.empty else 1} to {self.longest:,} characters"
        return f"a list of at most {self.many} texts, each {one[5:]}" if self.many else one

    def accepts(self, value) -> bool:
        if self.many:
            return isinstance(value, list) and len(value) <= self.many and all(Text(self.longest).accepts(v) for v in value)
        return (isinstance(value, str) and (self.empty or bool(value.strip())) and len(value) <= self.longest
                and "\x00" not in value)


@dataclass(frozen=True)
class Choice:
    """One of ``options``."""

    options: tuple[str, ...]

    def rule(self) -> str:
        return f"one of {', '.join(self.options)}"

    def accepts(self, value) -> bool:
        return isinstance(value, str) and value in self.options


_PEAK = Bound(limits.MIN_TFLOPS, limits.MAX_TFLOPS, "TFLOP/s")
_NAME = Text(MAX_NAME)
_DATE = Text(TEXT_LIMITS["observed_on"])
_NOTE = Text(TEXT_LIMITS["notes"], empty=True)
_PRICE = Bound(0, MAX_PRICE_USD, "USD per GPU-hour", low_open=True)

#: What each key of a [hardware.NAME] table holds.
ACCELERATOR_KEYS = {
    "aliases": Text(MAX_NAME, many=limits.MAX_ALIASES), "kind": _NAME, "fp32_tflops": _PEAK, "tf32_tflops": _PEAK,
    "bf16_tflops": _PEAK, "fp16_tflops": _PEAK, "memory_gb": Bound(0, limits.MAX_MEMORY_GB, "GB", low_open=True),
    "memory_bandwidth_gbs": Bound(limits.MIN_BANDWIDTH_GBS, limits.MAX_BANDWIDTH_GBS, "GB/s"),
    "tdp_w": Bound(0, limits.MAX_POWER_W, "W", low_open=True), "release_date": _DATE, "source_specs": _NOTE, "notes": _NOTE,
}
#: What each key of a [[prices]] entry holds.
PRICE_KEYS = {
    "gpu": _NAME, "provider": _NAME, "instance": _NAME, "gpus_per_instance": Bound(1, MAX_GPUS, "GPUs", whole=True),
    "vcpus_per_instance": Bound(0, limits.MAX_VCPUS, "vCPUs", low_open=True), "on_demand_usd_per_gpu_hour": _PRICE,
    "spot_usd_per_gpu_hour": _PRICE, "price_date": _DATE, "source": _NOTE,
}
#: Columns of a saved measurement file (``dlcost bench --save``): True for those every row needs.
TRAINING_COLUMNS = {
    "architecture": (_NAME, True), "gpu": (_NAME, True), "precision": (Choice(limits.PRECISIONS), True),
    "resolution_px": (Bound(1, limits.MAX_RESOLUTION_PX, "px", whole=True), True),
    "batch_size": (Bound(1, MAX_IMAGES, "images", whole=True), False),
    "train_images_per_s": (Bound(limits.MIN_IMAGES_PER_S, limits.MAX_IMAGES_PER_S, "images/s"), True),
}
INFERENCE_COLUMNS = {
    "architecture": (_NAME, True), "hardware": (_NAME, True), "precision": (Choice(limits.PRECISIONS), True),
    "batch_size": (Bound(1, MAX_IMAGES, "images", whole=True), True),
    "resolution_px": (Bound(1, limits.MAX_RESOLUTION_PX, "px", whole=True), True),
    "images_per_s": (Bound(limits.MIN_IMAGES_PER_S, limits.MAX_IMAGES_PER_S, "images/s"), True),
}
LOADER_COLUMNS = {
    "cpu_model": (_NAME, True), "cores_used": (Bound(1, limits.MAX_VCPUS, "cores", whole=True), True),
    "images_per_s_per_core": (Bound(limits.MIN_IMAGES_PER_S, limits.MAX_IMAGES_PER_S, "images/s per core"), True),
    "measured_on": (_DATE, True),
}
_TOP = ("hardware", "prices")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(name: str) -> str:
    """A TOML key as a config writes it: ``MyGPU``, or ``"My GPU"`` quoted."""
    return name if _BARE_KEY.fullmatch(name) else '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _got(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"{shown(value)} (text: write numbers without quotes)" if _is_number_text(value) else shown(value)
    return shown(value)


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_value(value, rule: Bound | Text | Choice, where: str, key: str, field: str = "config", line: int | None = None):
    """Return ``value`` if ``rule`` accepts it, else raise InputError: ``{where}: {key} must be {rule}; got ...``."""
    if not rule.accepts(value):
        raise InputError(field, f"{where}: {key} must be {rule.rule()}; got {_got(value)}.", line=line)
    return value


def check_cell(text: str, rule: Bound | Text | Choice, where: str, column: str, line: int) -> None:
    """A CSV cell (text) against ``rule``; numbers are read from the text."""
    value = text.strip()
    if isinstance(rule, Bound) and _is_number_text(value):
        value = float(value)
    if not rule.accepts(value):
        raise InputError("saved_measurements", f"{where} line {line}: {column} must be {rule.rule()}; got {shown(text.strip())}.",
                         line=line)


def _unknown(key: str, accepted, where: str, path: str) -> InputError:
    close = difflib.get_close_matches(key, list(accepted), n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    return InputError("config", f"{where}: {path} is not a key of the config; accepted: {', '.join(sorted(accepted))}.{hint}")


def _check_entry(entry, keys: dict, where: str, path: str) -> None:
    if not isinstance(entry, dict):
        raise InputError("config", f"{where}: {path} must be a table of the keys {', '.join(keys)}; got {_got(entry)}.")
    for key, value in entry.items():
        if key not in keys:
            raise _unknown(key, keys, where, f"{path}.{toml_key(key)}")
        check_value(value, keys[key], where, f"{path}.{toml_key(key)}")


def check_config(config: dict, where: str, shipped_names: set[str]) -> dict:
    """``config`` if every key is known and every value in its range; ``shipped_names`` are normalised catalog names."""
    for key in config:
        if key not in _TOP:
            raise _unknown(key, _TOP, where, toml_key(key))
    accelerators = config.get("hardware", {})
    if not isinstance(accelerators, dict):
        raise InputError("config", f"{where}: hardware must be a table of accelerators, [hardware.NAME]; got {_got(accelerators)}.")
    for name, entry in accelerators.items():
        path = f"hardware.{toml_key(name)}"
        check_value(name, _NAME, where, f"the name of {path}")
        _check_entry(entry, ACCELERATOR_KEYS, where, path)
        missing = [key for key in ("fp32_tflops", "tdp_w") if key not in entry]
        if missing and limits.normalise(name) not in shipped_names:
            raise InputError("config", f"{where}: {path} is a new accelerator, so it needs fp32_tflops and tdp_w; "
                                       f"missing: {', '.join(missing)}.")
    prices = config.get("prices", [])
    if not isinstance(prices, list):
        raise InputError("config", f"{where}: prices must be an array of tables, [[prices]]; got {_got(prices)}.")
    for index, entry in enumerate(prices):
        _check_entry(entry, PRICE_KEYS, where, f"prices[{index}]")
        missing = [key for key in ("gpu", "on_demand_usd_per_gpu_hour") if key not in entry]
        if missing:
            raise InputError("config", f"{where}: prices[{index}] needs gpu and on_demand_usd_per_gpu_hour; missing: {', '.join(missing)}.")
    return config


def read_config(path: str | Path) -> dict:
    """The config file's keys, every value checked; a bad one raises InputError naming the file and key."""
    where = f"config file {str(path)!r}"
    text = read_user_text(path, "config file", "config")
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("config", f"{where} is not valid TOML: {exc}.") from None
    shipped = {limits.normalise(a.name) for a in limits.load_hardware().accelerators}
    return check_config(config, where, shipped)


def check_prices_name_accelerators(config: dict, catalog, where: str) -> None:
    """Each [[prices]] entry names an accelerator of the catalog (or of the config itself)."""
    for index, entry in enumerate(config.get("prices", [])):
        try:
            catalog.find_accelerator(entry["gpu"])
        except InputError as error:
            raise InputError("config", f"{where}: prices[{index}].{error}") from None
