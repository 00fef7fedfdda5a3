"""Display helpers of the store pages: the estimator's layout for saved results and models."""

from __future__ import annotations

import json
from urllib.parse import quote


def _usd(value) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def _count(value) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _percent(value) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _amount(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:,.3f}"


def _range(low, high, show) -> str:
    return f"{show(low)} – {'unbounded' if high is None else show(high)}"


def _result_rows(result: dict) -> list[dict]:
    """The estimator's recommendations table: one row per output, one column per architecture."""
    recs = result.get("recommendations") or []
    level = round((result.get("interval") or {}).get("level", 0.8) * 100)
    segmentation = (result.get("inputs") or {}).get("task") == "segmentation"
    specs = [
        ("max_achievable_accuracy", f"Max achievable {'mean IoU' if segmentation else 'accuracy'}",
         lambda r: _percent(r["max_achievable_accuracy"])),
        ("training_cost", "Model training cost", lambda r: _usd(r["training_cost"])),
        ("data_cost", "Data cost", lambda r: _usd(r["data_cost"])),
        ("data_needed", "Data needed (total)", lambda r: _count(r["data_needed"])),
        ("data_needed_range", f"Data needed, {level}% range", lambda r: _range(r["data_needed_low"], r["data_needed_high"], _count)),
        ("additional_data", "Additional data to collect", lambda r: _count(r["additional_data"])),
        ("total_cost", "Total cost", lambda r: _usd(r["total_cost"])),
        ("total_cost_range", f"Total cost, {level}% range", lambda r: _range(r["total_cost_low"], r["total_cost_high"], _usd)),
        ("cost_mode", "Cost mode", lambda r: str(r["cost_mode"])),
        ("gpu_hours", "GPU-hours", lambda r: _amount(r["gpu_hours"])),
        ("compute_cost", "GPU compute cost", lambda r: _usd(r.get("compute_cost"))),
        ("energy_kwh", "Energy (kWh)", lambda r: _amount(r["energy_kwh"])),
        ("co2_kg", "CO₂ (kg)", lambda r: _amount(r["co2_kg"])),
    ]
    return [{"field": field, "label": label, "cells": [{"rank": rec["rank"], "text": show(rec),
             "short": field == "max_achievable_accuracy" and not rec["feasible"]} for rec in recs]}
            for field, label, show in specs]


def _input_rows(inputs: dict) -> list[tuple[str, str]]:
    """Each input given (or defaulted), as the estimator names it."""
    rows = []
    for key, value in inputs.items():
        if value is None:
            continue
        if key == "target_accuracy":
            text = _percent(value)
        elif isinstance(value, dict):
            text = ", ".join(f"{label}: {count:,.0f}" for label, count in list(value.items())[:12]) + (" …" if len(value) > 12 else "")
        elif isinstance(value, list):
            text = ", ".join(f"{item:,.0f}" if isinstance(item, float) else str(item) for item in value[:12]) + (" …" if len(value) > 12 else "")
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, float):
            text = f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}"
        else:
            text = str(value)
        rows.append((key.replace("_", " ").capitalize(), text))
    return rows


def _estimator_link(inputs: dict) -> str:
    """The estimator page's URL for saved inputs (the encoding of dlcost.web.query)."""

    def text(value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        return str(value)

    parts = []
    for key, value in inputs.items():
        if value is None:
            continue
        if isinstance(value, dict):
            value = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif isinstance(value, list):
            value = ",".join(text(item) for item in value)
        parts.append(f"{quote(key)}={quote(text(value), safe='')}")
    return "/?" + "&".join(parts)


def _coefficient_rows(document: dict) -> list[dict]:
    def number(value) -> str:
        return "-" if value is None or value != value else f"{value:.3f}"

    return [{"variable": c["regressor"], "cells": [number(c[key]) for key in ("coef", "std_err", "t", "p", "ci_low", "ci_high")]}
            for c in document["coefficients"]]


