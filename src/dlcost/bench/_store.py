"""Where measurements are written: the user's throughput CSV files, and their provenance.

Rows are appended by rewriting the whole file to a temporary file in the same
folder and renaming it over the old one (``os.replace``), so a crash leaves the
old file or the new one, never half a row. Two processes saving at the same
moment can still lose one row (no file lock).
"""

from __future__ import annotations

import csv
import io
import os
import platform
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from dlcost.core.checks import InputError
from dlcost.iotools.files import csv_rows, read_user_text, write_error

__all__ = [
    "TRAINING_COLUMNS",
    "LOADER_COLUMNS",
    "default_data_dir",
    "save_training_result",
    "save_loader_result",
    "cpu_model",
    "utc_now_iso",
]

TRAINING_COLUMNS = (
    "architecture", "gpu", "precision", "resolution_px", "batch_size", "train_images_per_s",
    "source", "measured_on", "command", "versions", "notes",
)
LOADER_COLUMNS = (
    "cpu_model", "cores_used", "images_per_s_per_core", "crop_px", "source_image_px",
    "measured_on", "command", "versions", "notes",
)
INFERENCE_COLUMNS = (
    "architecture", "hardware", "precision", "batch_size", "resolution_px", "images_per_s", "latency_ms",
    "source", "measured_on", "command", "versions", "notes",
)
TRAINING_FILE = "throughput.csv"
INFERENCE_FILE = "inference_throughput.csv"
LOADER_FILE = "loader_throughput.csv"


def utc_now_iso() -> str:
    """The current UTC time, ISO 8601 to the second, e.g. ``2026-11-22T10:04:51+00:00``."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def default_data_dir() -> Path:
    """The user's dlcost data folder: ``platformdirs.user_data_dir("dlcost")``, else ~/.local/share/dlcost."""
    try:
        import platformdirs
    except ImportError:
        return Path.home() / ".local" / "share" / "dlcost"
    return Path(platformdirs.user_data_dir("dlcost"))


def _current_command() -> str:
    """The command line of this process, e.g. ``dlcost bench ResNet-50 --precision bf16``."""
    arguments = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    return shlex.join(arguments)


def _append_row(path: Path, columns: tuple[str, ...], row: dict) -> Path:
    """Append ``row`` to the CSV at ``path`` (header written when the file is new), atomically.

    A file that cannot be read or written raises :class:`InputError` naming it.
    """
    path = Path(path)
    existing = read_user_text(path, "measurements file", "save") if path.exists() else ""
    if existing:
        rows = csv_rows(existing, f"measurements file {str(path)!r}", "save")
        header = rows[0][1] if rows else []
        if tuple(header) != columns:
            raise InputError("save",
                f"measurements file {str(path)!r} must have the columns {','.join(columns)}; got {','.join(header)}. "
                "Move it aside or pass another path."
            )
        if not existing.endswith("\n"):
            existing += "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    if not existing:
        writer.writeheader()
    writer.writerow({column: "" if row.get(column) is None else row[column] for column in columns})
    try:  # a folder that cannot be made or written is the user's to fix; a full disk stays an OSError
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise write_error(path, "measurements file", "save", exc) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            file.write(existing + buffer.getvalue())
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def save_training_result(
    result,
    gpu_name: str,
    path: Path | None = None,
    *,
    command: str | None = None,
    notes: str = "",
    source: str = "dlcost bench",
) -> Path:
    """Append a :class:`TrainingBenchResult` to the user's measured throughput file.

    Parameters
    ----------
    result : TrainingBenchResult
    gpu_name : str
        The name the row is stored under, e.g. the GPU catalog's ``H100-SXM``.
    path : Path, optional
        Default: ``default_data_dir() / "throughput.csv"``.
    command : str, optional
        The command that measured it. Default: this process's command line.
    notes, source : str

    Returns
    -------
    path : Path
        The file written.
    """
    if not gpu_name or not gpu_name.strip():
        raise ValueError(f"gpu_name must be a non-empty name; got {gpu_name!r}.")
    row = {
        "architecture": result.architecture,
        "gpu": gpu_name.strip(),
        "precision": result.precision,
        "resolution_px": result.resolution_px,
        "batch_size": result.batch_size,
        "train_images_per_s": f"{result.images_per_s:.6g}",
        "source": source,
        "measured_on": result.measured_on,
        "command": _current_command() if command is None else command,
        "versions": result.versions_text(),
        "notes": notes,
    }
    return _append_row(path or default_data_dir() / TRAINING_FILE, TRAINING_COLUMNS, row)


def save_inference_result(result, hardware_name: str, path: Path | None = None, *, command: str | None = None,
                          notes: str = "", source: str = "dlcost bench --inference") -> Path:
    """Append an inference :class:`TrainingBenchResult` (``mode == "infer"``) to the user's inference file.

    The row has the columns of the shipped ``inference_throughput.csv``, so that
    ``dlcost inference`` and every estimate's serving figures use it for that hardware.
    """
    if result.mode != "infer":
        raise ValueError(f"save_inference_result takes an inference measurement; got mode {result.mode!r}.")
    if not hardware_name or not hardware_name.strip():
        raise ValueError(f"hardware_name must be a non-empty name; got {hardware_name!r}.")
    row = {
        "architecture": result.architecture, "hardware": hardware_name.strip(), "precision": result.precision,
        "batch_size": result.batch_size, "resolution_px": result.resolution_px,
        "images_per_s": f"{result.images_per_s:.6g}", "latency_ms": f"{result.step_time_s * 1000:.6g}",
        "source": f"{source} ({result.measured_on}; {result.versions_text()})", "measured_on": result.measured_on,
        "command": _current_command() if command is None else command, "versions": result.versions_text(), "notes": notes,
    }
    return _append_row(path or default_data_dir() / INFERENCE_FILE, INFERENCE_COLUMNS, row)


def save_loader_result(
    result,
    path: Path | None = None,
    *,
    command: str | None = None,
    notes: str = "",
    source: str = "dlcost bench",
) -> Path:
    """Append a :class:`LoaderBenchResult` to the user's data-loader throughput file.

    Parameters
    ----------
    result : LoaderBenchResult
    path : Path, optional
        Default: ``default_data_dir() / "loader_throughput.csv"``.
    command : str, optional
        The command that measured it. Default: this process's command line.
    notes, source : str

    Returns
    -------
    path : Path
        The file written.
    """
    width_px, height_px = result.image_size_px
    row = {
        "cpu_model": result.cpu_model,
        "cores_used": result.cores_used,
        "images_per_s_per_core": f"{result.images_per_s_per_core:.6g}",
        "crop_px": result.crop_px,
        "source_image_px": f"{width_px}x{height_px}",
        "measured_on": result.measured_on,
        "command": _current_command() if command is None else command,
        "versions": result.versions_text(),
        "notes": notes,
    }
    return _append_row(path or default_data_dir() / LOADER_FILE, LOADER_COLUMNS, row)
