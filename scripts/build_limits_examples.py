#!/usr/bin/env python3
"""Build the two example data sets of ``dlcost limits fit`` (seed 003, "The Computational Limits of Deep Learning").

The seed's per-paper data is not public, so dlcost ships real public data of the same kind
instead, read from ``shared/data`` (``--data-dir``, default ``../shared/data`` relative to the
repository root), into ``src/dlcost/catalog/limits_examples/``:

- ``timm_imagenet.csv``          ImageNet-1k top-1 error against computation per network pass
                                 (the seed's Figure 2b and Tables 1-2), one row per timm model and
                                 evaluation image size (its ``test_*`` nets left out).
                                 Results from ``timm/results-imagenet.csv`` (model, evaluation
                                 ``img_size``, ``top1``, ``param_count``); GMACs from
                                 ``timm/benchmark-infer-amp-nchw-pt291-cu130-5090.csv``, joined on
                                 architecture (the model name before its ``.tag``) and image size
                                 (benchmark ``infer_img_size`` = results ``img_size``: the GMACs of
                                 the pass at the size the accuracy was measured at). The 5090 file
                                 is used because it has every model of the results file; it is the
                                 newer timm count where the two benchmark files disagree (42 of
                                 1,442 shared rows differ by over 0.01 GMACs, all re-parameterisable
                                 nets: RepVGG, MobileOne, RepViT, FastViT, LeViT).
                                 ``gflops_per_pass`` = 2 x GMACs (one multiply-add = 2 FLOPs).
- ``epoch_vision_compute.csv``   training compute of vision systems by publication date (the
                                 growth of compute, seed section 3.1): every row of Epoch AI's
                                 ``epoch/all_ml_systems_full_view.csv`` whose ``Domain`` list names
                                 ``Vision`` and whose ``Training compute (FLOP)`` is given.
                                 ``vision_only`` marks the rows whose domain is Vision alone (the
                                 others are multimodal systems that include vision).

The output is deterministic (LF line ends, rows sorted), so re-running on the same inputs gives
byte-identical files; ``--check`` exits 1 if the shipped files differ.

Usage::

    python scripts/build_limits_examples.py [--data-dir ../shared/data] [--check]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
OUT_DIR = REPO / "src" / "dlcost" / "catalog" / "limits_examples"
TIMM_RESULTS = "timm/results-imagenet.csv"
TIMM_BENCHMARK = "timm/benchmark-infer-amp-nchw-pt291-cu130-5090.csv"
EPOCH_SYSTEMS = "epoch/all_ml_systems_full_view.csv"
TIMM_COLUMNS = ["model", "top1_error", "gmacs", "gflops_per_pass", "param_count_m", "img_size_px", "pretrained_tag"]
EPOCH_COLUMNS = ["model", "publication_date", "year", "training_compute_flop", "parameters", "domain", "vision_only",
                 "task", "organization", "confidence"]


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _render(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def timm_imagenet(data: Path) -> str:
    """``timm_imagenet.csv``: every results row whose (architecture, image size) has GMACs > 0 in the benchmark.

    A model evaluated at several image sizes has a row per size; timm's ``test_*`` networks
    (tiny nets for its unit tests) are left out.
    """
    gmacs = {(r["model"], int(r["infer_img_size"])): float(r["infer_gmacs"]) for r in read_csv(data / TIMM_BENCHMARK)
             if not r["model"].startswith("test_")}
    rows = []
    for record in read_csv(data / TIMM_RESULTS):
        architecture, _, tag = record["model"].partition(".")
        size = int(record["img_size"])
        macs = gmacs.get((architecture, size), 0.0)
        if macs <= 0 or not record["top1"]:
            continue
        rows.append({
            "model": record["model"],
            "top1_error": f"{1.0 - float(record['top1']) / 100.0:.5f}",
            "gmacs": f"{macs:g}",
            "gflops_per_pass": f"{2.0 * macs:g}",
            "param_count_m": record["param_count"],
            "img_size_px": size,
            "pretrained_tag": tag,
        })
    rows.sort(key=lambda row: (row["model"], row["img_size_px"]))
    return _render(TIMM_COLUMNS, rows)


def decimal_year(text: str) -> float:
    """``2012-09-30`` -> 2012.7459: the year plus the fraction of it elapsed at the start of that day."""
    day = datetime.date.fromisoformat(text.strip()[:10])
    start = datetime.date(day.year, 1, 1)
    length = (datetime.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _domains(text: str) -> list[str]:
    return [_one_line(part) for part in text.split(",") if part.strip()]


def _one_line(text: str) -> str:
    """``text`` with every run of white space (line breaks included) as one space."""
    return " ".join((text or "").split())


def epoch_vision_compute(data: Path) -> str:
    """``epoch_vision_compute.csv``: vision systems (Domain names Vision) with training compute given."""
    rows = []
    for record in read_csv(data / EPOCH_SYSTEMS):
        domains = _domains(record["Domain"] or "")
        compute = (record["Training compute (FLOP)"] or "").strip()
        date = (record["Publication date"] or "").strip()
        if "Vision" not in domains or not compute or not date:
            continue
        flop = float(compute)
        if not (flop > 0 and math.isfinite(flop)):
            continue
        parameters = (record["Parameters"] or "").strip()
        rows.append({
            "model": _one_line(record["Model"]),
            "publication_date": date[:10],
            "year": f"{decimal_year(date):.4f}",
            "training_compute_flop": f"{flop:.8g}",
            "parameters": f"{float(parameters):.8g}" if parameters else "",
            "domain": ";".join(domains),
            "vision_only": "yes" if domains == ["Vision"] else "no",
            "task": ";".join(_domains(record["Task"] or "")),
            "organization": _one_line(record["Organization"]),
            "confidence": _one_line(record["Confidence"]),
        })
    rows.sort(key=lambda row: (row["publication_date"], row["model"]))
    return _render(EPOCH_COLUMNS, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--check", action="store_true", help="exit 1 if a shipped file differs from what would be written")
    args = parser.parse_args(argv)
    files = {"timm_imagenet.csv": timm_imagenet(args.data_dir), "epoch_vision_compute.csv": epoch_vision_compute(args.data_dir)}
    if args.check:
        stale = [name for name, text in files.items()
                 if not (OUT_DIR / name).is_file() or (OUT_DIR / name).read_text(encoding="utf-8") != text]
        print(f"differs: {', '.join(stale)}; rerun without --check" if stale else "limits example files are up to date")
        return 1 if stale else 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT_DIR / name).write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {OUT_DIR / name}: {len(text.splitlines()) - 1} rows, {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
