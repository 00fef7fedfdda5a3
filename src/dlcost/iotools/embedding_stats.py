"""Embedding stats files (``dlcost distance --save-stats``): a data set's embeddings summarised once, shared, reused.

A stats file is a NumPy ``.npz`` archive holding the streaming sums of
:class:`~dlcost.core.distance.EmbeddingStats` and a JSON metadata record:

- ``n``: images embedded [int64, >= 2]; ``total``: their sum [float64, 2,048];
  ``outer``: the sum of their outer products [float64, 2,048 x 2,048] (32 MB).
- ``metadata``: JSON text: ``format`` (``dlcost-embedding-stats``), ``format_version``, ``dimension``,
  ``n_images``, ``created`` (UTC, ISO 8601), ``dlcost_version``, and what the caller adds: the
  weights (name and SHA-256, so that two files made with different networks are never compared),
  the source folder, images found and skipped, sample and seed, device and precision.

The file is written to a temporary file in the same folder and renamed over the target
(``os.replace``), so a crash leaves the old file or the new one, never half of one. It is read
without pickle (``allow_pickle=False``): a stats file cannot run code.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from dlcost.core.checks import InputError, shown
from dlcost.core.distance import EmbeddingStats
from dlcost.iotools.files import write_error

__all__ = ["EMBEDDING_DIMENSION", "STATS_FORMAT", "save_stats", "load_stats"]

#: Values of Inception-V3's penultimate pooled embedding, the only dimension a stats file holds.
EMBEDDING_DIMENSION = 2048
#: The ``format`` a stats file's metadata names, and the version of its layout.
STATS_FORMAT = "dlcost-embedding-stats"
STATS_FORMAT_VERSION = 1
#: Fewest images a stats file may hold: a covariance needs two.
MIN_STATS_IMAGES = 2


def save_stats(path: str | Path, stats: EmbeddingStats, metadata: dict, *, name: str = "save_stats") -> Path:
    """Write ``stats`` and ``metadata`` (JSON-able) to the ``.npz`` file ``path``, atomically; returns the path.

    ``name`` is the input an error names. The format fields (``format``, ``dimension``,
    ``n_images``, ``created``, ``dlcost_version``) are added to ``metadata``.
    """
    from dlcost import __version__

    path = Path(path)
    _check_stats(stats, f"{name} ({str(path)!r})", name)
    record = {**metadata, "format": STATS_FORMAT, "format_version": STATS_FORMAT_VERSION, "dimension": stats.dimension,
              "n_images": int(stats.n), "created": datetime.now(UTC).isoformat(timespec="seconds"),
              "dlcost_version": __version__}
    try:
        text = json.dumps(record, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(name, f"{name}: the stats file's metadata must be JSON text without nan or inf ({exc}).") from None
    if path.is_dir():
        raise InputError(name, f"{name} must be a file path to write the stats to; {str(path)!r} is a folder.")
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            np.savez(file, n=np.int64(stats.n), total=np.asarray(stats.total, dtype=np.float64),
                     outer=np.asarray(stats.outer, dtype=np.float64), metadata=np.array(text))
            file.flush()
            os.fsync(file.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # a stats file is made to be shared: mkstemp's 0600 would not be
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise write_error(path, "stats file", name, exc) from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
    return path


def load_stats(path: str | Path, *, name: str = "stats") -> tuple[EmbeddingStats, dict]:
    """``(stats, metadata)`` of a stats file written by :func:`save_stats`.

    One :class:`InputError` naming ``name`` (``target``, ``baseline``) for a file that cannot be
    read, is not a stats file, or holds a wrong dimension, fewer than 2 images or non-finite values.
    """
    path = Path(path)
    where = f"{name}: {str(path)!r}"
    arrays = _read_arrays(path, where, name)
    missing = [key for key in ("n", "total", "outer", "metadata") if key not in arrays]
    if missing:
        raise InputError(name, f"{where} is not a dlcost stats file: it lacks {', '.join(missing)}. "
                               "Make one with dlcost distance FOLDER ... --save-stats FILE.npz.")
    metadata = _metadata(arrays["metadata"], where, name)
    n_value = arrays["n"]
    if n_value.shape != () or n_value.dtype.kind not in "iu":
        raise InputError(name, f"{where}: n must be a whole number of images; got an array of shape {n_value.shape} "
                               f"and type {n_value.dtype}.")
    stats = EmbeddingStats(int(n_value), arrays["total"], arrays["outer"])
    if arrays["total"].dtype.kind != "f" or arrays["outer"].dtype.kind != "f":
        raise InputError(name, f"{where}: total and outer must be floating-point arrays; got {arrays['total'].dtype} "
                               f"and {arrays['outer'].dtype}.")
    _check_stats(stats, where, name)
    if metadata.get("dimension") not in (None, stats.dimension):
        raise InputError(name, f"{where}: its metadata says dimension {metadata['dimension']!r} but it holds "
                               f"{stats.dimension:,} values.")
    return stats, metadata


def _read_arrays(path: Path, where: str, name: str) -> dict:
    if path.is_dir():
        raise InputError(name, f"{where} is a folder, not a stats file.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not hasattr(archive, "files"):
                raise ValueError("a single array, not an archive of named arrays")
            return {key: archive[key] for key in archive.files if key in ("n", "total", "outer", "metadata")}
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(name, f"{where} cannot be read as a stats file: {reason}.") from None
    except Exception as exc:  # noqa: BLE001 - numpy and zipfile raise many types for a file that is not .npz
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise InputError(name, f"{where} is not a dlcost stats file (.npz saved by --save-stats): {reason}.") from None


#: Metadata fields dlcost reads back, and the types they must have.
_FIELD_TYPES = {"skipped": int, "n_found": int, "weights": str, "weights_sha256": str, "precision": str, "source": str,
                "created": str}


def _refuse_constant(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


def _metadata(value: np.ndarray, where: str, name: str) -> dict:
    try:
        metadata = (json.loads(str(value[()]), parse_constant=_refuse_constant)
                    if value.shape == () and value.dtype.kind == "U" else None)
    except ValueError:
        metadata = None
    if not isinstance(metadata, dict) or metadata.get("format") != STATS_FORMAT:
        raise InputError(name, f"{where} is not a dlcost stats file: its metadata is not a JSON record with "
                               f"format {STATS_FORMAT!r}.")
    if not isinstance(metadata.get("format_version"), int) or metadata["format_version"] > STATS_FORMAT_VERSION:
        raise InputError(name, f"{where}: stats format version {metadata.get('format_version')!r} is not one this "
                               f"dlcost reads (up to {STATS_FORMAT_VERSION}); upgrade dlcost.")
    for key, kind in _FIELD_TYPES.items():
        value = metadata.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool) or (kind is int and value < 0)):
            raise InputError(name, f"{where}: metadata field {key} must be {'a whole number >= 0' if kind is int else 'text'}; "
                                   f"got {shown(value)}.")
    return metadata


def _check_stats(stats: EmbeddingStats, where: str, name: str) -> None:
    total, outer = np.asarray(stats.total), np.asarray(stats.outer)
    if total.ndim != 1 or total.shape[0] != EMBEDDING_DIMENSION:
        raise InputError(name, f"{where}: total must hold {EMBEDDING_DIMENSION:,} values (Inception-V3's embedding); "
                               f"got shape {total.shape}.")
    if outer.shape != (EMBEDDING_DIMENSION, EMBEDDING_DIMENSION):
        raise InputError(name, f"{where}: outer must be {EMBEDDING_DIMENSION:,} x {EMBEDDING_DIMENSION:,}; "
                               f"got shape {outer.shape}.")
    if stats.n < MIN_STATS_IMAGES:
        raise InputError(name, f"{where}: n must be at least {MIN_STATS_IMAGES} images (a covariance needs two); "
                               f"got {stats.n}.")
    for key, values in (("total", total), ("outer", outer)):
        if not np.isfinite(values).all():
            raise InputError(name, f"{where}: {key} must hold finite numbers; it holds nan or inf.")
    if np.diag(outer).min() < 0:
        raise InputError(name, f"{where}: outer must be a sum of outer products (a non-negative diagonal).")
