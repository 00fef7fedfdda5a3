"""The store on SQLite and on PostgreSQL: scenarios, observations, imports, concurrency, crashes, fits.

Every test takes ``store_url`` or ``store`` (tests/store/conftest.py), so it runs on
both backends. Nothing is mocked: a real SQLite file, a real PostgreSQL server,
real processes.
"""

import math
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from dlcost import catalog
from dlcost.service import models as registry
from dlcost.service.workspace import Workspace
from dlcost.cli import main
from dlcost.engine.refit import example_observations, validate, validation_summary
from dlcost.iotools.observations_csv import parse_observations_csv
from dlcost.schemas import Observation
from dlcost.catalog.hardware import load_hardware
from dlcost.store import CATALOG_VERSION, Store, open_existing_store


def resolve_error_model(name=None):
    """The error model an answer uses, as every interface resolves it (the one Workspace)."""
    workspace = Workspace(load_hardware(), open_store=open_existing_store)
    try:
        return workspace.model(name)
    finally:
        workspace.close()

HEADER = "dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\n"
GOOD_ROW = "Bolts,classification,1000,10,yes,accuracy,0.9\n"


def _observation(**changes) -> Observation:
    values = dict(dataset="Bolts", task="classification", n_train=1000, n_classes=10, pretrained=True,
                  metric_name="accuracy", metric_value=0.9)
    return Observation(**{**values, **changes})


def _fields(row) -> dict:
    return {field: getattr(row, field) for field in Observation.model_fields}


# ----- scenarios ---------------------------------------------------------------
def test_scenario_round_trip(store):
    inputs = {"target_accuracy": 0.965, "class_counts": {"Positive": 50000.0, "Negative": 1000.0}}
    result = {"recommendations": [{"architecture": "EfficientNet-B0", "total_cost": 101910.02}], "model": "paper-2024"}
    store.save_scenario("figure 2", inputs, result, "paper-2024")
    store.save_scenario("cheaper", {**inputs, "target_accuracy": 0.9}, result, "paper-2024")

    assert [row.name for row in store.scenarios()] == ["figure 2", "cheaper"]
    shown = store.scenario("figure 2")
    assert (shown.inputs, shown.result, shown.model_name) == (inputs, result, "paper-2024")
    assert shown.catalog_version == CATALOG_VERSION

    store.save_scenario("figure 2", {"target_accuracy": 0.99}, result, "mine", replace=True)
    assert store.scenario("figure 2").inputs == {"target_accuracy": 0.99}
    assert store.scenario("figure 2").model_name == "mine"

    store.delete_scenario("cheaper")
    assert [row.name for row in store.scenarios()] == ["figure 2"]


def test_saved_times_are_utc_on_every_backend(store):
    """BUG on SQLite: DateTime(timezone=True) comes back naive there (aware on PostgreSQL), so
    `scenario list --json` prints created_at without "+00:00" on one backend and with it on the other."""
    store.save_scenario("figure 2", {}, {"recommendations": []}, "paper-2024")
    store.add_observations([_observation()])
    for created_at in (store.scenario("figure 2").created_at, store.observations()[0].created_at):
        assert created_at.utcoffset() == timedelta(0)
        assert abs(created_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_scenario_name_taken_without_replace(store):
    store.save_scenario("figure 2", {"a": 1}, {"recommendations": []}, "paper-2024")
    with pytest.raises(ValueError, match=r"name 'figure 2' is already a saved scenario; choose another name or replace it\."):
        store.save_scenario("figure 2", {"a": 2}, {"recommendations": []}, "paper-2024")
    assert store.scenario("figure 2").inputs == {"a": 1}


def test_unknown_scenario_lists_saved_names(store):
    with pytest.raises(ValueError, match=r"name must be a saved scenario; got 'nope'\. None saved yet\."):
        store.scenario("nope")
    store.save_scenario("alpha", {}, {"recommendations": []}, "paper-2024")
    store.save_scenario("beta", {}, {"recommendations": []}, "paper-2024")
    for call in (store.scenario, store.delete_scenario):
        with pytest.raises(ValueError, match=r"name must be a saved scenario; got 'nope'\. Saved: alpha, beta\."):
            call("nope")


# ----- observations ------------------------------------------------------------
def test_observations_add_list_filter(store):
    added = [
        _observation(dataset="Bolts", n_train=1000, pretrained=True),
        _observation(dataset="Bolts", n_train=5000, pretrained=True, class_counts=[700.0, 200.0, 100.0], n_classes=None),
        _observation(dataset="Nuts", n_train=1000, pretrained=False, architecture="ResNet-50", epochs=90.0),
        _observation(dataset="Roads", task="segmentation", n_train=1000, pretrained=False, relative_complexity=0.3, n_classes=None,
                     metric_name="mIoU", metric_value=0.71, gpu_hours=12.5, cost_usd=40.0, observed_on="2026-11-22"),
    ]
    ids = store.add_observations(added)
    assert len(ids) == 4 and ids == sorted(ids)
    rows = store.observations()
    assert [row.id for row in rows] == ids
    assert [_fields(row) for row in rows] == [observation.model_dump() for observation in added]
    assert store.count_observations() == 4

    def datasets(filters):
        return [row.dataset for row in store.observations(filters)]

    assert datasets({"pretrained": "yes", "n_train": "1000"}) == ["Bolts"]
    assert datasets({"pretrained": "no"}) == ["Nuts", "Roads"]
    assert datasets({"n_train": "1e3"}) == ["Bolts", "Nuts", "Roads"]
    assert datasets({"task": "segmentation"}) == ["Roads"]
    assert datasets({"dataset": "Bolts"}) == ["Bolts", "Bolts"]
    assert datasets({"architecture": "ResNet-50", "epochs": "90"}) == ["Nuts"]
    assert datasets({"pretrained": True}) == ["Bolts", "Bolts"]
    assert datasets({"dataset": "Screws"}) == []


def test_observation_filter_errors(store):
    store.add_observations([_observation()])
    accepted = ("architecture, cost_usd, dataset, dataset_distance, epochs, gpu_hours, metric_name, metric_value, n_classes, "
                "n_train, notes, observed_on, pretrained, relative_complexity, source, task")
    with pytest.raises(ValueError) as caught:
        store.observations({"colour": "red"})
    assert str(caught.value) == f"observations filter field must be one of {accepted}; got 'colour'."
    with pytest.raises(ValueError, match=r"observations filter pretrained must be yes or no; got 'maybe'\."):
        store.observations({"pretrained": "maybe"})
    with pytest.raises(ValueError, match=r"observations filter n_train must be a number; got 'lots'\."):
        store.observations({"n_train": "lots"})


def test_integer_filter_does_not_truncate(store):
    """BUG: Store.observations converts an integer filter with int(float(value)), so n_classes=10.5 matches 10."""
    store.add_observations([_observation(n_classes=10)])
    try:
        matched = store.observations({"n_classes": "10.5"})
    except ValueError as error:
        assert "n_classes" in str(error)
    else:
        assert matched == []


# ----- imports: all or nothing -------------------------------------------------
@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        ("Bolts,classification,1000,10,yes,accuracy,150\n", "metric_value"),  # 150 with a name without % is not a fraction
        ("Bolts,captioning,1000,10,yes,accuracy,0.9\n", "task"),
        ("Bolts,classification,0,10,yes,accuracy,0.9\n", "n_train"),
    ],
)
def test_import_rejects_the_whole_file(store_url, monkeypatch, capsys, tmp_path, bad_row, field):
    text = HEADER + GOOD_ROW * 3 + bad_row + GOOD_ROW  # the bad row is line 5 (the header is line 1)
    with pytest.raises(ValueError) as caught:
        parse_observations_csv(text)
    message = str(caught.value)
    assert message.startswith(f"line 5: {field} ")

    store = Store(store_url)
    store.add_observations([_observation(dataset="kept")])
    store.close()
    path = tmp_path / "outcomes.csv"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("DLCOST_DATABASE_URL", store_url)
    capsys.readouterr()
    code = main(["observation", "import", str(path)])
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", f"Error: observations file {str(path)!r} {message}\n")
    store = Store(store_url)
    assert [row.dataset for row in store.observations()] == ["kept"]
    store.close()


# ----- concurrency and crashes ---------------------------------------------------
WRITERS, WRITES_EACH = 8, 200


def _write_one_at_a_time(url: str, worker: int, count: int, start) -> None:
    """Worker process: open its own Store (which migrates), wait for the others, then
    write ``count`` observations, each in its own transaction."""
    store = Store(url)
    try:
        start.wait(timeout=120)
        for i in range(count):
            store.add_observations([_observation(dataset=f"writer {worker}", n_train=1000 + i)])
    finally:
        store.close()


def _run_writers(url: str, writers: int, count: int) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(writers)
    processes = [context.Process(target=_write_one_at_a_time, args=(url, worker, count, start)) for worker in range(writers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
    stuck = [process.pid for process in processes if process.is_alive()]
    for process in processes:
        if process.is_alive():
            process.kill()
    assert not stuck, f"writer processes {stuck} did not finish"
    assert [process.exitcode for process in processes] == [0] * writers


def test_concurrent_writers_lose_nothing(store_url):
    store = Store(store_url)  # created and migrated once before the writers start
    store.add_observations([_observation(dataset="before")] * 5)
    _run_writers(store_url, WRITERS, WRITES_EACH)
    assert store.count_observations() == 5 + WRITERS * WRITES_EACH
    for worker in range(WRITERS):
        rows = store.observations({"dataset": f"writer {worker}"})
        assert sorted(row.n_train for row in rows) == [1000.0 + i for i in range(WRITES_EACH)]
    store.close()


def test_concurrent_first_open_migrates_once(store_url):
    """Four processes open a store that does not exist yet: one creates it, the others wait and use it."""
    _run_writers(store_url, 4, 10)
    store = Store(store_url)
    assert store.count_observations() == 4 * 10
    store.close()


def _big_csv(path, rows: int) -> None:
    notes = "n" * 400  # bulk, so the transaction writes megabytes before it commits
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER.rstrip("\n") + ",notes\n")
        for i in range(rows):
            handle.write(f"bulk {i % 50},classification,{1000 + i},10,{'yes' if i % 2 else 'no'},accuracy,0.9,{notes}\n")


def _import_in_transaction(url: str):
    """A probe: True once another process is inside the import's write transaction.

    SQLite: the write lock is held and the WAL holds more than 512 KiB of uncommitted
    pages (nothing else writes that much). PostgreSQL: another backend is in a
    transaction whose latest statement inserts into observations (INSERT, or COPY: the bulk path).
    """
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")

        def probe() -> bool:
            if not os.path.exists(path + "-wal") or os.path.getsize(path + "-wal") < 512 * 1024:
                return False
            connection = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError as error:
                return "locked" in str(error)
            finally:
                connection.close()

        return probe, lambda: None

    from sqlalchemy import create_engine, text

    engine = create_engine(url)

    def probe() -> bool:
        with engine.connect() as connection:
            return bool(connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND xact_start IS NOT NULL AND (query LIKE 'INSERT INTO observations%' OR query LIKE 'COPY observations%')"
            )))

    return probe, engine.dispose


def test_sigkill_mid_import_leaves_store_unchanged(store_url, tmp_path):
    store = Store(store_url)
    store.add_observations([_observation(dataset="before", n_train=1000 + i) for i in range(3)])
    before = [_fields(row) for row in store.observations()]
    store.close()  # SQLite checkpoints its WAL away on the last close
    path = tmp_path / "big.csv"
    _big_csv(path, 20_000)

    importer = subprocess.Popen(
        [sys.executable, "-m", "dlcost.cli", "observation", "import", str(path)],
        env={**os.environ, "DLCOST_DATABASE_URL": store_url}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    probe, close_probe = _import_in_transaction(store_url)
    try:
        deadline = time.monotonic() + 120
        while not probe():
            if importer.poll() is not None:
                out, err = importer.communicate()
                pytest.fail(f"the import ended (exit {importer.returncode}) before it was seen mid-transaction: {out!r} {err!r}")
            assert time.monotonic() < deadline, "the import never started its transaction"
            time.sleep(0.005)
        assert importer.poll() is None
        importer.send_signal(signal.SIGKILL)
        importer.communicate(timeout=30)
    finally:
        close_probe()
        if importer.poll() is None:
            importer.kill()
            importer.wait()
    assert importer.returncode == -signal.SIGKILL

    reopened = Store(store_url)  # runs the migrations again: the store opens as before
    try:
        assert [_fields(row) for row in reopened.observations()] == before
        assert reopened.count_observations() == 3
        reopened.add_observations([_observation(dataset="after")])
        assert reopened.count_observations() == 4
        if reopened.engine.dialect.name == "sqlite":
            from sqlalchemy import text

            with reopened.engine.connect() as connection:
                assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
    finally:
        reopened.close()


# ----- fitting -------------------------------------------------------------------
def test_fit_needs_more_rows_than_coefficients(store):
    store.add_observations([_observation(n_train=n, pretrained=p) for n, p in ((1e3, True), (1e4, False), (1e5, True))])
    with pytest.raises(ValueError) as caught:
        registry.fit_and_save(store, "tiny", {}, with_paper_cases=False)
    # every observation is classification, so Type is held: four coefficients remain
    assert str(caught.value) == "observations: a fit of 4 coefficients needs more than 4 observations; got 3."
    assert store.models() == []


def test_fit_singular_design_names_pretrained(store):
    store.add_observations([
        _observation(dataset=f"d{i}", n_train=10 ** (3 + i / 2), n_classes=2 + 3 * i, metric_value=0.5 + i / 20)
        for i in range(8)
    ])  # every one pretrained
    with pytest.raises(ValueError, match="pretrained") as caught:
        registry.fit_and_save(store, "singular", {}, with_paper_cases=False)
    assert str(caught.value).startswith("observations: singular design: every observation is pretrained")


# Known coefficients of the synthetic data. The intercept is lower than Table 1's so that
# every drawn error stays below 1 and no draw has to be rejected (which would bias the fit).
TRUE = {"intercept": -1.2, "log_data": -0.07, "pretrain_log_data": -0.05, "complexity": 0.6, "segmentation": 0.6}


def _synthetic(seed: int = 20261122, n: int = 300) -> list[Observation]:
    rng = np.random.default_rng(seed)
    observations = []
    for i in range(n):
        n_train = 10 ** rng.uniform(3, 6)
        pretrained = bool(rng.integers(2))
        rc = rng.uniform(0, 1)
        segmentation = bool(rng.integers(2))
        log10_error = (TRUE["intercept"] + (TRUE["log_data"] + TRUE["pretrain_log_data"] * pretrained) * math.log10(n_train)
                       + TRUE["complexity"] * rc + TRUE["segmentation"] * segmentation + rng.normal(0, 0.05))
        observations.append(Observation(
            dataset=f"synthetic {i}", task="segmentation" if segmentation else "classification", n_train=n_train,
            relative_complexity=rc, pretrained=pretrained, metric_value=1 - 10 ** log10_error, source=f"lab {'AB'[i % 2]}",
        ))
    return observations


def test_fit_recovers_known_coefficients(store):
    store.add_observations(_synthetic())
    result = registry.fit_and_save(store, "synthetic", {}, with_paper_cases=False)
    assert result.held == {} and result.model.n == 300
    for row in result.model.table:
        assert abs(row.coef - TRUE[row.name]) < 2 * row.std_err, (row.name, row.coef, row.std_err)
        assert row.std_err < 0.05
    stored = store.error_model("synthetic")
    assert stored.coefficients == result.model.coefficients
    assert np.allclose(stored.covariance, result.model.covariance, rtol=1e-12, atol=0)
    assert math.sqrt(stored.residual_variance) == pytest.approx(0.05, rel=0.15)


def test_fit_with_held_type_is_saved(store):
    """BUG on PostgreSQL: a held coefficient's t and p are NaN, which the JSON column rejects."""
    store.add_observations(example_observations()[6:])  # the 36 VTAB rows, all classification
    result = registry.fit_and_save(store, "vtab", {}, with_paper_cases=True)
    assert result.held == {"segmentation": 0.622}
    stored = store.error_model("vtab")
    assert stored.coefficients == result.model.coefficients
    assert [row.name for row in store.models()] == ["vtab"]


# ----- validation of the published model on the shipped examples -----------------
def test_published_model_validation_on_examples(store):
    """The numbers docs/validation.md quotes: paper-2024 applied (no refit) to the six
    Table 2 cases of seed 000 and the 36 shipped VTAB ResNet-50 results."""
    assert store.add_observations(parse_observations_csv(_shipped_vtab()))
    report = registry.validate_model(store, "paper-2024")
    assert report["n"] == 42
    assert round(report["median_abs_log10_ratio"], 3) == 0.365
    assert round(report["share_within_2x"], 3) == 0.310  # 13 of 42
    direct = validation_summary(validate(example_observations(), catalog.error_model(), refit=False))
    assert direct == {key: report[key] for key in ("n", "median_abs_log10_ratio", "share_within_2x")}


def _shipped_vtab() -> str:
    from importlib import resources

    return resources.files("dlcost.catalog").joinpath("vtab_calibration.csv").read_text(encoding="utf-8")


# ----- fitted models: fit, list, use ----------------------------------------------
def test_model_fit_list_use(store, use_store):
    store.add_observations(_synthetic())
    assert store.active_model() is None  # none made active: the cost mode's default
    assert resolve_error_model().name == "dlcost-2026"
    registry.fit_and_save(store, "mine", {}, with_paper_cases=False)
    registry.fit_and_save(store, "lab A", {"source": "lab A"}, with_paper_cases=False)
    assert [row.name for row in store.models()] == ["mine", "lab A"]
    assert store.model("lab A").n == 150
    assert store.model("lab A").observation_ids == [row.id for row in store.observations({"source": "lab A"})]

    store.use_model("mine")
    assert store.active_model() == "mine"
    active = resolve_error_model()
    assert active.name == "mine"
    assert active.coefficients == store.error_model("mine").coefficients
    assert resolve_error_model("paper-2024").name == "paper-2024"

    with pytest.raises(ValueError, match=r"^model must be one of dlcost-2026, paper-2024, mine, lab A; got 'nope'\.$"):
        store.use_model("nope")
    assert store.active_model() == "mine"
    with pytest.raises(ValueError, match="published model and cannot be replaced"):
        registry.fit_and_save(store, "paper-2024", {}, with_paper_cases=False)
    store.use_model("paper-2024")
    assert resolve_error_model().name == "paper-2024"
