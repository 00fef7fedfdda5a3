#!/usr/bin/env python3
"""Build the public calibration corpus of the dlcost catalog.

Reads ``transfer/public_corpus.csv`` and ``transfer/SOURCES-public_corpus.md`` of the
public data in ``shared/data`` (``--data-dir``, default ``../shared/data`` relative to
the repository root) and writes, into ``src/dlcost/catalog/``:

- ``public_corpus.csv``            615 published error-vs-data results, 24 datasets, in the
                                   observation CSV format (the columns of
                                   ``vtab_calibration.csv``), every row with its source
- ``SOURCES-public_corpus.md``     the attribution of those rows, with the caveats of
                                   ``shared/data/README.md``

Every row and its source text are kept. Two changes: ``pretrained`` is
yes or no in an observation, so a row whose source does not state its initialisation
(``unstated``: YOLOv8, the ACDC U-Net, the chest X-ray study) is written ``no`` and its
notes say so; and a perfect score (7 VTAB dSpr-Loc rows print 100.0, an error of 0, which
eq. (1)'s log10(error) cannot take) is written as half an error on the test set, its notes
giving the printed value. The output is deterministic (LF line ends, the input's row order), so
re-running the script on the same inputs gives byte-identical files (``--check``
verifies that).

Usage::

    python scripts/build_corpus.py [--data-dir ../shared/data] [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
DEFAULT_OUT_DIR = REPO / "src" / "dlcost" / "catalog"

COLUMNS = ["source", "dataset", "task", "n_train", "n_classes", "balanced", "pretrained", "architecture", "epochs",
           "metric_name", "metric_value", "notes"]
#: Appended to the notes of a row whose source does not state its pretraining.
UNSTATED_NOTE = "pretraining not stated by the source (read as no; dlcost-2026 leaves such rows out of its fit)"
#: Test images of a dataset where the source prints a perfect score (no error, so no log10 error for eq. (1)).
#: dSprites has 737,280 images; VTAB's trainval split is 663,552 (task_adaptation/data/dsprites_test.py, the n_train of
#: these rows), so its test split is 73,728: one error there reads 99.99864%, as the corpus's Sup-100% row prints.
PERFECT_SCORE_TEST_IMAGES = {"VTAB/dSpr-Loc": 73_728}
#: The caveats of shared/data/README.md about transfer/public_corpus.csv.
CAVEATS = """\
Copied by `scripts/build_corpus.py` from `shared/data/transfer/SOURCES-public_corpus.md`; it
lists the origin of every row of `public_corpus.csv` (each row also names its source in the
`source` column).

Caveats (from `shared/data/README.md`): VTAB-full rows reuse one architecture (ResNet-50);
ImageNet-22K pretraining contains ImageNet-1k images; ACDC sizes count patients, not images;
YOLOv8 initialisation is not stated. Rows whose pretraining is not stated are shipped with
`pretrained` = no and a note saying so; the 7 VTAB dSpr-Loc rows that print 100.0 (no error on
the 73,728 test images) are shipped as half an error, 1 - 0.5/73,728, their notes giving the
printed value. Validate any model on the corpus by leaving whole
datasets (and, separately, whole sources) out.
"""


def corpus_rows(data: Path) -> list[dict]:
    """The rows of ``transfer/public_corpus.csv``, ``unstated`` pretraining read as no (with a note)."""
    with (data / "transfer" / "public_corpus.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise SystemExit(f"public_corpus.csv: columns must be {', '.join(COLUMNS)}; got {reader.fieldnames!r}.")
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        if not row["source"].strip():
            raise SystemExit(f"public_corpus.csv line {line}: source must not be empty.")
        if row["pretrained"].strip().lower() == "unstated":
            row["pretrained"] = "no"
            _add_note(row, UNSTATED_NOTE)
        if float(row["metric_value"]) >= (100.0 if "%" in row["metric_name"] else 1.0):
            _half_an_error(row, line)
    return rows


def _add_note(row: dict, note: str) -> None:
    row["notes"] = f"{row['notes']}; {note}" if row["notes"].strip() else note


def _half_an_error(row: dict, line: int) -> None:
    """A perfect score as half an error on the test set (an observation's metric is a fraction in (0, 1))."""
    test_images = PERFECT_SCORE_TEST_IMAGES.get(row["dataset"])
    if test_images is None or row["metric_name"] != "top-1 accuracy (%)":
        raise SystemExit(f"public_corpus.csv line {line}: metric_value {row['metric_value']} is a perfect score and "
                         f"{row['dataset']!r} has no test-set size in PERFECT_SCORE_TEST_IMAGES; add it.")
    printed = row["metric_value"]
    row["metric_value"] = repr(100.0 * (1.0 - 0.5 / test_images))
    _add_note(row, f"the source prints {printed} (no error on the {test_images:,} test images); stored as half an error, "
                   f"100 x (1 - 0.5/{test_images}), since eq. (1) fits log10(error) and an error of 0 has none")


def corpus_csv(rows: list[dict]) -> str:
    """CSV text of ``rows`` in the column order of ``COLUMNS`` (LF line ends)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def sources_markdown(data: Path) -> str:
    """``SOURCES-public_corpus.md`` with a header saying where it came from and the corpus's caveats."""
    original = (data / "transfer" / "SOURCES-public_corpus.md").read_text(encoding="utf-8").replace("\r\n", "\n")
    body = original.removeprefix("# SOURCES\n").lstrip("\n")
    return f"# Sources of public_corpus.csv\n\n{CAVEATS}\n{body.rstrip()}\n"


def build(data: Path) -> dict[str, str]:
    """The files this script writes, by name, as text."""
    data = data.resolve()
    return {"public_corpus.csv": corpus_csv(corpus_rows(data)), "SOURCES-public_corpus.md": sources_markdown(data)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="shared data folder (default: ../shared/data from the repo root)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="where to write the files (default: src/dlcost/catalog)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a file differs from what would be written")
    args = parser.parse_args(argv)
    stale = []
    for name, text in build(args.data_dir).items():
        path = args.out_dir / name
        if args.check:
            if not path.exists() or path.read_bytes() != text.encode("utf-8"):
                stale.append(name)
            continue
        path.write_bytes(text.encode("utf-8"))
        print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
