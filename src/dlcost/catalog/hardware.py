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
"""

from __future__ import annotations

import csv
import difflib
import re
import statistics
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

__all__ = [
    "Accelerator",
    "Price",
    "Throughput",
    "HardwareCatalog",
    "load_hardware",
]

PRECISIONS = ("bf16", "fp16", "tf32", "fp32")


def _text(name: str) -> str:
    return resources.files("dlcost.catalog").joinpath(name).read_text(encoding="utf-8")


def _rows(name: str) -> list[dict]:
    return list(csv.DictReader(_text(name).splitlines()))


_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")


def _normalise(name: str) -> str:
    return _NOT_ALPHANUMERIC.sub("", str(name).lower())


def _number(text) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return float(text)


@dataclass(frozen=True)
class Accelerator:
    """One accelerator: dense peak throughput per precision, memory, power."""

    name: str
    aliases: tuple[str, ...]
    kind: str
    fp32_tflops: float
    tf32_tflops: float | None
    bf16_tflops: float | None
    fp16_tflops: float | None
    memory_gb: float | None
    memory_bandwidth_gbs: float | None
    tdp_w: float
    release_date: str
    source_specs: str
    notes: str

    def peak_flops_per_s(self, precision: str) -> tuple[float, str]:
        """Dense peak FLOP/s at ``precision`` and the precision it actually is.

        A chip without that format falls back: bf16 -> fp16 -> fp32 (V100 and T4
        have no bf16 tensor cores), tf32 -> fp32.
        """
        chains = {
            "bf16": ("bf16", "fp16", "fp32"),
            "fp16": ("fp16", "bf16", "fp32"),
            "tf32": ("tf32", "fp32"),
            "fp32": ("fp32",),
        }
        for candidate in chains[precision]:
            value = getattr(self, f"{candidate}_tflops")
            if value:
                return value * 1e12, candidate
        raise ValueError(f"{self.name} has no peak throughput for {precision}.")

    def to_dict(self) -> dict:
        record = asdict(self)
        record["aliases"] = list(self.aliases)
        return record


@dataclass(frozen=True)
class Price:
    """On-demand rental price of one GPU in a cloud instance."""

    gpu: str
    provider: str
    instance: str
    gpus_per_instance: float | None
    vcpus_per_instance: float | None
    on_demand_usd_per_gpu_hour: float
    spot_usd_per_gpu_hour: float | None
    price_date: str
    source: str

    @property
    def vcpus_per_gpu(self) -> float | None:
        if self.vcpus_per_instance and self.gpus_per_instance:
            return self.vcpus_per_instance / self.gpus_per_instance
        return None


@dataclass(frozen=True)
class Throughput:
    """A measured training throughput."""

    architecture: str
    gpu: str
    precision: str
    resolution_px: int
    batch_size: int | None
    train_images_per_s: float
    source: str
    measured_on: str
    command: str
    versions: str
    notes: str


def _accelerator(record: dict) -> Accelerator:
    aliases = record.get("aliases", ())
    if isinstance(aliases, str):
        aliases = tuple(a.strip() for a in aliases.split(";") if a.strip())
    return Accelerator(
        name=str(record["name"]),
        aliases=tuple(aliases),
        kind=str(record.get("kind") or "gpu"),
        fp32_tflops=float(record["fp32_tflops"]),
        tf32_tflops=_number(record.get("tf32_tflops")),
        bf16_tflops=_number(record.get("bf16_tflops")),
        fp16_tflops=_number(record.get("fp16_tflops")),
        memory_gb=_number(record.get("memory_gb")),
        memory_bandwidth_gbs=_number(record.get("memory_bandwidth_gbs")),
        tdp_w=float(record["tdp_w"]),
        release_date=str(record.get("release_date") or ""),
        source_specs=str(record.get("source_specs") or "user config"),
        notes=str(record.get("notes") or ""),
    )


def _price(record: dict) -> Price:
    return Price(
        gpu=str(record["gpu"]),
        provider=str(record.get("provider") or "user"),
        instance=str(record.get("instance") or ""),
        gpus_per_instance=_number(record.get("gpus_per_instance")),
        vcpus_per_instance=_number(record.get("vcpus_per_instance")),
        on_demand_usd_per_gpu_hour=float(record["on_demand_usd_per_gpu_hour"]),
        spot_usd_per_gpu_hour=_number(record.get("spot_usd_per_gpu_hour")),
        price_date=str(record.get("price_date") or ""),
        source=str(record.get("source") or "user config"),
    )


def _throughput(record: dict) -> Throughput:
    return Throughput(
        architecture=record["architecture"],
        gpu=record["gpu"],
        precision=record["precision"],
        resolution_px=int(float(record["resolution_px"])),
        batch_size=int(float(record["batch_size"])) if _number(record.get("batch_size")) else None,
        train_images_per_s=float(record["train_images_per_s"]),
        source=record.get("source", ""),
        measured_on=record.get("measured_on", ""),
        command=record.get("command", ""),
        versions=record.get("versions", ""),
        notes=record.get("notes", ""),
    )


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

    @cached_property
    def _accelerator_index(self) -> dict[str, Accelerator]:
        index = {}
        for accelerator in self.accelerators:
            for key in (accelerator.name, *accelerator.aliases):
                index.setdefault(_normalise(key), accelerator)
        return index

    @cached_property
    def _prices_by_gpu(self) -> dict[str, list[Price]]:
        grouped: dict[str, list[Price]] = {}
        for price in self.prices:
            grouped.setdefault(_normalise(price.gpu), []).append(price)
        return {
            key: sorted(rows, key=lambda p: (p.on_demand_usd_per_gpu_hour, p.provider, p.instance))
            for key, rows in grouped.items()
        }

    @cached_property
    def _measurements_by_architecture(self) -> dict[str, list[Throughput]]:
        grouped: dict[str, list[Throughput]] = {}
        for throughput in self.throughputs:
            grouped.setdefault(_normalise(throughput.architecture), []).append(throughput)
        return grouped

    def find_accelerator(self, name: str) -> Accelerator:
        """The accelerator for a name or alias; unknown names suggest the closest."""
        index = self._accelerator_index
        found = index.get(_normalise(name))
        if found is not None:
            return found
        close = difflib.get_close_matches(_normalise(name), list(index), n=6, cutoff=0.4)
        suggestions = list(dict.fromkeys(index[key].name for key in close))[:3]
        suggestions = suggestions or [a.name for a in self.accelerators[:3]]
        raise ValueError(
            f"gpu must be a hardware catalog name; got {name!r}. Did you mean "
            f"{', '.join(suggestions)}? (`dlcost hardware` lists all)"
        )

    def prices_for(self, accelerator: Accelerator) -> list[Price]:
        """Listed prices of a GPU, cheapest first."""
        return list(self._prices_by_gpu.get(_normalise(accelerator.name), ()))

    def default_price(self, accelerator: Accelerator, provider: str | None = None, n_gpus: int | None = None) -> Price | None:
        """The median-priced instance (lower middle) of a GPU, or the cheapest of one provider.

        Instances with exactly ``n_gpus`` GPUs are preferred when any is listed.
        """
        prices = self.prices_for(accelerator)
        sized = [p for p in prices if n_gpus is not None and p.gpus_per_instance == n_gpus]
        prices = sized or prices
        if provider is not None:
            known = sorted({p.provider for p in prices})
            prices = [p for p in prices if p.provider.lower() == provider.lower()]
            if not prices:
                raise ValueError(
                    f"provider must be one that lists {accelerator.name}: "
                    f"{', '.join(known) or 'none listed'}; got {provider!r}."
                )
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
                raise ValueError(f"region must be PROVIDER:REGION from the carbon data; got {region!r}.{hint}")
            value, _pue, _source = self.region_gco2_per_kwh[key]
            return value, f"{provider.strip().lower()}:{name.strip().lower()} (carbon_regions.csv)"
        if country is not None:
            code = country.strip().upper()
            if code not in self.country_gco2_per_kwh:
                raise ValueError(
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
        return list(self._measurements_by_architecture.get(_normalise(architecture), ()))


def _merge_config(accelerators: list[Accelerator], prices: list[Price], config: dict) -> tuple[list, list]:
    by_name = {_normalise(a.name): a for a in accelerators}
    known_fields = {f.name for f in fields(Accelerator)}
    for name, entry in config.get("hardware", {}).items():
        unknown = set(entry) - known_fields
        if unknown:
            raise ValueError(f"config hardware.{name}: unknown field {sorted(unknown)[0]!r}; accepted: {', '.join(sorted(known_fields - {'name'}))}.")
        existing = by_name.get(_normalise(name))
        try:
            if existing is not None:
                updates = {k: (tuple(v) if k == "aliases" else v) for k, v in entry.items()}
                by_name[_normalise(name)] = replace(existing, **updates)
            else:
                by_name[_normalise(name)] = _accelerator({"name": name, **entry})
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"config hardware.{name}: missing or bad field ({exc}); a new entry needs fp32_tflops and tdp_w.") from None
    merged_prices = list(prices)
    for number, entry in enumerate(config.get("prices", []), start=1):
        try:
            merged_prices.append(_price(entry))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"config prices entry {number}: missing or bad field ({exc}); needs gpu and on_demand_usd_per_gpu_hour.") from None
    return list(by_name.values()), merged_prices


def _read_config(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"config file {str(path)!r} cannot be read: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config file {str(path)!r} is not valid TOML: {exc}.") from None


def _read_user_throughput(path: Path | None) -> list[Throughput]:
    if path is None or not Path(path).is_file():
        return []
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return [_throughput(row) for row in csv.DictReader(handle)]


@cache
def _shipped() -> dict:
    countries = {
        row["iso3"]: (float(row["gco2_per_kwh"]), row["year"], row["source"]) for row in _rows("carbon_countries.csv")
    }
    regions = {
        (row["provider"].lower(), row["region"].lower()): (float(row["gco2_per_kwh"]), _number(row["pue"]), row["source"])
        for row in _rows("carbon_regions.csv")
    }
    # One DataLoader worker per core: rows measured with one worker are free of
    # oversubscription by the main process on a small machine.
    loader_rows = [row for row in _rows("loader_throughput.csv") if float(row["cores_used"]) == 1] or _rows("loader_throughput.csv")
    return dict(
        accelerators=[_accelerator(row) for row in _rows("hardware.csv")],
        prices=[_price(row) for row in _rows("gpu_prices.csv")],
        throughputs=[_throughput(row) for row in _rows("throughput.csv")],
        countries=countries,
        regions=regions,
        utilization=tomllib.loads(_text("utilization.toml")),
        loader_rate=statistics.median(float(row["images_per_s_per_core"]) for row in loader_rows),
        loader_source="; ".join(sorted({f"{row['cpu_model']} {row['measured_on']}" for row in loader_rows})),
    )


def _user_loader_rate(path: Path | None) -> tuple[float, str] | None:
    """The newest one-worker loader measurement a user saved with ``dlcost bench --loader --save``."""
    if path is None or not Path(path).is_file():
        return None
    with Path(path).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows = [row for row in rows if float(row["cores_used"]) == 1] or rows
    if not rows:
        return None
    newest = max(rows, key=lambda row: row["measured_on"])
    return float(newest["images_per_s_per_core"]), f"{newest['cpu_model']} {newest['measured_on']} (saved)"


def load_hardware(
    config_path: Path | None = None,
    user_throughput_path: Path | None = None,
    user_loader_path: Path | None = None,
) -> HardwareCatalog:
    """The shipped hardware data, with a user's config and saved measurements merged in."""
    shipped = _shipped()
    loader_rate, loader_source = _user_loader_rate(user_loader_path) or (shipped["loader_rate"], shipped["loader_source"])
    accelerators, prices = _merge_config(shipped["accelerators"], shipped["prices"], _read_config(config_path))
    return HardwareCatalog(
        accelerators=tuple(accelerators),
        prices=tuple(prices),
        throughputs=tuple(shipped["throughputs"]) + tuple(_read_user_throughput(user_throughput_path)),
        country_gco2_per_kwh=shipped["countries"],
        region_gco2_per_kwh=shipped["regions"],
        utilization=shipped["utilization"],
        loader_images_per_s_per_core=loader_rate,
        loader_source=loader_source,
    )
