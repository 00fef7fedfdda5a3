"""An estimate as a CSV table and as a one-page Markdown or HTML report."""

from __future__ import annotations

import csv
import html
import io

from dlcost.schemas import Estimate

__all__ = ["recommendations_csv", "markdown_report", "html_report", "CSV_COLUMNS"]

CSV_COLUMNS = (
    "rank", "architecture", "cost_mode", "max_achievable_accuracy", "data_needed", "data_needed_low", "data_needed_high",
    "training_images", "additional_data", "training_cost", "data_cost", "total_cost", "total_cost_low", "total_cost_high",
    "feasible", "tied_on_cost", "gpu", "throughput_source",
    "images_per_s", "bound", "gpu_hours", "wall_clock_hours", "compute_cost", "energy_kwh", "co2_kg",
    "electricity_cost", "deploy_hardware", "inference_images_per_s", "inference_latency_ms", "inference_source",
    "cost_per_1000_predictions",
)


def recommendations_csv(result: Estimate) -> str:
    """One row per recommendation, unrounded, with a header row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for rec in result.recommendations:
        writer.writerow(rec.model_dump())
    return buffer.getvalue()


def _inputs(result: Estimate) -> list[tuple[str, str]]:
    scenario = result.inputs
    counts = scenario.class_counts
    if counts is None:
        classes = f"{scenario.classes} equally likely"
    elif isinstance(counts, dict):
        classes = ", ".join(f"{label}: {count:,.0f}" for label, count in list(counts.items())[:20])
    else:
        classes = ", ".join(f"{count:,.0f}" for count in counts[:20])
    if counts is not None and len(counts) > 20:
        classes += f", ... ({len(counts)} classes)"
    hardware = result.hardware
    price = hardware["price_per_gpu_hour_usd"]
    return [
        ("Task", scenario.task),
        ("Target mean IoU" if scenario.task == "segmentation" else "Target accuracy", f"{scenario.target_accuracy:.2%}"),
        ("Accuracy at the data limit" if scenario.task != "segmentation" else "Mean IoU at the data limit",
         f"{result.accuracy_at_data_max:.2%}"),
        ("Data present / limit", f"{scenario.data_present:,.0f} / {scenario.data_max:,.0f} images"),
        ("Cost per datapoint", f"${scenario.cost_per_datapoint:,.2f}"),
        ("Classes", classes),
        ("Relative complexity", f"{result.relative_complexity:.4f}"),
        ("Pretrained", "yes" if scenario.pretrained else "no"),
        ("Epochs x runs", f"{scenario.epochs:g} x {scenario.runs:g}"),
        ("Cost mode", result.cost_mode + (f" (${scenario.cost_per_flop:.3g}/FLOP)" if result.cost_mode == "paper" else "")),
        ("Hardware", f"{scenario.gpus} x {hardware['gpu']} {hardware['precision']}, "
         + ("no price" if price is None else f"${price:,.2f}/GPU-h ({hardware['price_source']})")),
        ("Grid", f"{hardware['grid_gco2_per_kwh']:.0f} gCO2/kWh ({hardware['grid_source']}), PUE {hardware['pue']:g}"),
        ("Error model", result.model),
    ]


def _bound(value, show) -> str:
    return "unbounded" if value is None else show(value)


def _rows(result: Estimate) -> list[list[str]]:
    def count(value):
        return f"{value:,.0f}"

    def usd(value):
        return f"${value:,.2f}"

    return [
        [
            str(rec.rank), rec.architecture, f"{rec.max_achievable_accuracy:.2%}", _bound(rec.data_needed, count),
            f"{_bound(rec.data_needed_low, count)} – {_bound(rec.data_needed_high, count)}",
            count(rec.additional_data), usd(rec.training_cost), usd(rec.data_cost), usd(rec.total_cost),
            f"{usd(rec.total_cost_low)} – {_bound(rec.total_cost_high, usd)}",
            f"{rec.gpu_hours:,.1f}", f"{rec.co2_kg:,.1f}", rec.cost_mode,
        ]
        for rec in result.recommendations
    ]


def _header(result: Estimate) -> list[str]:
    level = f"{result.interval['level']:.0%}"
    metric = "Max mean IoU" if result.inputs.task == "segmentation" else "Max accuracy"
    return ["#", "Model", metric, "Data needed", f"Data needed, {level} range", "To collect", "Training", "Data", "Total",
            f"Total, {level} range", "GPU-h", "CO2 kg", "Mode"]


def markdown_report(result: Estimate, title: str = "dlcost estimate") -> str:
    """A one-page Markdown report: inputs, the ranked recommendations, warnings."""
    lines = [f"# {title}", "", "## Inputs", "", "| input | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in _inputs(result)]
    header = _header(result)
    lines += ["", "## Recommendations (cheapest first)", "", "| " + " | ".join(header) + " |",
              "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(result)]
    if result.warnings:
        lines += ["", "## Warnings", ""] + [f"{n}. {text}" for n, text in enumerate(result.warnings, start=1)]
    lines += ["", "Error model: eq. (1) of Thompson et al., AAAI 2024 (Table 1 coefficients unless a refit is named).",
              "Costs: eqs. (3)-(5); GPU-hours, energy and CO2 as in docs/cost-modes.md.", ""]
    return "\n".join(lines)


def html_report(result: Estimate, title: str = "dlcost estimate") -> str:
    """The same report as a self-contained HTML page (every value escaped)."""
    e = html.escape
    inputs = "".join(f"<tr><th>{e(name)}</th><td>{e(value)}</td></tr>" for name, value in _inputs(result))
    head = "".join(f"<th>{e(cell)}</th>" for cell in _header(result))
    body = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in _rows(result))
    warnings = "".join(f"<li>{e(text)}</li>" for text in result.warnings)
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{e(title)}</title><style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}</style>"
        f"</head><body><h1>{e(title)}</h1><h2>Inputs</h2><table>{inputs}</table>"
        f"<h2>Recommendations (cheapest first)</h2><table><tr>{head}</tr>{body}</table>"
        + (f"<h2>Warnings</h2><ol>{warnings}</ol>" if warnings else "")
        + "</body></html>"
    )
