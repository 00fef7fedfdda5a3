"""``dlcost inference``: images/s, latency and cost per 1,000 predictions of serving one architecture."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dlcost.cli._common import ConfigOption, JsonOption, app, emit, run, workspace

__all__ = ["inference"]


@app.command()
def inference(
    architecture: Annotated[str, typer.Argument(help="Catalog architecture or alias (`dlcost architectures`).")],
    hardware: Annotated[str, typer.Option(help="Accelerator or CPU from `dlcost hardware`.")],
    batch_size: Annotated[Optional[int], typer.Option(help="Images per batch [default: 1, lowest latency].")] = None,
    precision: Annotated[Optional[str], typer.Option(help="bf16, fp16, tf32, fp32 or int8 [default: fp16].")] = None,
    stack: Annotated[Optional[str], typer.Option(help="typical, tuned or research [default: typical].")] = None,
    cost_mode: Annotated[Optional[str], typer.Option(help="measured (scaled measurements where held) or flops [default: measured].")] = None,
    pruning: Annotated[Optional[float], typer.Option(help="Share of the work structured pruning removes [default: 0].")] = None,
    quantization_speedup: Annotated[Optional[float], typer.Option(help="int8 over 16-bit [default: 1.6].")] = None,
    price_per_hour: Annotated[Optional[float], typer.Option(help="USD per hour of the hardware [default: median listed].")] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Serving cost of one architecture: images/s, latency and USD per 1,000 predictions (docs/throughput.md)."""
    from dlcost.schemas.inference import InferenceQuery

    values = dict(architecture=architecture, hardware=hardware, batch_size=batch_size, precision=precision, stack=stack,
                  cost_mode=cost_mode, pruning=pruning, quantization_speedup=quantization_speedup, price_per_hour=price_per_hour)
    query = run(lambda: InferenceQuery.model_validate({k: v for k, v in values.items() if v is not None}))
    result = run(lambda: workspace(config).inference(query))
    if json_output:
        emit(result.to_dict())
        return
    cost = "n/a (no price)" if result.cost_per_1000_predictions is None else f"${result.cost_per_1000_predictions:.3g}"
    lines = [
        f"{result.architecture} on {result.hardware} ({result.precision_used}, batch {query.batch_size}, stack {query.stack})",
        f"  images/s            {result.images_per_s:,.1f}  (saturated {result.saturated_images_per_s:,.0f})",
        f"  latency per batch   {result.latency_ms:,.2f} ms",
        f"  per 1,000 predictions {cost}  ({result.price_source})",
        f"  source              {result.throughput_source}: {result.reference}",
        *[f"  note: {note}" for note in result.notes],
    ]
    typer.echo("\n".join(lines))
