"""The shipped public corpus (issue 10): catalog/public_corpus.csv, its build script, and
what eq. (1) does with its detection rows.

The corpus is shared/data/transfer/public_corpus.csv (615 published results, 24 datasets;
origins in catalog/SOURCES-public_corpus.md), rebuilt by scripts/build_corpus.py.
"""

import csv
import importlib.util
import io
from importlib import resources
from pathlib import Path

import pytest

from dlcost import catalog
from dlcost.core.checks import InputError
from dlcost.engine.refit import (
    corpus_observations,
    design,
    eq1_observations,
    example_observations,
)
from dlcost.engine.uncertainty import calibrate
from dlcost.iotools.observations_csv import parse_observations_csv

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SCRIPT = REPO / "scripts" / "build_corpus.py"
#: The 24 datasets of shared/data/transfer/public_corpus.csv (shared/data/README.md).
DATASETS = {
    "ACDC cardiac MRI", "ADE20K (SceneParse150 val)", "COCO 2017 (val)", "COCO 2017 semantic segmentation (UniMatch split)",
    "ChestX-ray14 + CheXpert merged (pneumothorax detection); external test 525 ED radiographs", "ImageNet-1k",
    "VTAB/CIFAR-100", "VTAB/Camelyon", "VTAB/Clevr-Count", "VTAB/Clevr-Dist", "VTAB/DMLab", "VTAB/DTD", "VTAB/EuroSAT",
    "VTAB/Flowers102", "VTAB/KITTI-Dist", "VTAB/Pets", "VTAB/Resisc45", "VTAB/Retinopathy", "VTAB/SVHN", "VTAB/Sun397",
    "VTAB/dSpr-Loc", "VTAB/dSpr-Orient", "VTAB/sNORB-Azim", "VTAB/sNORB-Elev",
}


def _script():
    spec = importlib.util.spec_from_file_location("build_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(catalog.public_corpus_csv(), newline="")))


def test_shipped_corpus_parses_to_615_observations_of_24_datasets():
    observations = parse_observations_csv(catalog.public_corpus_csv())
    assert len(observations) == 615
    assert {o.dataset for o in observations} == DATASETS
    assert all(o.source.strip() for o in observations)
    assert {o.task for o in observations} == {"classification", "segmentation", "detection"}
    assert sum(o.task == "detection" for o in observations) == 38  # COCO box and mask mAP


def test_every_row_keeps_its_source_and_columns():
    rows = _rows()
    assert list(rows[0]) == ["source", "dataset", "task", "n_train", "n_classes", "balanced", "pretrained", "architecture",
                             "epochs", "metric_name", "metric_value", "notes"]
    assert all(row["source"].strip() for row in rows)
    assert {row["pretrained"] for row in rows} == {"yes", "no"}
    unstated = [row for row in rows if "pretraining not stated by the source" in row["notes"]]
    assert len(unstated) == 27 and {row["pretrained"] for row in unstated} == {"no"}
    perfect = [row for row in rows if "the source prints 100.0" in row["notes"]]
    assert len(perfect) == 7 and {row["dataset"] for row in perfect} == {"VTAB/dSpr-Loc"}
    assert [float(row["metric_value"]) for row in perfect] == pytest.approx([100 * (1 - 0.5 / 73_728)] * 7)


def test_sources_file_ships_with_the_caveats():
    text = resources.files("dlcost.catalog").joinpath("SOURCES-public_corpus.md").read_text(encoding="utf-8")
    assert "shared/data/transfer/SOURCES-public_corpus.md" in text
    for caveat in ("ResNet-50", "ImageNet-22K pretraining contains ImageNet-1k images", "count patients, not images",
                   "YOLOv8 initialisation is not stated", "google-research/task_adaptation"):
        assert caveat in text


@pytest.mark.skipif(not (DATA / "transfer" / "public_corpus.csv").exists(), reason="needs ../shared/data")
def test_build_script_reproduces_the_shipped_files_byte_for_byte():
    built = _script().build(DATA)
    for name, text in built.items():
        assert resources.files("dlcost.catalog").joinpath(name).read_bytes() == text.encode("utf-8"), name
    assert _script().build(DATA) == built  # deterministic
    with (DATA / "transfer" / "public_corpus.csv").open(encoding="utf-8", newline="") as handle:
        original = list(csv.DictReader(handle))
    shipped = _rows()
    assert len(shipped) == len(original) == 615
    for before, after in zip(original, shipped, strict=True):
        assert after["source"] == before["source"] and after["dataset"] == before["dataset"]
        assert after["notes"].startswith(before["notes"])


def test_corpus_observations_are_every_shipped_observation():
    observations = corpus_observations()
    assert len(observations) == 657 == len(example_observations()) + 615
    assert observations[:42] == example_observations()  # Table 2 of seed 000 (6) and vtab_calibration.csv (36) first


def test_eq1_leaves_detection_out_with_a_note():
    kept, note = eq1_observations(corpus_observations())
    assert len(kept) == 619 and {o.task for o in kept} == {"classification", "segmentation"}
    assert note == "38 detection observations left out: eq. (1) has no detection term"
    assert eq1_observations(example_observations()) == (example_observations(), None)


def test_design_refuses_a_detection_observation():
    detection = next(o for o in corpus_observations() if o.task == "detection")
    with pytest.raises(InputError) as raised:
        design([*example_observations(), detection])
    assert raised.value.field == "observations"
    assert str(raised.value) == (
        "observations: eq. (1) has no detection term; got a detection observation ('COCO 2017 (val)'). "
        "Filter them out (--observations task=classification or task=segmentation).")


def test_calibration_leaves_detection_out_and_says_so():
    model = catalog.error_model()
    everything = calibrate(model, corpus_observations(), 0.8, source="the corpus")
    kept, _ = eq1_observations(corpus_observations())
    without = calibrate(model, kept, 0.8, source="the corpus")
    assert everything.source == "the corpus; 38 detection observations left out: eq. (1) has no detection term"
    assert everything.n_observations == without.n_observations == 619
    assert (everything.low_log10, everything.high_log10) == (without.low_log10, without.high_log10)


def test_export_then_parse_gives_back_every_corpus_value():
    from dlcost.iotools.observations_csv import observations_to_csv

    observations = parse_observations_csv(catalog.public_corpus_csv())
    out = io.StringIO()
    observations_to_csv(observations, out)
    assert [o.metric_value for o in parse_observations_csv(out.getvalue())] == [o.metric_value for o in observations]
