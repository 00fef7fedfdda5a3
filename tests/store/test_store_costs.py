"""Cost that must not grow with the store (issue 11), on SQLite and on PostgreSQL.

The interval calibration is computed once per change of the observations and saved; an
estimate reads a version value and the saved row, however many observations there are.
Imports go in chunks, one transaction; deletes take ids or filters. Nothing is mocked
but the (slow) calibration arithmetic, whose calls are counted.
"""

import hashlib
import json
import random
import time
from unittest import mock

import pytest

from dlcost.catalog.hardware import load_hardware
from dlcost.engine import uncertainty
from dlcost.engine.refit import example_observations
from dlcost.iotools.observations_csv import parse_observations_csv
from dlcost.schemas import Observation, Scenario
from dlcost.service import observations as importing
from dlcost.service import workspace as workspace_module
from dlcost.service.workspace import Workspace
from dlcost.store import Store
from dlcost.store._fingerprint import ADDED_FIELDS, FINGERPRINT_FIELDS, observation_fingerprint, observation_fingerprints

SCENARIO = Scenario.model_validate({"target_accuracy": 0.9, "data_max": 100_000, "cost_per_datapoint": 0.5, "classes": 10})
HEADER = "dataset,task,n_train,n_classes,pretrained,metric_name,metric_value,notes\n"


def _observation(**changes) -> Observation:
    values = dict(dataset="Bolts", task="classification", n_train=1000, n_classes=10, pretrained=True,
                  metric_name="accuracy", metric_value=0.9)
    return Observation(**{**values, **changes})


def _many(count: int, start: int = 0) -> list[Observation]:
    """``count`` distinct observations, built without re-validating each (they are valid by construction)."""
    return [Observation.model_construct(
        dataset=f"synthetic {i % 20}", task="classification", n_train=1000.0 + i, n_classes=2 + i % 50, class_counts=None,
        relative_complexity=None, pretrained=bool(i % 2), architecture="ResNet-50", epochs=None, metric_name="accuracy",
        metric_value=0.5 + (i % 400) / 1000, gpu_hours=None, cost_usd=None, source="bench", observed_on=None, notes="",
    ) for i in range(start, start + count)]


@pytest.fixture
def counted():
    """``dlcost.engine.uncertainty.calibrate``, wrapped: calibrations on the store's observations are counted."""
    with mock.patch.object(uncertainty, "calibrate", wraps=uncertainty.calibrate) as wrapped:
        yield lambda: sum(1 for call in wrapped.call_args_list if str(call.kwargs.get("source", "")).startswith("the store's"))


def _new_process(store_url: str) -> Workspace:
    """A Workspace as a new process has it: the in-memory calibrations forgotten."""
    workspace_module._CALIBRATIONS.clear()
    return Workspace(load_hardware(), store=Store(store_url))


# ----- calibration: once per change ------------------------------------------------
def test_calibration_is_computed_once_per_change(store, store_url, counted):
    store.use_model("paper-2024")  # the store's observations calibrate eq. (1) models; dlcost-2026 carries its own spread
    store.add_observations(example_observations())
    workspace = Workspace(load_hardware(), store=store)
    first = workspace.estimate(SCENARIO)
    assert counted() == 1
    assert first.to_dict()["interval"]["calibration"] == "the store's 42 observations"
    assert workspace.estimate(SCENARIO) == first
    assert counted() == 1

    other = _new_process(store_url)  # the saved calibration, not a recomputation
    assert other.estimate(SCENARIO).to_dict() == first.to_dict()
    assert counted() == 1
    other.close()

    store.add_observations([_observation(dataset="Nuts", n_train=5000, metric_value=0.8)])
    assert workspace.estimate(SCENARIO).to_dict()["interval"]["calibration"] == "the store's 43 observations"
    assert counted() == 2
    workspace.estimate(SCENARIO)
    assert counted() == 2

    assert store.delete_observations(filters={"dataset": "Nuts"}) == 1
    assert workspace.estimate(SCENARIO).to_dict() == first.to_dict()
    assert counted() == 3

    assert store.delete_observations(filters={"dataset": "no such dataset"}) == 0  # no change, no recalibration
    workspace.estimate(SCENARIO)
    assert counted() == 3


def test_a_failed_import_keeps_the_version(store):
    store.add_observations([_observation()])
    version = store.observations_version()
    with pytest.raises(ValueError):
        importing.import_observations_csv(store, HEADER + "Bolts,classification,0,10,yes,accuracy,0.9,\n")
    assert store.observations_version() == version
    importing.import_observations_csv(store, HEADER + "Bolts,classification,1000,10,yes,accuracy,0.9,\n")  # a duplicate
    assert store.observations_version() == version
    store.add_observations([_observation(n_train=2000)])
    assert store.observations_version() != version


def test_estimate_latency_does_not_grow_with_the_store(store, store_url):
    def canned(model, observations, level, method="conformal", refit=None, source=""):
        return uncertainty.Calibration(level, method, -0.1, 0.3, len(observations), 20, source, model)

    store.use_model("paper-2024")  # an eq. (1) model: the store's observations calibrate it
    workspace = Workspace(load_hardware(), store=store)
    workspace.estimate(SCENARIO)
    empty = _best_of(workspace, 5)
    store.add_observations(_many(50_000))
    assert store.count_observations() == 50_000
    with mock.patch.object(uncertainty, "calibrate", side_effect=canned) as calibrate:
        assert workspace.estimate(SCENARIO).to_dict()["interval"]["calibration"] == "the store's 50000 observations"
        steady = _best_of(workspace, 5)
        fresh = _new_process(store_url)
        start = time.perf_counter()
        fresh.estimate(SCENARIO)
        new_process = time.perf_counter() - start
        fresh.close()
    assert calibrate.call_count == 1
    assert steady < 0.1 and new_process < 0.1, (empty, steady, new_process)


def _best_of(workspace: Workspace, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        workspace.estimate(SCENARIO)
        times.append(time.perf_counter() - start)
    return min(times)


# ----- imports in chunks -------------------------------------------------------------
def _rows(count: int) -> str:
    """Rows with a quoted note spanning two lines every third row, so chunks must respect records."""
    return "".join(f'Bolts {i % 7},classification,{1000 + i},10,yes,accuracy,0.9,"a note\nover two lines"\n' if i % 3 == 0
                   else f"Bolts {i % 7},classification,{1000 + i},10,no,accuracy,0.8,plain\n" for i in range(count))


def test_chunked_import_is_all_or_nothing(store, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_CHARACTERS", 2_000)
    store.add_observations([_observation(dataset="kept")])
    text = HEADER + _rows(600) + "Bolts,classification,1000,10,yes,accuracy,150,last\n"  # bad last row
    assert len(list(importing._pieces(text, 2_000))) > 10
    with pytest.raises(ValueError) as expected:
        parse_observations_csv(text)
    with pytest.raises(ValueError) as caught:
        importing.import_observations_csv(store, text)
    assert str(caught.value) == str(expected.value)
    assert str(caught.value).startswith("line 802: metric_value ")
    assert caught.value.line == 802
    assert [row.dataset for row in store.observations()] == ["kept"]


def test_chunked_import_matches_one_parse_and_skips_duplicates_across_chunks(store, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_CHARACTERS", 2_000)
    text = HEADER + _rows(300)
    text += text.split("\n", 1)[1][:200].rsplit("plain\n", 1)[0] + "plain\n"  # rows of the first chunk again, at the end
    answer = importing.import_observations_csv(store, text)
    expected = parse_observations_csv(text)
    unique = list({observation_fingerprint(o.model_dump()): o for o in expected}.values())
    assert answer["imported"] == len(unique) == 300 and answer["skipped_duplicates"] == len(expected) - 300 >= 3
    assert [{f: getattr(row, f) for f in Observation.model_fields} for row in store.observations()] == [o.model_dump() for o in unique]
    assert answer["ids"] == [row.id for row in store.observations()]
    again = importing.import_observations_csv(store, text)
    assert (again["imported"], again["skipped_duplicates"]) == (0, len(expected))


def test_fingerprint_is_json_of_canonical_fields():
    """The fast fingerprint equals its definition (so fingerprints stored before it still match)."""
    def canonical(value):
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float):
            return repr(float(value))
        if isinstance(value, list | tuple):
            return [canonical(item) for item in value]
        return str(value)

    def definition(record):  # a field added later (ADDED_FIELDS) only when given, so older fingerprints still match
        fields = {field: canonical(record.get(field)) for field in FINGERPRINT_FIELDS
                  if field not in ADDED_FIELDS or record.get(field) is not None}
        fields["source"] = fields["source"] or ""
        fields["notes"] = fields["notes"] or ""
        return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    values = [None, True, False, 0, 1, 2.5, -0.0, float("nan"), float("inf"), 10**20, "", "a\"b\\c\n\t\x01é€😀\u2028",
              [], [1, 2.5], (3,), [[1], [None, "x"]]]
    chooser = random.Random(20261201)
    for _ in range(3000):
        record = {field: chooser.choice(values) for field in FINGERPRINT_FIELDS if chooser.random() < 0.9}
        assert observation_fingerprint(record) == definition(record), record
    # the column-wise form of a chunk, on mixed chunks and on chunks of one kind per field
    for size in (1, 7, 40):
        mixed = [{field: chooser.choice(values) for field in FINGERPRINT_FIELDS} for _ in range(size)]
        kinds = [{field: chooser.choice([None, values[i % len(values)]]) for field in FINGERPRINT_FIELDS} for i in range(size)]
        for chunk in (mixed, kinds, [_observation().model_dump()] * size):
            assert observation_fingerprints(chunk) == [definition(record) for record in chunk]
    assert observation_fingerprint(_observation().model_dump()) == definition(_observation().model_dump())


# ----- deletes and counts -------------------------------------------------------------
def test_delete_observations_by_ids_and_by_filter(store):
    ids = store.add_observations([
        _observation(dataset="Bolts", n_train=1000), _observation(dataset="Bolts", n_train=2000, pretrained=False),
        _observation(dataset="Nuts", n_train=1000), _observation(dataset="Nuts", n_train=2000, pretrained=False),
        _observation(dataset="Screws", n_train=1000),
    ])
    assert store.count_observations({"dataset": "Nuts"}) == 2
    assert store.count_observations({"pretrained": "no"}) == 2
    assert store.delete_observations(ids=[ids[0], ids[4], 999_999]) == 2  # an unknown id is not counted
    assert [row.n_train for row in store.observations({"dataset": "Bolts"})] == [2000]
    assert store.delete_observations(ids=[ids[2], ids[3]], filters={"pretrained": "no"}) == 1  # both must match
    assert [row.id for row in store.observations()] == [ids[1], ids[2]]
    assert store.delete_observations(filters={"dataset": "Bolts"}) == 1
    assert store.count_observations() == 1

    with pytest.raises(ValueError, match=r"observations filter field must be one of .*; got 'colour'\."):
        store.delete_observations(filters={"colour": "red"})
    with pytest.raises(ValueError, match=r"ids must be whole numbers \(observation ids\); got '7'\."):
        store.delete_observations(ids=["7"])
    with pytest.raises(ValueError, match=r"give ids or filters"):
        store.delete_observations()
    assert store.count_observations() == 1
    assert store.delete_observations(filters={}) == 1  # {} matches every observation, as in observations({})
    assert store.count_observations() == 0


def test_delete_many_ids_in_one_transaction(store):
    ids = store.add_observations(_many(2_000))
    assert store.delete_observations(ids=ids[::2]) == 1_000
    assert [row.id for row in store.observations()] == ids[1::2]


def test_the_server_knows_which_answers_need_the_store(store):
    """``Workspace.resolved``: the web answers on its event loop only what needs no store read (no recalibration)."""
    from dlcost.catalog.hardware import load_hardware
    from dlcost.service.workspace import Workspace

    assert Workspace(load_hardware()).resolved(None, 0.8, "conformal")  # no store at all: nothing to read
    workspace = Workspace(load_hardware(), store=store, cache_seconds=60)
    assert not workspace.resolved(None, 0.8, "conformal")
    workspace.resolve(None, 0.8, "conformal")
    assert workspace.resolved(None, 0.8, "conformal") and not workspace.resolved(None, 0.9, "conformal")
    workspace.invalidate()  # after a write
    assert not workspace.resolved(None, 0.8, "conformal")
    assert not Workspace(load_hardware(), store=store).resolved(None, 0.8, "conformal")  # cache_seconds=0: every answer reads
