"""Seed 003's long view (issue 14): the published regressions, Figure 4's projections and their conversions.

- :func:`coefficients`: a benchmark's regression, as the tables print it or as Figure 4 implies it;
- :func:`paper_conversion`: the seed's dollars and CO2 per Gflop (its reference [82]), recovered from Figure 4;
- :func:`project`: a LimitsQuery in, computation, cost and CO2 out, with the flags of a meaningless answer;
- :func:`limits_table`: the tables, the recovered coefficients and the reproduction of Figure 4.
"""

from __future__ import annotations

import math

from dlcost.catalog import limits as data
from dlcost.catalog.hardware import HardwareCatalog
from dlcost.core import limits
from dlcost.core.checks import InputError
from dlcost.engine.training_compute import resolve_settings
from dlcost.schemas.limits import LimitsQuery

__all__ = ["coefficients", "paper_conversion", "project", "limits_table", "figure4_reproduction", "MAX_LOG10_GFLOPS",
           "world_limits", "today_conversion", "benchmark_curves"]

#: Largest computation a projection may report: beyond it no float holds the number. [log10 Gflops]
MAX_LOG10_GFLOPS = 300.0
_COLUMNS = {"polynomial": 1, "exponential": 4}  # Figure 4's computation column of each form
_KWH_PER_EJ = 1e18 / 3.6e6


def _regression(benchmark: str, form: str) -> dict:
    for row in data.regressions_file()["regressions"]:
        if row["benchmark"] == benchmark and row["form"] == form and row["computation"] == "hardware_burden":
            return row
    raise InputError("benchmark", f"benchmark {benchmark!r} has no {form} regression in seed 003's Tables 3-4.")


def _figure4_rows(benchmark: str) -> list[list[float]]:
    rows = data.figure4().get(benchmark)
    if rows is None:
        raise InputError("benchmark", f"benchmark must be one of {', '.join(data.figure4())}; got {benchmark!r}.")
    return rows


def coefficients(benchmark: str, form: str, source: str = "figure-4") -> dict:
    """``constant``, ``slope`` and where they come from: the table's printed values or Figure 4's implied ones."""
    row = _regression(benchmark, form)
    if source == "table":
        return {"constant": row["constant"], "slope": row["slope"], "source": f"seed 003, Table {row['table']}"}
    rows = _figure4_rows(benchmark)
    column = _COLUMNS[form]
    constant, slope, residual = limits.recover_coefficients([r[0] for r in rows], [r[column] for r in rows], form)
    return {"constant": constant, "slope": slope, "largest_residual_orders": residual,
            "source": f"recovered from seed 003 Figure 4 ({len(rows)} rows, least squares)"}


def paper_conversion() -> dict:
    """The seed's conversions (its reference [82]): log10 USD and CO2 lbs per Gflop, from every Figure 4 cell."""
    gflops, co2, usd = [], [], []
    for rows in data.figure4().values():
        for row in rows:
            for offset in (1, 4):
                gflops.append(row[offset])
                co2.append(row[offset + 1])
                usd.append(row[offset + 2])
    return {"log10_usd_per_gflop": limits.recover_log10_conversion(gflops, usd),
            "log10_co2_lbs_per_gflop": limits.recover_log10_conversion(gflops, co2),
            "cells": len(gflops),
            "source": "seed 003 Figure 4 (conversions of its reference [82], Strubell et al. 2019): mean log10 ratio of "
                      "its cost and CO2 cells to its computation cells"}


def today_conversion(query: LimitsQuery, hardware: HardwareCatalog) -> dict:
    """Today's rates from the hardware catalog, through the estimator's one resolver (``resolve_settings``)."""
    settings = resolve_settings(query.hardware_scenario(), hardware, need_price=True)
    accelerator = settings.accelerator
    peak_flops, precision_used = accelerator.peak_flops_per_s(settings.precision)
    return {"gpu": accelerator.name, "precision": precision_used, "peak_tflops": peak_flops / 1e12,
            "price_per_gpu_hour_usd": float(settings.price_per_gpu_hour_usd), "price_source": settings.price_source,
            "power_w": float(settings.power_w), "power_source": settings.power_source, "pue": float(settings.pue),
            "pue_source": settings.pue_source, "grid_gco2_per_kwh": float(settings.grid_gco2_per_kwh),
            "grid_source": settings.grid_source}


def world_limits() -> dict:
    """The world's annual energy, electricity and output the flags compare against (limits_regressions.toml)."""
    world = data.regressions_file()["world"]
    return {"primary_energy_kwh_per_year": world["primary_energy_ej_per_year"] * _KWH_PER_EJ,
            "electricity_kwh_per_year": world["electricity_twh_per_year"] * 1e9,
            "gdp_usd_per_year": float(world["gdp_usd_per_year"]), "year": world["year"]}


def _number(log10_value: float) -> float | None:
    """10^x when it is a finite float, else None (the log10 value is always given)."""
    return 10.0 ** log10_value if log10_value < 307.0 else None


def _flags(benchmark: dict, query: LimitsQuery, log10_c: float, log10_kwh: float, log10_usd: float) -> list[str]:
    flags = []
    world = world_limits()
    if log10_c < 0:
        flags.append(f"physically meaningless: less than one Gflop (10^{log10_c:.1f}), far below any training run the "
                     "regression was fitted on")
    if query.target_error > benchmark["today_error"]:
        flags.append(f"target_error {query.target_error:g} is looser than today's {benchmark['today_error']:g}: "
                     "the regression describes progress to today, so this extrapolates backwards")
    times_energy = log10_kwh - math.log10(world["primary_energy_kwh_per_year"])
    if times_energy > 0:
        flags.append(f"physically meaningless: the energy (on today's GPU) is 10^{times_energy:.1f} times the world's "
                     f"primary energy production of a year ({world['year']})")
    elif log10_kwh > math.log10(world["electricity_kwh_per_year"]):
        flags.append(f"more electricity than the world generates in a year ({world['year']})")
    times_gdp = log10_usd - math.log10(world["gdp_usd_per_year"])
    if times_gdp > 0:
        flags.append(f"economically meaningless: the cost is 10^{times_gdp:.1f} times the world's GDP of a year ({world['year']})")
    return flags


def project(query: LimitsQuery, hardware: HardwareCatalog) -> dict:
    """Figure 4 for one benchmark, form and target: computation, dollars and CO2, with the conversion named."""
    benchmark = data.regressions_file()["benchmarks"][query.benchmark]
    coef = coefficients(query.benchmark, query.form, query.coefficients)
    log10_c = float(limits.log10_computation(query.target_error, coef["constant"], coef["slope"], query.form))
    if not math.isfinite(log10_c) or log10_c > MAX_LOG10_GFLOPS:
        need = f"10^{log10_c:.4g} Gflops" if math.isfinite(log10_c) else "more Gflops than any float holds"
        raise InputError("target_error", f"target_error {query.target_error:g} is beyond any sensible extrapolation: the {query.form} "
                                         f"form of {benchmark['label']} needs {need} (the limit is 10^300). "
                                         f"Choose a target nearer today's {benchmark['today_error']:g}.")
    today = today_conversion(query, hardware)
    rates = limits.today_log10_costs(log10_c, today["peak_tflops"], today["price_per_gpu_hour_usd"], today["power_w"],
                                     today["pue"], today["grid_gco2_per_kwh"])
    if query.conversion == "paper-2020":
        paper = paper_conversion()
        log10_usd = log10_c + paper["log10_usd_per_gflop"]
        log10_co2_kg = log10_c + paper["log10_co2_lbs_per_gflop"] - math.log10(limits.LBS_PER_KG)
        detail = (f"paper-2020: 10^{paper['log10_usd_per_gflop']:.2f} USD and 10^{paper['log10_co2_lbs_per_gflop']:.2f} lbs CO2 "
                  f"per Gflop ({paper['source']})")
    else:
        log10_usd, log10_co2_kg = float(rates["log10_usd"]), float(rates["log10_co2_kg"])
        detail = (f"today: {today['gpu']} {today['precision']} peak {today['peak_tflops']:g} TFLOP/s, "
                  f"${today['price_per_gpu_hour_usd']:.2f}/GPU-hour ({today['price_source']}), {today['power_w']:.0f} W x PUE "
                  f"{today['pue']:.2f}, {today['grid_gco2_per_kwh']:.0f} gCO2/kWh ({today['grid_source']})")
    log10_today = float(limits.log10_computation(benchmark["today_error"], coef["constant"], coef["slope"], query.form))
    log10_co2_lbs = log10_co2_kg + math.log10(limits.LBS_PER_KG)
    flags = _flags(benchmark, query, log10_c, float(rates["log10_kwh"]), log10_usd)
    return {
        "benchmark": query.benchmark, "benchmark_label": benchmark["label"], "metric": benchmark["metric"],
        "error_definition": benchmark["error_definition"], "target_error": query.target_error, "form": query.form,
        "coefficients": query.coefficients, "constant": coef["constant"], "slope": coef["slope"],
        "coefficient_source": coef["source"], "conversion": query.conversion, "conversion_detail": detail,
        "log10_computation_gflops": log10_c, "computation_gflops": _number(log10_c),
        "log10_cost_usd": log10_usd, "cost_usd": _number(log10_usd),
        "log10_co2_lbs": log10_co2_lbs, "co2_lbs": _number(log10_co2_lbs),
        "log10_co2_kg": log10_co2_kg, "co2_kg": _number(log10_co2_kg),
        "log10_gpu_hours_today": float(rates["log10_gpu_hours"]), "log10_energy_kwh_today": float(rates["log10_kwh"]),
        "today_error": benchmark["today_error"], "log10_times_today_computation": log10_c - log10_today,
        "physically_meaningless": any(f.startswith(("physically", "economically")) for f in flags), "flags": flags,
    }


def figure4_reproduction() -> list[dict]:
    """Every Figure 4 cell: as printed, from the tables' coefficients and from the recovered ones (log10 values)."""
    paper = paper_conversion()
    cells = []
    for name, rows in data.figure4().items():
        for form, column in _COLUMNS.items():
            table, recovered = coefficients(name, form, "table"), coefficients(name, form, "figure-4")
            for row in rows:
                entry = {"benchmark": name, "form": form, "error": row[0], "printed": row[column: column + 3]}
                for label, coef in (("table", table), ("figure-4", recovered)):
                    log10_c = float(limits.log10_computation(row[0], coef["constant"], coef["slope"], form))
                    values = [log10_c, log10_c + paper["log10_co2_lbs_per_gflop"], log10_c + paper["log10_usd_per_gflop"]]
                    entry[label] = values
                    entry[f"{label}_within_one_order"] = all(abs(v - p) <= 1.0 for v, p in zip(values, entry["printed"]))
                cells.append(entry)
    return cells


def benchmark_curves(points: int = 25, forms: tuple[str, ...] = ("polynomial",)) -> list[dict]:
    """Figure 4's curves (the coefficients it implies): error against hardware burden, today to its Target 2."""
    curves = []
    table = data.regressions_file()["benchmarks"]
    for name, rows in data.figure4().items():
        errors = [r[0] for r in rows]
        high, low = math.log10(max(errors)), math.log10(min(errors))
        grid = [10 ** (high + (low - high) * i / (points - 1)) for i in range(points)]
        for form in forms:
            coef = coefficients(name, form)
            curves.append({"benchmark": name, "label": table[name]["label"], "form": form, "error": grid,
                           "log10_computation_gflops": [float(limits.log10_computation(e, coef["constant"], coef["slope"], form))
                                                        for e in grid],
                           "polynomial_exponent": limits.polynomial_exponent(coef["slope"]) if form == "polynomial" else None})
    return curves


def _regression_rows() -> list[dict]:
    rows = []
    for row in data.regressions_file()["regressions"]:
        entry = dict(row)
        if row["form"].startswith("polynomial"):
            entry["polynomial_exponent"] = limits.polynomial_exponent(row["slope"])
        rows.append(entry)
    return rows


def limits_table() -> dict:
    """``dlcost limits table``: benchmarks, the tables, both coefficient sets, the conversion and Figure 4 reproduced."""
    file = data.regressions_file()
    recovered = []
    for name in data.figure4():
        for form in _COLUMNS:
            table, figure = _regression(name, form), coefficients(name, form, "figure-4")
            half = 0.005  # the tables print two decimals
            recovered.append({"benchmark": name, "form": form, "table_constant": table["constant"], "table_slope": table["slope"],
                              "figure4_constant": figure["constant"], "figure4_slope": figure["slope"],
                              "largest_residual_orders": figure["largest_residual_orders"],
                              "slope_within_table_rounding": abs(figure["slope"] - table["slope"]) <= half + 1e-12})
    cells = figure4_reproduction()
    return {"source": file["source"], "benchmarks": file["benchmarks"], "regressions": _regression_rows(),
            "recovered": recovered, "paper_conversion": paper_conversion(), "figure4": cells,
            "table_rows_missed": sorted({(c["benchmark"], c["form"]) for c in cells if not c["table_within_one_order"]}),
            "figure4_rows_missed": sorted({(c["benchmark"], c["form"]) for c in cells if not c["figure-4_within_one_order"]}),
            "world": world_limits(), "curves": benchmark_curves(forms=("polynomial", "exponential"))}
