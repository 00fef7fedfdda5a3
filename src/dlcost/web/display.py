"""Display helpers of the store pages: the estimator's layout for saved results and models."""

from __future__ import annotations

from dlcost.web.query import encode_query


def usd(value) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def count(value) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def percent(value) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def amount(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:,.3f}"


def value_range(low, high, show) -> str:
    return f"{'unbounded' if low is None else show(low)} – {'unbounded' if high is None else show(high)}"  # None: no data size is enough


def result_rows(result: dict) -> list[dict]:
    """The estimator's recommendations table: one row per output, one column per architecture."""
    recs = result.get("recommendations") or []
    level = round((result.get("interval") or {}).get("level", 0.8) * 100)
    segmentation = (result.get("inputs") or {}).get("task") == "segmentation"
    specs = [
        ("max_achievable_accuracy", f"Max achievable {'mean IoU' if segmentation else 'accuracy'}",
         lambda r: percent(r["max_achievable_accuracy"])),
        ("predicted_accuracy", f"Predicted {'mean IoU' if segmentation else 'accuracy'} (this backbone)",
         lambda r: "–" if r.get("predicted_error") is None else percent(1.0 - r["predicted_error"])),
        ("training_cost", "Model training cost", lambda r: usd(r["training_cost"])),
        ("data_cost", "Data cost", lambda r: usd(r["data_cost"])),
        ("data_needed", "Data needed (total)", lambda r: count(r["data_needed"])),
        ("data_needed_range", f"Data needed, {level}% range", lambda r: value_range(r["data_needed_low"], r["data_needed_high"], count)),
        ("additional_data", "Additional data to collect", lambda r: count(r["additional_data"])),
        ("total_cost", "Total cost", lambda r: usd(r["total_cost"])),
        ("total_cost_range", f"Total cost, {level}% range", lambda r: value_range(r["total_cost_low"], r["total_cost_high"], usd)),
        ("cost_mode", "Cost mode", lambda r: str(r["cost_mode"])),
        ("gpu_hours", "GPU-hours", lambda r: amount(r["gpu_hours"])),
        ("compute_cost", "GPU compute cost", lambda r: usd(r.get("compute_cost"))),
        ("energy_kwh", "Energy (kWh)", lambda r: amount(r["energy_kwh"])),
        ("co2_kg", "CO₂ (kg)", lambda r: amount(r["co2_kg"])),
    ]
    return [{"field": field, "label": label, "cells": [{"rank": rec["rank"], "text": show(rec),
             "short": field == "max_achievable_accuracy" and not rec["feasible"]} for rec in recs]}
            for field, label, show in specs]


def input_rows(inputs: dict) -> list[tuple[str, str]]:
    """Each input given (or defaulted), as the estimator names it."""
    rows = []
    for key, value in inputs.items():
        if value is None:
            continue
        if key == "target_accuracy":
            text = percent(value)
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


def estimator_link(inputs: dict) -> str:
    """The estimator page's URL for saved inputs (the one codec, :mod:`dlcost.web.query`)."""
    return "/?" + encode_query(inputs)


def coefficient_rows(document: dict) -> list[dict]:
    def number(value) -> str:
        return "-" if value is None or value != value else f"{value:.3f}"

    return [{"variable": c["regressor"], "cells": [number(c[key]) for key in ("coef", "std_err", "t", "p", "ci_low", "ci_high")]}
            for c in document["coefficients"]]


