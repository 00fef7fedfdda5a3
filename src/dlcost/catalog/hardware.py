"""Loader of the hardware side of the catalog: accelerators, prices, grid carbon,
measured throughput and utilization, with a user's overrides merged in.

Files (see DATA_SOURCES.md for origins and licences):
``hardware.csv``, ``gpu_prices.csv``, ``carbon_countries.csv``, ``carbon_regions.csv``,
``throughput.csv``, ``loader_throughput.csv``, ``utilization.toml``.

A user's config file (TOML) may add or override accelerators and prices::

    [hardware.MyGPU]           # a new entry, or an existing name to override fields
    aliases = ["my-gpu"]
    kind = "gpu"
    fp32_tflops = 20.0
    bf16_tflops = 160.0
    memory_bandwidth_gbs = 1000
    tdp_w = 300

    [[prices]]
    gpu = "H100"
    provider = "mycloud"
    on_demand_usd_per_gpu_hour = 1.99
    gpus_per_instance = 1
    vcpus_per_instance = 24
    price_date = "2026-11-01"

Measured throughput saved by ``dlcost bench --save`` (a CSV in the user's data
directory) is merged into the shipped measurements.

Every key and value of a user's config and saved measurements is checked before it is merged
(:mod:`dlcost.iotools.hardware_files`): unknown keys are refused, and each number must be finite
and in its range (a price as ``price_per_hour`` is bounded, a TDP in (0, MAX_POWER_W], a peak in
[MIN_TFLOPS, MAX_TFLOPS], ...; the bounds below).
"""

from __future__ import annotations

import csv
import difflib
import statistics
import tomllib
from dataclasses import dataclass, fields, replace
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from dlcost.catalog._hardware_rows import (
    MAX_ALIASES, MAX_BANDWIDTH_GBS, MAX_IMAGES_PER_S, MAX_MEMORY_GB, MAX_POWER_W, MAX_RESOLUTION_PX, MAX_TFLOPS, MAX_VCPUS,
    MIN_BANDWIDTH_GBS, MIN_IMAGES_PER_S, MIN_TFLOPS, PRECISIONS, Accelerator, Price, Throughput, accelerator_from,
    normalise, number, price_from, throughput_from,
)
from dlcost.core.checks import InputError

__all__ = [
    "Accelerator",
    "Price",
    "Throughput",
    "HardwareCatalog",
    "load_hardware",
    "PRECISIONS",
    "normalise",
    "ACCELERATOR_FIELDS",
    "PRICE_FIELDS",
    "MIN_TFLOPS", "MAX_TFLOPS", "MAX_MEMORY_GB", "MIN_BANDWIDTH_GBS", "MAX_BANDWIDTH_GBS", "MAX_POWER_W", "MAX_VCPUS",
    "MIN_IMAGES_PER_S", "MAX_IMAGES_PER_S", "MAX_RESOLUTION_PX", "MAX_ALIASES",
]

#: Keys a config's [hardware.NAME] table and [[prices]] entry may hold.
ACCELERATOR_FIELDS = tuple(f.name for f in fields(Accelerator) if f.name != "name")
PRICE_FIELDS = tuple(f.name for f in fields(Price))


def _text(name: str) -> str:
    return resources.files("dlcost.catalog").joinpath(name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict]:
    return list(csv.DictReader(_text(name).splitlines()))


@dataclass(frozen=True)
class HardwareCatalog:
    """Everything the realistic cost modes read, shipped data plus user overrides."""

    accelerators: tuple[Accelerator, ...]
    prices: tuple[Price, ...]
    throughputs: tuple[Throughput, ...]
    country_gco2_per_kwh: dict
    region_gco2_per_kwh: dict
    utilization: dict
    loader_images_per_s_per_core: float
    loader_source: str
    throughput_model: dict = None  # catalog/throughput_model.toml
    inference_measurements: tuple = ()  # catalog/inference_throughput.csv rows (dicts)

    @cached_property
    def _accelerator_index(self) -> dict[str, Accelerator]:
        index = {}
        for accelerator in self.accelerators:
            for key in (accelerator.name, *accelerator.aliases):
                index.setdefault(normalise(key), accelerator)
        return index

    @cached_property
    def _prices_by_gpu(self) -> dict[str, list[Price]]:
        grouped: dict[str, list[Price]] = {}
        for price in self.prices:
            grouped.setdefault(normalise(price.gpu), []).append(price)
        return {
            key: sorted(rows, key=lambda p: (p.on_demand_usd_per_gpu_hour, p.provider, p.instance))
            for key, rows in grouped.items()
        }

    @cached_property
    def _measurements_by_architecture(self) -> dict[str, list[Throughput]]:
        grouped: dict[str, list[Throughput]] = {}
        for throughput in self.throughputs:
            grouped.setdefault(normalise(throughput.architecture), []).append(throughput)
        return grouped

    def find_accelerator(self, name: str, field: str = "gpu") -> Accelerator:
        """The accelerator for a name or alias; unknown names suggest the closest (the error names ``field``)."""
        index = self._accelerator_index
        found = index.get(normalise(name))
        if found is not None:
            return found
        close = difflib.get_close_matches(normalise(name), list(index), n=6, cutoff=0.4)
        suggestions = list(dict.fromkeys(index[key].name for key in close))[:3]
        suggestions = suggestions or [a.name for a in self.accelerators[:3]]
        raise InputError(field,
            f"{field} must be a hardware catalog name; got {name!r}. Did you mean "
            f"{', '.join(suggestions)}? (`dlcost hardware` lists all)"
        )

    def prices_for(self, accelerator: Accelerator) -> list[Price]:
        """Listed prices of a GPU, cheapest first."""
        return list(self._prices_by_gpu.get(normalise(accelerator.name), ()))

    def default_price(self, accelerator: Accelerator, provider: str | None = None, n_gpus: int = 1) -> Price | None:
        """The listed price a job on ``n_gpus`` GPUs pays: the median-priced instance (lower middle)
        of those it fits, or the cheapest of one ``provider``. ``dlcost hardware`` shows the same (n_gpus 1).

        A job fits an instance of k GPUs when k divides ``n_gpus`` (one instance of 8 for 8 GPUs,
        two for 16); instances of exactly ``n_gpus`` are preferred. Without any that fit, the
        median over all sizes. A ``provider`` that rents the GPU only in sizes the job does not
        fit raises :class:`InputError` naming those sizes.
        """
        prices = self.prices_for(accelerator)
        if provider is not None:
            known = sorted({p.provider for p in prices})
            prices = [p for p in prices if p.provider.lower() == provider.lower()]
            if not prices:
                raise InputError("provider", f"provider must be one that lists {accelerator.name}: "
                                             f"{', '.join(known) or 'none listed'}; got {provider!r}.")
        exact = [p for p in prices if p.gpus_per_instance == n_gpus]
        fitting = exact or [p for p in prices if p.gpus_per_instance and n_gpus % p.gpus_per_instance == 0]
        if provider is not None and not fitting:
            sizes = sorted({int(p.gpus_per_instance) for p in prices if p.gpus_per_instance})
            raise InputError("provider", f"provider {provider!r} rents {accelerator.name} only in instances of "
                                         f"{' or '.join(str(k) for k in sizes)} GPUs; got gpus {n_gpus}. "
                                         f"Set gpus to a multiple of {sizes[0]}, or choose another provider.")
        prices = fitting or prices
        if provider is not None:
            return prices[0]
        return prices[(len(prices) - 1) // 2] if prices else None

    def grid_intensity(self, country: str | None, region: str | None) -> tuple[float, str]:
        """Grid carbon intensity [gCO2eq/kWh] and where it comes from."""
        if region is not None:
            provider, _, name = region.partition(":")
            key = (provider.strip().lower(), name.strip().lower())
            if not name or key not in self.region_gco2_per_kwh:
                known = sorted(f"{p}:{r}" for p, r in self.region_gco2_per_kwh)
                close = difflib.get_close_matches(region.lower(), known, n=3, cutoff=0.5)
                hint = f" Did you mean {', '.join(close)}?" if close else " Example: aws:us-east-1."
                raise InputError("region", f"region must be PROVIDER:REGION from the carbon data; got {region!r}.{hint}")
            value, _pue, _source = self.region_gco2_per_kwh[key]
            return value, f"{provider.strip().lower()}:{name.strip().lower()} (carbon_regions.csv)"
        if country is not None:
            code = country.strip().upper()
            if code not in self.country_gco2_per_kwh:
                raise InputError("country",
                    f"country must be an ISO 3166 alpha-3 code with grid data, such as USA, DEU, FRA; got {country!r}."
                )
            value, year, _source = self.country_gco2_per_kwh[code]
            return value, f"{code} {year} (carbon_countries.csv)"
        value, year, _source = self.country_gco2_per_kwh["WORLD"]
        return value, f"world average {year} (carbon_countries.csv)"

    def region_pue(self, region: str | None) -> float | None:
        if region is None:
            return None
        provider, _, name = region.partition(":")
        entry = self.region_gco2_per_kwh.get((provider.strip().lower(), name.strip().lower()))
        return entry[1] if entry else None

    def measurements(self, architecture: str) -> list[Throughput]:
        return list(self._measurements_by_architecture.get(normalise(architecture), ()))


def _merge_config(accelerators: list[Accelerator], prices: list[Price], config: dict) -> tuple[list, list]:
    """The accelerators and prices with a config's merged in (checked first by :mod:`dlcost.iotools`)."""
    by_name = {normalise(a.name): a for a in accelerators}
    for name, entry in config.get("hardware", {}).items():
        unknown = set(entry) - set(ACCELERATOR_FIELDS)
        if unknown:
            raise InputError("config", f"config hardware.{name}: unknown field {sorted(unknown)[0]!r}; accepted: {', '.join(sorted(ACCELERATOR_FIELDS))}.")
        existing = by_name.get(normalise(name))
        try:
            if existing is not None:
                updates = {k: (tuple(v) if k == "aliases" else v) for k, v in entry.items()}
                by_name[normalise(name)] = replace(existing, **updates)
            else:
                by_name[normalise(name)] = accelerator_from({"name": name, **entry})
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise InputError("config", f"config hardware.{name}: missing or bad field ({exc}); a new entry needs fp32_tflops and tdp_w.") from None
    merged_prices = list(prices)
    for index, entry in enumerate(config.get("prices", [])):
        unknown = set(entry) - set(PRICE_FIELDS)
        if unknown:
            raise InputError("config", f"config prices[{index}]: unknown field {sorted(unknown)[0]!r}; accepted: {', '.join(sorted(PRICE_FIELDS))}.")
        try:
            merged_prices.append(price_from(entry))
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise InputError("config", f"config prices[{index}]: missing or bad field ({exc}); needs gpu and on_demand_usd_per_gpu_hour.") from None
    return list(by_name.values()), merged_prices


def _read_config(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError("config", f"config file {str(path)!r} cannot be read: {exc.strerror}.") from None
    except UnicodeDecodeError as exc:
        raise InputError("config", f"config file {str(path)!r} is not UTF-8 text (byte {exc.start}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError("config", f"config file {str(path)!r} is not valid TOML: {exc}.") from None


def _read_user_throughput(path: Path | None) -> list[Throughput]:
    if path is None or not Path(path).is_file():
        return []
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            return [throughput_from(row) for row in csv.DictReader(handle)]
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InputError("config", f"saved measurements file {str(path)!r} cannot be read: {type(exc).__name__}: {exc}.") from None


@cache
def _shipped() -> dict:
    countries = {
        row["iso3"]: (float(row["gco2_per_kwh"]), row["year"], row["source"]) for row in _rows("carbon_countries.csv")
    }
    regions = {
        (row["provider"].lower(), row["region"].lower()): (float(row["gco2_per_kwh"]), number(row["pue"]), row["source"])
        for row in _rows("carbon_regions.csv")
    }
    # One DataLoader worker per core: rows measured with one worker are free of
    # oversubscription by the main process on a small machine.
    loader_rows = [row for row in _rows("loader_throughput.csv") if float(row["cores_used"]) == 1] or _rows("loader_throughput.csv")
    return dict(
        accelerators=[accelerator_from(row) for row in _rows("hardware.csv")],
        prices=[price_from(row) for row in _rows("gpu_prices.csv")],
        throughputs=[throughput_from(row) for row in _rows("throughput.csv")],
        countries=countries,
        regions=regions,
        utilization=tomllib.loads(_text("utilization.toml")),
        throughput_model=tomllib.loads(_text("throughput_model.toml")),
        inference_measurements=tuple(_rows("inference_throughput.csv")),
        loader_rate=statistics.median(float(row["images_per_s_per_core"]) for row in loader_rows),
        loader_source="; ".join(sorted({f"{row['cpu_model']} {row['measured_on']}" for row in loader_rows})),
    )


def _user_loader_rate(path: Path | None) -> tuple[float, str] | None:
    """The newest one-worker loader measurement a user saved with ``dlcost bench --loader --save``."""
    if path is None or not Path(path).is_file():
        return None
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        rows = [row for row in rows if float(row["cores_used"]) == 1] or rows
        if not rows:
            return None
        newest = max(rows, key=lambda row: row["measured_on"])
        return float(newest["images_per_s_per_core"]), f"{newest['cpu_model']} {newest['measured_on']} (saved)"
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InputError("config", f"saved loader file {str(path)!r} cannot be read: {type(exc).__name__}: {exc}.") from None


def load_hardware(
    config_path: Path | None = None,
    user_throughput_path: Path | None = None,
    user_loader_path: Path | None = None,
    *,
    config: dict | None = None,
    user_inference_rows: list[dict] | tuple = (),
) -> HardwareCatalog:
    """The shipped hardware data, with a user's config and saved measurements merged in.

    ``config`` is a config already read (and checked: :func:`dlcost.iotools.user_files.load_user_hardware`
    checks every value against its range); given, ``config_path`` is not read. ``user_inference_rows``
    are saved ``dlcost bench --inference`` rows (checked the same way), preferred over the shipped ones.
    """
    shipped = _shipped()
    loader_rate, loader_source = _user_loader_rate(user_loader_path) or (shipped["loader_rate"], shipped["loader_source"])
    config = _read_config(config_path) if config is None else config
    accelerators, prices = _merge_config(shipped["accelerators"], shipped["prices"], config)
    return HardwareCatalog(
        accelerators=tuple(accelerators),
        prices=tuple(prices),
        throughputs=tuple(shipped["throughputs"]) + tuple(_read_user_throughput(user_throughput_path)),
        country_gco2_per_kwh=shipped["countries"],
        region_gco2_per_kwh=shipped["regions"],
        utilization=shipped["utilization"],
        loader_images_per_s_per_core=loader_rate,
        loader_source=loader_source,
        throughput_model=shipped["throughput_model"],
        inference_measurements=tuple(dict(row, source=row.get("source") or "dlcost bench") for row in user_inference_rows)
        + shipped["inference_measurements"],
    )
