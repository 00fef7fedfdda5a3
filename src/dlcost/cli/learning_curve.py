"""`dlcost learning-curve fit` and `run`: learning curves from a pilot on one's own data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dlcost.catalog.hardware import MAX_RESOLUTION_PX
from dlcost.cli._common import (
    DEFAULTS,
    BaselineClassesOption, ClassesOption, CountsOption, InputError, JsonOption, ModelOption, PretrainedOption, TaskOption, app,
    class_counts_option, emit, measured, run, whole_in_range, workspace,
)
from dlcost.cli.bench import DEVICES, MAX_BATCH_SIZE
from dlcost.core import checks

#: Bounds on a pilot run's settings, checked before any training (passes over each subset are
#: bounded as an estimate's epochs are, and the subsets as pilot points): the AdamW peak rate
#: (1e-3 is usual; beyond 10 it only diverges) and the seed (numpy's and torch's 32-bit range).
MAX_LEARNING_RATE = 10.0
MAX_SEED = 2**32 - 1

learning_curve_app = typer.Typer(
    help="Learning curves from a pilot: fit measured (images, error) points, size the data for a target.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(learning_curve_app, name="learning-curve")

TargetOption = Annotated[Optional[str], typer.Option(help="Accuracy (or mean IoU) to reach: 0.95 or 95%.")]
TauOption = Annotated[
    Optional[float], typer.Option(help=f"Aim this much accuracy above the target when sizing the next round [default: {DEFAULTS['tau']}].")
]
LevelOption = Annotated[Optional[float], typer.Option(help=f"Central probability of the data-needed interval [default: {DEFAULTS['interval_level']}].")]
DataMaxOption = Annotated[Optional[float], typer.Option(help="Most images that could be had; caps the next round.")]
PlotOption = Annotated[Optional[Path], typer.Option(help="Write a PNG of the points, fitted curves and target here.")]


def _images(value: float | None) -> str:
    return "unbounded" if value is None else f"{value:,.0f}"


def _check_plot(plot: Path | None) -> None:
    """``--plot`` names a file matplotlib can write: its suffix a format it knows (none: PNG)."""
    if plot is not None:
        from dlcost.reports.plots import check_figure_path

        check_figure_path(plot, "plot")


def _fit(values: dict, plot: Path | None, model: str | None = None):
    from dlcost.schemas import LearningCurveQuery

    _check_outputs(None, plot)
    query = run(lambda: LearningCurveQuery.model_validate({k: v for k, v in values.items() if v is not None}))
    result = run(lambda: workspace().fit_pilot(query, model))
    if plot is not None:
        from dlcost.reports.plots import plot_learning_curve

        run(lambda: plot_learning_curve(result, plot))
    if not result.reachable:
        raise InputError("target_accuracy", result.unreachable_message)
    return result


def _print_fit(result, plot: Path | None) -> None:
    query = result.inputs
    parameters = ", ".join(f"{name}={value:.4g}" for name, value in result.parameters.items())
    chosen = next((c for c in result.candidates if c["family"] == result.family), None)
    how = (f"leave-last-point-out error {chosen['llo_log10_error']:.3f} in log10" if chosen and chosen["llo_log10_error"] is not None
           else f"{len(result.points)} point(s): slope from the eq. (1) prior, narrowed by the points")
    typer.echo(f"Curve: {result.family_label}, {result.equation} ({parameters}); {how}.")
    typer.echo(f"Data needed for {query.target_accuracy:.2%}: {_images(result.data_needed)} images "
               f"({result.interval['level']:.0%} interval {_images(result.data_needed_low)} to {_images(result.data_needed_high)}).")
    largest = result.points[-1]["n_train"]
    if result.next_round_size is None:
        typer.echo("Next round: the aim is beyond reach within the data limit.")
    elif result.next_round_size == 0:
        typer.echo(f"Next round: none needed; the {largest:,.0f} images of the largest subset reach the aim.")
    else:
        typer.echo(f"Next round: collect {result.next_round_size:,.0f} more images ({result.next_round_total:,.0f} in all), "
                   f"aiming at {result.aim_accuracy:.2%} (tau {query.tau:g}); then refit with the new point.")
    if result.prediction is not None and result.prediction["error"] is not None:
        p = result.prediction
        typer.echo(f"Predicted error at {p['n_train']:,.0f} images: {p['error']:.4f} ({p['error_low']:.4f} to {p['error_high']:.4f}).")
    ranked = [c for c in result.candidates if c["status"] == "ok"]
    if ranked:
        typer.echo("Candidates (leave-last-point-out |log10 error|): " + ", ".join(
            f"{c['family']} {c['llo_log10_error']:.3f}" for c in ranked))
    for note in result.notes:
        typer.echo(f"Note: {note}")
    if plot is not None:
        typer.echo(f"Plot written to {plot}.")


@learning_curve_app.command("fit")
def fit(
    point: Annotated[Optional[list[str]], typer.Option("--point", help="A measured point N:ERROR, e.g. 1000:0.25 (repeatable, sizes increasing).")] = None,
    points: Annotated[Optional[Path], typer.Option("--points", help="CSV file with a header n_train,error (or n,error or n_train,accuracy).")] = None,
    target_accuracy: TargetOption = None,
    task: TaskOption = None,
    classes: ClassesOption = None,
    class_counts: CountsOption = None,
    baseline_classes: BaselineClassesOption = None,
    pretrained: PretrainedOption = None,
    model: ModelOption = None,
    tau: TauOption = None,
    interval_level: LevelOption = None,
    data_max: DataMaxOption = None,
    predict_n_train: Annotated[Optional[float], typer.Option(help="Also predict the error at this many images.")] = None,
    noise_sd_log10: Annotated[
        Optional[float], typer.Option(help="Noise of one point, sd of log10(error) [default: 0.03; binomial: sqrt((1-e)/(e m))/ln 10 for m validation images].")
    ] = None,
    plot: PlotOption = None,
    json_output: JsonOption = False,
) -> None:
    """Fit a learning curve to pilot points and give the data needed for a target accuracy.

    Families: power law with and without floor, arctan, logarithmic, algebraic root
    (Mahmood et al., CVPR 2022), chosen by leave-last-point-out error; one or two
    points use a power law with a prior from eq. (1) of seed 000.
    """
    if point and points is not None:
        raise InputError("points", "give --point or --points, not both.")
    if points is not None:
        from dlcost.iotools.points import read_points_csv

        measured = run(lambda: read_points_csv(points))
    else:
        from dlcost.iotools.points import parse_point

        measured = [run(lambda text=text: parse_point(text)) for text in point or []]
    values = dict(points=measured, target_accuracy=target_accuracy, task=task, classes=classes, baseline_classes=baseline_classes,
                  class_counts=class_counts_option(class_counts), pretrained=pretrained, tau=tau,
                  interval_level=interval_level, data_max=data_max, predict_n_train=predict_n_train,
                  noise_sd_log10=noise_sd_log10)
    result = _fit(values, plot, model)
    if json_output:
        emit(result.to_dict())
    else:
        _print_fit(result, plot)


def _shares(fractions: str) -> list[float]:
    from dlcost.schemas.scenario import MAX_POINTS

    try:
        shares = [float(part) for part in fractions.split(",")]
    except ValueError:
        raise InputError("fractions", f"fractions must be comma-separated numbers such as 0.1,0.2,0.4; "
                                      f"got {checks.shown(fractions)}.") from None
    if len(shares) > MAX_POINTS:
        raise InputError("fractions", f"fractions must list at most {MAX_POINTS:,} shares; got {len(shares):,}.")
    return shares


def _check_run_options(epochs, batch_size, resolution, seed, validation_fraction, learning_rate, device) -> None:
    from dlcost.schemas.scenario import MAX_EPOCHS

    whole_in_range(epochs, "epochs", 1, MAX_EPOCHS)
    whole_in_range(batch_size, "batch_size", 1, MAX_BATCH_SIZE)
    whole_in_range(resolution, "resolution", 1, MAX_RESOLUTION_PX)
    whole_in_range(seed, "seed", 0, MAX_SEED)
    checks.check_fraction(validation_fraction, "validation_fraction")
    if not 0 < learning_rate <= MAX_LEARNING_RATE:  # NaN fails too
        raise InputError("learning_rate", f"learning_rate must be a number in (0, {MAX_LEARNING_RATE:g}]; got {learning_rate!r}.")
    if device is not None:
        checks.check_choice(device, "device", DEVICES)


def _check_outputs(save_points: Path | None, plot: Path | None) -> None:
    """The files a pilot run writes at its end can be written: checked before training, not after."""
    import errno

    from dlcost.iotools.files import write_error

    _check_plot(plot)
    for path, name in ((save_points, "save_points"), (plot, "plot")):
        if path is not None and path.is_dir():
            raise write_error(path, f"{name} file", name, IsADirectoryError(errno.EISDIR, "Is a directory"))
        if path is not None and not path.parent.is_dir():
            raise write_error(path, f"{name} file", name, FileNotFoundError(errno.ENOENT, "No such file or directory"))


@learning_curve_app.command("run")
def run_pilot_command(
    data_dir: Annotated[Path, typer.Argument(help="Images in ImageFolder layout: one sub-folder per class.")],
    architecture: Annotated[str, typer.Option(help="Catalog architecture to train, e.g. ResNet-18.")],
    pretrained_weights: Annotated[Optional[Path], typer.Option(help="State dict saved with torch.save to start from (head skipped if its shape differs).")] = None,
    fractions: Annotated[str, typer.Option(help="Increasing shares of the training split, nested.")] = "0.1,0.2,0.4",
    epochs: Annotated[int, typer.Option(help="Passes over each subset.")] = 10,
    device: Annotated[Optional[str], typer.Option(help="cuda or cpu [default: cuda if available].")] = None,
    batch_size: Annotated[int, typer.Option(help="Images per step.")] = 32,
    resolution: Annotated[Optional[int], typer.Option(help="Input size in px [default: the architecture's native].")] = None,
    validation_fraction: Annotated[float, typer.Option(help="Share of each class held out for validation.")] = 0.2,
    learning_rate: Annotated[float, typer.Option(help="AdamW peak learning rate (cosine decay).")] = 1e-3,
    seed: Annotated[int, typer.Option(help="Seeds the split, subsets, initialisation and batch order.")] = 0,
    target_accuracy: TargetOption = None,
    tau: TauOption = None,
    interval_level: LevelOption = None,
    data_max: DataMaxOption = None,
    save_points: Annotated[Optional[Path], typer.Option(help="Also write the points as CSV (n_train,error) for `fit --points`.")] = None,
    plot: PlotOption = None,
    json_output: JsonOption = False,
) -> None:
    """Train on nested subsets of DATA_DIR, measure the validation error of each, and fit the curve.

    With --target-accuracy the points go to `learning-curve fit`, which also predicts the
    error on the whole training split. Needs the optional PyTorch extra: pip install 'dlcost[torch]'.
    """
    from dlcost.cli._progress import ProgressBar
    from dlcost.bench.pilot_run import run_pilot

    shares = _shares(fractions)
    _check_run_options(epochs, batch_size, resolution, seed, validation_fraction, learning_rate, device)
    _check_outputs(save_points, plot)
    if pretrained_weights is not None and not pretrained_weights.is_file():
        raise InputError("pretrained_weights", f"pretrained_weights must be a file saved with torch.save(model.state_dict(), "
                                               f"path); {checks.shown(str(pretrained_weights))} "
                                               f"{'is a folder' if pretrained_weights.is_dir() else 'does not exist'}.")
    with ProgressBar("training") as bar:
        pilot = measured(lambda: run_pilot(
            data_dir, architecture, shares, epochs=epochs, device=device, pretrained_weights=pretrained_weights,
            batch_size=batch_size, resolution=resolution, seed=seed, progress=bar.update,
            validation_fraction=validation_fraction, learning_rate=learning_rate,
        ), "pilot run")
    if save_points is not None:
        from dlcost.iotools.points import write_points_csv

        run(lambda: write_points_csv(pilot.points, save_points))
    result = None
    if target_accuracy is not None:
        largest = pilot.points[-1]["n_train"]
        values = dict(points=pilot.pilot_points(), target_accuracy=target_accuracy, class_counts=pilot.class_counts,
                      pretrained=pretrained_weights is not None, tau=tau, interval_level=interval_level, data_max=data_max,
                      noise_sd_log10=pilot.noise_sd_log10(),
                      predict_n_train=float(pilot.n_train_full) if pilot.n_train_full > largest else None)
        result = _fit(values, plot)
    if json_output:
        emit({"pilot": pilot.to_dict(), "fit": None if result is None else result.to_dict()})
        return
    unit = "GPU-hours" if pilot.device == "cuda" else "CPU-hours"
    typer.echo(f"{pilot.architecture} on {pilot.device_name} ({pilot.device}), {pilot.epochs} epoch(s) per subset, "
               f"{pilot.n_validation:,} validation images held out of {pilot.n_train_full + pilot.n_validation:,}:")
    for p in pilot.points:
        hours = p["gpu_hours"] if pilot.device == "cuda" else p["cpu_hours"]
        typer.echo(f"  {p['fraction']:g} of the training split: {p['n_train']:,} images, error {p['error']:.4f} "
                   f"({p['n_wrong']} wrong), {p['wall_s']:.1f} s, {hours:.4f} {unit}")
    total = pilot.gpu_hours if pilot.device == "cuda" else pilot.cpu_hours
    typer.echo(f"Total: {total:.4f} {unit}." + (f" Points saved to {save_points}." if save_points else ""))
    for note in pilot.notes:
        typer.echo(f"Note: {note}")
    if result is not None:
        _print_fit(result, plot)
    else:
        typer.echo("Give --target-accuracy to fit the curve and size the data.")
