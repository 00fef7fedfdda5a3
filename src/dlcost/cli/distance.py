"""`dlcost distance`: how far a target's images are from a baseline's (seed 000's dataset distance; torch extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dlcost.cli._common import JsonOption, app, emit, run

SideArgument = "An image folder (searched recursively: jpg, png, bmp, gif, webp, tif) or a stats file saved by --save-stats."


@app.command()
def distance(
    target: Annotated[Path, typer.Argument(metavar="TARGET", help=f"The user's data set. {SideArgument}", show_default=False)],
    baseline: Annotated[Path, typer.Argument(metavar="BASELINE", help=f"The pre-training data set, e.g. ImageNet. {SideArgument}", show_default=False)],
    sample: Annotated[int, typer.Option(help="Images sampled from each folder (all when fewer); seed 000 uses 10,000.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the sample.")] = 0,
    weights: Annotated[Optional[Path], typer.Option(help="Inception-V3 state_dict file [default: torchvision's ImageNet weights, downloaded by torchvision].")] = None,
    device: Annotated[Optional[str], typer.Option(help="cuda (bf16, JPEGs decoded on the GPU) or cpu (fp32) [default: cuda if available].")] = None,
    batch_size: Annotated[int, typer.Option(help="Images per forward pass.")] = 64,
    engine: Annotated[str, typer.Option(help="local (this machine) or ray (a Ray Data job: RAY_ADDRESS, else a local Ray).")] = "local",
    save_stats: Annotated[Optional[Path], typer.Option(help="Save the embedding stats to FILE.npz: BASELINE's when it is a folder, else TARGET's; pass the file later in place of the folder.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Dataset distance of TARGET from BASELINE: Inception-V3 embeddings' mean (seed 000's Wasserstein) and Fréchet distance.

    Needs the optional PyTorch extra to embed folders: pip install 'dlcost[torch]'. Two stats files are compared without it.
    """
    from dlcost.cli._progress import ProgressBar
    from dlcost.service.distance import distance as dataset_distance

    with ProgressBar("embedding") as bar:
        result = run(lambda: dataset_distance(target, baseline, sample=sample, seed=seed, weights=weights, device=device,
                                              batch_size=batch_size, engine=engine, save_stats=save_stats, progress=bar.update))
    if json_output:
        emit(result)
        return
    for line in _summary(result):
        typer.echo(line)


def _source(side: dict) -> str:
    if side["kind"] == "folder":
        sampled = "" if side["n_found"] == side["n_images"] + side["skipped"] else f" sampled from {side['n_found']:,}"
        skipped = f", {side['skipped']:,} unreadable skipped" if side["skipped"] else ""
        return f"{side['n_images']:,} images{sampled} of {side['source']}{skipped}"
    return f"stats file {side['source']} ({side['n_images']:,} images)"


def _summary(result: dict) -> list[str]:
    lines = [
        f"wasserstein: {result['wasserstein']:.6g}  (seed 000's dataset distance: 1-D Wasserstein between the mean embeddings)",
        f"frechet:     {result['frechet']:.6g}  (Fréchet distance of Gaussians fitted to the embeddings, the FID formula)",
        f"target:   {_source(result['target'])}",
        f"baseline: {_source(result['baseline'])}",
    ]
    if result["n_embedded"]:
        lines.append(f"embedded {result['n_embedded']:,} images in {result['embedding_seconds']:.1f} s "
                     f"({result['images_per_s']:,.1f} images/s) on {result['device']} {result['precision']} "
                     f"with {result['weights']}; {result['seconds']:.1f} s in all")
    if result["saved_stats"]:
        lines.append(f"saved the {result['saved_side']}'s stats to {result['saved_stats']}")
    lines += [f"note: {note}" for note in result["notes"]]
    return lines
