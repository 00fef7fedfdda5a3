"""`dlcost scenario|observation|model` against a real store (SQLite file and PostgreSQL).

Wiring, exit codes and the exact one-line errors; the numbers themselves are tested
in test_store.py. ``DLCOST_DATABASE_URL`` points every command at the test's store.
"""

import json
from pathlib import Path

import pytest

from dlcost.catalog import COEFFICIENT_ORDER
from dlcost.cli import main
from dlcost.store import Store

FIGURE_2 = Path(__file__).resolve().parents[2] / "examples" / "figure2.toml"
VTAB = Path(__file__).resolve().parents[2] / "src" / "dlcost" / "catalog" / "vtab_calibration.csv"
FILTER_FIELDS = ("architecture, cost_usd, dataset, dataset_distance, epochs, gpu_hours, metric_name, metric_value, n_classes, "
                 "n_train, notes, observed_on, pretrained, relative_complexity, source, task")


def ok(result) -> str:
    code, out, err = result
    assert (code, err) == (0, ""), err
    return out


def ok_json(result):
    return json.loads(ok(result), parse_constant=_not_json)


def _not_json(constant):
    raise AssertionError(f"the output is not strict JSON: it holds {constant}")


def fails(result, message: str) -> None:
    """Exit 2, nothing on stdout, and exactly one line ``Error: message`` on stderr."""
    assert result == (2, "", f"Error: {message}\n")


def _rows(url: str) -> list[dict]:
    store = Store(url)
    try:
        return [{"id": row.id, **{f: getattr(row, f) for f in ("dataset", "n_train", "metric_value")}} for row in store.observations()]
    finally:
        store.close()


# ----- scenarios ---------------------------------------------------------------
def test_scenario_round_trip(dlcost, tmp_path):
    cheaper = tmp_path / "cheaper.toml"
    cheaper.write_text(FIGURE_2.read_text(encoding="utf-8").replace('target_accuracy = "96.5%"', "target_accuracy = 0.9"))

    saved = ok_json(dlcost("scenario", "save", "figure 2", "--scenario", FIGURE_2, "--json"))
    assert (saved["name"], saved["model"]) == ("figure 2", "paper-2024")
    assert saved["result"]["recommendations"][0]["architecture"] == "EfficientNet-B0"
    assert ok(dlcost("scenario", "save", "cheaper", "--scenario", cheaper)) == (
        "saved scenario 'cheaper' (paper-2024, best: EfficientNet-B0)\n")
    ok(dlcost("estimate", "--scenario", FIGURE_2, "--save", "from estimate", "--json"))

    listed = ok_json(dlcost("scenario", "list", "--json"))["scenarios"]
    assert [s["name"] for s in listed] == ["figure 2", "cheaper", "from estimate"]
    assert [s["target_accuracy"] for s in listed] == [0.965, 0.9, 0.965]
    assert {s["best_architecture"] for s in listed} == {"EfficientNet-B0"}
    assert listed[0]["catalog_version"] and listed[0]["model"] == "paper-2024"
    assert "figure 2" in ok(dlcost("scenario", "list"))

    shown = ok_json(dlcost("scenario", "show", "figure 2", "--json"))
    assert shown["result"] == saved["result"]
    assert "EfficientNet-B0" in ok(dlcost("scenario", "show", "figure 2"))

    compared = ok_json(dlcost("scenario", "compare", "figure 2", "cheaper", "--json"))
    assert compared["scenarios"] == ["figure 2", "cheaper"]
    target = next(row for row in compared["rows"] if row["label"] == "Target accuracy")
    assert target["values"] == ["96.50%", "90.00%"]
    assert all(len(row["values"]) == 2 for row in compared["rows"])

    fails(dlcost("scenario", "save", "cheaper", "--scenario", FIGURE_2),
          "name 'cheaper' is already a saved scenario; choose another name or replace it.")
    ok(dlcost("scenario", "save", "cheaper", "--scenario", FIGURE_2, "--replace"))
    assert ok_json(dlcost("scenario", "show", "cheaper", "--json"))["result"] == saved["result"]

    assert ok(dlcost("scenario", "delete", "cheaper")) == "deleted scenario 'cheaper'\n"
    assert [s["name"] for s in ok_json(dlcost("scenario", "list", "--json"))["scenarios"]] == ["figure 2", "from estimate"]


def test_scenario_errors(dlcost):
    fails(dlcost("scenario", "show", "nope"), "name must be a saved scenario; got 'nope'. None saved yet.")
    ok(dlcost("scenario", "save", "alpha", "--scenario", FIGURE_2))
    fails(dlcost("scenario", "show", "nope", "--json"), "name must be a saved scenario; got 'nope'. Saved: alpha.")
    fails(dlcost("scenario", "delete", "nope"), "name must be a saved scenario; got 'nope'. Saved: alpha.")
    fails(dlcost("scenario", "compare", "alpha", "nope"), "name must be a saved scenario; got 'nope'. Saved: alpha.")
    fails(dlcost("scenario", "compare", "alpha"), "names: compare needs at least 2 saved scenarios; got 1.")
    fails(dlcost("scenario", "save", "beta", "--scenario", FIGURE_2, "--model", "nope"),
          "model must be one of dlcost-2026, paper-2024; got 'nope'.")


# ----- observations ------------------------------------------------------------
def test_observation_add_import_list(dlcost, use_store):
    added = ok_json(dlcost("observation", "add", "--dataset", "Bolts", "--n-train", 1200, "--metric-value", "93.5%",
                           "--metric-name", "top-1 (%)", "--class-counts", "500,20,7", "--no-pretrained", "--json"))
    assert added["metric_value"] == 0.935 and added["class_counts"] == [500.0, 20.0, 7.0] and added["pretrained"] is False
    assert ok(dlcost("observation", "add", "--dataset", "Roads", "--task", "segmentation", "--n-train", 3000,
                     "--metric-value", 0.61, "--metric-name", "mIoU", "--rc", 0.3)) == "added observation 2\n"
    assert ok(dlcost("observation", "import", "--examples")) == (
        "imported 657 observations from shipped Table 2 (seed 000), vtab_calibration.csv and public_corpus.csv\n")

    listed = ok_json(dlcost("observation", "list", "--json"))["observations"]
    assert len(listed) == 2 + 657 and [o["id"] for o in listed] == [row["id"] for row in _rows(use_store)]
    assert listed[0] == {"id": added["id"], **{k: v for k, v in added.items() if k != "id"}}
    scratch = ok_json(dlcost("observation", "list", "--where", "pretrained=no", "--where", "n_train=1000", "--json"))
    assert {o["pretrained"] for o in scratch["observations"]} == {False}
    assert {o["n_train"] for o in scratch["observations"]} == {1000.0}
    assert len(scratch["observations"]) == 11  # the VTAB-1k rows trained from scratch
    assert "Roads" in ok(dlcost("observation", "list"))
    detection = ok_json(dlcost("observation", "list", "--where", "task=detection", "--json"))["observations"]
    assert len(detection) == 38 and {o["dataset"] for o in detection} == {"COCO 2017 (val)"}


def test_observation_errors(dlcost, use_store, tmp_path):
    fails(dlcost("observation", "list", "--where", "colour=red"),
          f"observations filter field must be one of {FILTER_FIELDS}; got 'colour'.")
    fails(dlcost("observation", "export", "--where", "colour"),
          "observations: filters are FIELD=VALUE, e.g. pretrained=yes; got 'colour'.")
    fails(dlcost("observation", "list", "--where", "pretrained=maybe"),
          "observations filter pretrained must be yes or no; got 'maybe'.")
    fails(dlcost("observation", "add", "--dataset", "Bolts", "--n-train", 0, "--metric-value", 0.9, "--classes", 10),
          "n_train must be greater than 0; got 0.0.")
    fails(dlcost("observation", "import"), "file: give a CSV file or --examples (not both).")
    bad = tmp_path / "bad.csv"
    bad.write_text("dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\n"
                   + "Bolts,classification,1000,10,yes,accuracy,0.9\n" * 3
                   + "Bolts,classification,1000,10,yes,accuracy,150\n", encoding="utf-8")
    fails(dlcost("observation", "import", bad), f"observations file {str(bad)!r} line 5: metric_value must be a fraction in (0, 1); got 150.0.")
    assert _rows(use_store) == []


def test_export_then_import_gives_identical_rows(dlcost, use_store, tmp_path):
    # metric "top-1 accuracy (%)": exported in percent, as imported. The VTAB file, not --examples: the export writes
    # percents rounded to 10 decimals, which does not give back every value of public_corpus.csv exactly.
    ok(dlcost("observation", "import", VTAB))
    ok(dlcost("observation", "add", "--dataset", "Bolts, \"M6\"", "--n-train", 1200, "--metric-value", "93.5%",
              "--metric-name", "top-1 (%)", "--class-counts", "500,20,7", "--no-pretrained", "--architecture", "ResNet-50",
              "--epochs", 30, "--gpu-hours", 2.5, "--cost-usd", 7.25, "--source", "line 3, plant B",
              "--observed-on", "2026-11-22"))
    ok(dlcost("observation", "add", "--dataset", "Roads", "--task", "segmentation", "--n-train", 3000,
              "--metric-value", 0.61, "--metric-name", "mIoU", "--rc", 0.3))
    before = ok_json(dlcost("observation", "list", "--json"))["observations"]
    exported = tmp_path / "exported.csv"
    assert ok(dlcost("observation", "export", "--out", exported)) == f"wrote 38 observations to {exported}\n"
    assert ok(dlcost("observation", "export")) == exported.read_text(encoding="utf-8")

    # Every exported row equals a stored one, so a plain import skips them all: the round trip is exact.
    assert ok(dlcost("observation", "import", exported)) == f"imported 0 observations from {exported}; 38 already stored, skipped\n"
    assert ok(dlcost("observation", "import", exported, "--allow-duplicates")) == f"imported 38 observations from {exported}\n"
    after = ok_json(dlcost("observation", "list", "--json"))["observations"]
    assert len(after) == 76
    strip = lambda records: [{k: v for k, v in record.items() if k != "id"} for record in records]  # noqa: E731
    assert strip(after[38:]) == strip(before)


def test_import_twice_adds_nothing(dlcost, use_store, tmp_path):
    """Issue 9: importing the same observations twice does not duplicate them; --examples is idempotent."""
    first = ok_json(dlcost("observation", "import", "--examples", "--json"))
    assert (first["imported"], first["skipped_duplicates"]) == (657, 0)
    again = ok_json(dlcost("observation", "import", "--examples", "--json"))
    assert (again["imported"], again["skipped_duplicates"], again["ids"]) == (0, 657, [])
    path = tmp_path / "twice.csv"
    path.write_text("dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\n"
                    "Parts,classification,1000,5,yes,accuracy,0.9\nParts,classification,1000,5,yes,accuracy,0.9\n"
                    "Parts,classification,2000,5,yes,accuracy,0.93\n", encoding="utf-8")
    assert ok(dlcost("observation", "import", path)) == f"imported 2 observations from {path}; 1 already stored, skipped\n"
    assert ok(dlcost("observation", "import", path)) == f"imported 0 observations from {path}; 3 already stored, skipped\n"
    assert ok(dlcost("observation", "import", path, "--allow-duplicates")) == f"imported 3 observations from {path}\n"
    assert len(ok_json(dlcost("observation", "list", "--json"))["observations"]) == 657 + 2 + 3


def test_export_keeps_class_counts_exact(dlcost, tmp_path):
    """BUG: observations_to_csv writes class counts with f"{c:g}" (6 significant digits):
    1,234,567 is exported as 1.23457e+06 and comes back as 1,234,570."""
    ok(dlcost("observation", "add", "--dataset", "Big", "--n-train", 1_250_000, "--metric-value", 0.8,
              "--class-counts", "1234567,15433"))
    exported = tmp_path / "exported.csv"
    ok(dlcost("observation", "export", "--out", exported))
    ok(dlcost("observation", "import", exported, "--allow-duplicates"))
    first, second = ok_json(dlcost("observation", "list", "--json"))["observations"]
    assert second["class_counts"] == first["class_counts"] == [1234567.0, 15433.0]


# ----- models --------------------------------------------------------------------
def test_model_fit_validate_plot_use(dlcost, tmp_path):
    ok(dlcost("observation", "import", "--examples"))
    # two segmentation outcomes, so Type is estimated rather than held
    ok(dlcost("observation", "add", "--dataset", "Roads", "--task", "segmentation", "--n-train", 3000,
              "--metric-value", 0.61, "--metric-name", "mIoU", "--rc", 0.3))
    ok(dlcost("observation", "add", "--dataset", "Fields", "--task", "segmentation", "--n-train", 20000, "--no-pretrained",
              "--metric-value", 0.55, "--metric-name", "mIoU", "--rc", 0.5))

    # --examples holds the six Table 2 cases already: they count once; its 38 detection rows are left out
    fitted = ok_json(dlcost("model", "fit", "mine", "--with-paper-cases", "--json"))
    assert fitted["name"] == "mine" and fitted["n"] == 657 - 38 + 2
    assert fitted["notes"][-1] == "38 detection observations left out: eq. (1) has no detection term"
    assert [c["name"] for c in fitted["coefficients"]] == list(COEFFICIENT_ORDER)
    for coefficient in fitted["coefficients"]:
        assert {"name", "coef", "std_err", "t", "p", "ci_low", "ci_high"} <= coefficient.keys()
        assert coefficient["ci_low"] < coefficient["coef"] < coefficient["ci_high"] and coefficient["std_err"] > 0
    assert 0 < fitted["r2"] < 1
    covariance = fitted["covariance"]
    assert len(covariance) == 5 and all(len(row) == 5 for row in covariance)
    assert all(covariance[i][j] == pytest.approx(covariance[j][i]) for i in range(5) for j in range(5))
    assert [covariance[i][i] for i in range(5)] == pytest.approx([c["std_err"] ** 2 for c in fitted["coefficients"]])
    assert "Intercept" in ok(dlcost("model", "show", "mine"))
    shown = ok_json(dlcost("model", "show", "mine", "--json"))
    assert [c["coef"] for c in shown["coefficients"]] == [c["coef"] for c in fitted["coefficients"]]

    validated = ok_json(dlcost("model", "validate", "mine", "--json"))
    assert validated["model"] == "mine" and validated["n"] == 621 and len(validated["cases"]) == 621
    assert validated["method"].startswith("leave-one-dataset-out")
    assert 0 < validated["median_abs_log10_ratio"] < 1 and 0 < validated["share_within_2x"] <= 1
    published = ok_json(dlcost("model", "validate", "paper-2024", "--json"))
    assert published["n"] == 621 and published["notes"] == ["38 detection observations left out: eq. (1) has no detection term"]
    assert ok(dlcost("model", "validate", "paper-2024")).endswith(
        "Note: 38 detection observations left out: eq. (1) has no detection term\n")

    png = tmp_path / "x.png"
    assert ok(dlcost("model", "plot", "mine", "--out", png)) == f"wrote {png}\n"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000

    models = ok_json(dlcost("model", "list", "--json"))["models"]
    assert [(m["name"], m["active"]) for m in models] == [("paper-2024", False), ("dlcost-2026", True), ("mine", False)]
    assert ok_json(dlcost("estimate", "--scenario", FIGURE_2, "--json"))["model"] == "paper-2024"
    assert ok(dlcost("model", "use", "mine")) == "estimates now use mine\n"
    assert [(m["name"], m["active"]) for m in ok_json(dlcost("model", "list", "--json"))["models"]] == [
        ("paper-2024", False), ("dlcost-2026", False), ("mine", True)]
    assert ok_json(dlcost("estimate", "--scenario", FIGURE_2, "--json"))["model"] == "mine"
    assert ok_json(dlcost("estimate", "--scenario", FIGURE_2, "--model", "paper-2024", "--json"))["model"] == "paper-2024"
    assert ok_json(dlcost("scenario", "save", "with mine", "--scenario", FIGURE_2, "--json"))["model"] == "mine"
    ok(dlcost("model", "use", "paper-2024"))
    assert ok_json(dlcost("estimate", "--scenario", FIGURE_2, "--json"))["model"] == "paper-2024"


def test_model_fit_with_held_type(dlcost):
    """BUG: with every observation one task, Type is held and its t and p are NaN. `model fit --json`
    then prints NaN (not JSON), and on PostgreSQL saving the fit fails with a traceback
    (psycopg DataError: the JSON column rejects the token NaN)."""
    ok(dlcost("observation", "import", "--examples"))
    fitted = ok_json(dlcost("model", "fit", "vtab", "--with-paper-cases", "--observations", "task=classification", "--json"))
    held = fitted["coefficients"][COEFFICIENT_ORDER.index("segmentation")]
    assert (held["coef"], held["std_err"], held["t"], held["p"]) == (0.622, 0.0, None, None)
    assert ok_json(dlcost("model", "show", "vtab", "--json"))["coefficients"] == [
        {k: c[k] for k in ("name", "regressor", "coef", "std_err", "t", "p", "ci_low", "ci_high")} for c in fitted["coefficients"]]
    assert ok(dlcost("model", "use", "vtab")) == "estimates now use vtab\n"


def test_model_errors(dlcost):
    unknown = "model must be one of dlcost-2026, paper-2024; got 'nope'."
    fails(dlcost("model", "use", "nope"), unknown)
    fails(dlcost("model", "show", "nope"), unknown)
    fails(dlcost("model", "validate", "nope", "--json"), unknown)
    fails(dlcost("model", "plot", "nope", "--out", "x.png"), unknown)
    fails(dlcost("estimate", "--scenario", FIGURE_2, "--model", "nope"), unknown)
    fails(dlcost("model", "plot", "paper-2024", "--out", "x.png"),
          "model: paper-2024's data is not public; plot a fitted model (dlcost model fit NAME).")
    fails(dlcost("model", "fit", "paper-2024"),
          "name 'paper-2024' is the published model and cannot be replaced; choose another name.")
    fails(dlcost("model", "fit", "empty"), "observations: a fit of 5 coefficients needs more than 5 observations; got 0.")
    ok(dlcost("observation", "import", "--examples"))
    fails(dlcost("model", "fit", "bad", "--observations", "colour=red"),
          f"observations filter field must be one of {FILTER_FIELDS}; got 'colour'.")
    fails(dlcost("model", "fit", "pretrained only", "--observations", "pretrained=yes"),
          "observations: singular design: every observation is pretrained: log10(data) and Pretrain x log10(data) "
          "cannot be told apart; add observations of the other kind.")
    fails(dlcost("model", "fit", "boxes", "--observations", "task=detection"),
          "observations: eq. (1) has no detection term and every selected observation is detection; "
          "select classification or segmentation ones (task=classification).")


@pytest.mark.parametrize("url", [
    "sqlite:////nonexistent-dlcost-dir/store.sqlite3",
    "postgresql+psycopg://root@/dlcost?host=/nonexistent-dlcost-dir&port=5499",
], ids=["sqlite", "postgresql"])
def test_unreachable_database_is_one_error_line(url, monkeypatch, capsys):
    """BUG: a store that cannot be opened ends in a SQLAlchemy traceback and exit 1, not one
    `Error:` line naming DLCOST_DATABASE_URL and exit 2."""
    monkeypatch.setenv("DLCOST_DATABASE_URL", url)
    capsys.readouterr()
    code = main(["scenario", "list"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("Error: ") and err.count("\n") == 1 and "DLCOST_DATABASE_URL" in err
