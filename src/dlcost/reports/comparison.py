"""Saved scenarios side by side: the inputs and the best recommendation of each."""

from __future__ import annotations

__all__ = ["comparison_rows"]

_INPUTS = [
    ("Task", "task", str),
    ("Target accuracy", "target_accuracy", lambda v: f"{v:.2%}"),
    ("Data present", "data_present", lambda v: f"{v:,.0f}"),
    ("Data limit", "data_max", lambda v: f"{v:,.0f}"),
    ("$ per datapoint", "cost_per_datapoint", lambda v: f"${v:,.2f}"),
    ("Pretrained", "pretrained", lambda v: "yes" if v else "no"),
    ("Epochs", "epochs", lambda v: f"{v:g}"),
    ("GPU", "gpu", str),
    ("Cost mode", "cost_mode", lambda v: v or "auto"),
]
_BEST = [
    ("Best model", "architecture", str),
    ("Max achievable accuracy", "max_achievable_accuracy", lambda v: f"{v:.2%}"),
    ("Data needed", "data_needed", lambda v: "unreachable" if v is None else f"{v:,.0f}"),
    ("Additional data", "additional_data", lambda v: f"{v:,.0f}"),
    ("Training cost", "training_cost", lambda v: f"${v:,.2f}"),
    ("Data cost", "data_cost", lambda v: f"${v:,.2f}"),
    ("Total cost", "total_cost", lambda v: f"${v:,.2f}"),
    ("GPU-hours", "gpu_hours", lambda v: f"{v:,.1f}"),
    ("CO2 kg", "co2_kg", lambda v: f"{v:,.1f}"),
]


def comparison_rows(named_results: list[tuple[str, dict]]) -> list[tuple[str, list[str]]]:
    """Rows of (label, one formatted value per scenario) from saved results (Estimate JSON)."""

    def cell(record: dict, key: str, show) -> str:
        value = record.get(key)
        return "-" if value is None and key != "cost_mode" else show(value)

    rows = [(label, [cell(result["inputs"], key, show) for _, result in named_results]) for label, key, show in _INPUTS]
    rows.append(("Relative complexity", [f"{result['relative_complexity']:.4f}" for _, result in named_results]))
    rows.append(("Error model", [result["model"] for _, result in named_results]))
    best = [result["recommendations"][0] if result["recommendations"] else {} for _, result in named_results]
    rows += [(label, [cell(record, key, show) for record in best]) for label, key, show in _BEST]
    return rows
