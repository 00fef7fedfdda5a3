"""An observation's dataset distance (issue 15) in the store, the CLI and `dlcost model fit`, on SQLite and PostgreSQL.

The field round-trips through ``observation add``, CSV export and import, and the store;
bad values are one ``Error:`` line naming it; a store at revision 0004 with data in it
upgrades in place, its rows and fingerprints unchanged; ``model fit`` tests the distance
as a covariate, and saves the test with the model. The numbers of the test itself are
checked in tests/test_covariate.py.
"""

import json
import math

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from dlcost.schemas import Observation
from dlcost.service.models import fit_and_save, saved_covariate_test
from dlcost.store import SCHEMA_REVISION, Store

HEADER = "dataset,task,n_train,rc,pretrained,metric_name,metric_value,dataset_distance\n"


def ok(result) -> str:
    code, out, err = result
    assert (code, err) == (0, ""), err
    return out


def ok_json(result):
    return json.loads(ok(result))


def _observation(**changes) -> Observation:
    values = dict(dataset="Bolts", task="classification", n_train=1000, n_classes=10, pretrained=True, metric_value=0.9)
    return Observation(**{**values, **changes})


def _synthetic_csv(beta: float, seed: int, n_datasets: int = 10, per_dataset: int = 6) -> str:
    """CSV rows drawn from eq. (1) (RC given) plus ``beta * distance``, one distance per dataset."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_datasets):
        distance, rc = rng.uniform(0, 1), rng.uniform(0, 1)
        for i in range(per_dataset):
            n_train, pretrained = 10 ** rng.uniform(2, 5), i % 2
            log10_error = -1.2 + (-0.07 - 0.05 * pretrained) * math.log10(n_train) + 0.6 * rc + beta * distance
            error = 10 ** (log10_error + rng.normal(0, 0.05))
            rows.append(f"set {d},classification,{n_train!r},{rc!r},{'yes' if pretrained else 'no'},accuracy,{1 - error!r},"
                        f"{distance!r}\n")
    return HEADER.replace(",rc,", ",relative_complexity,") + "".join(rows)


# ----- the field -----------------------------------------------------------------------
def test_the_store_keeps_the_distance(store):
    ids = store.add_observations([_observation(dataset_distance=0.125), _observation(dataset="Nuts")])
    rows = store.observations()
    assert [row.id for row in rows] == ids and [row.dataset_distance for row in rows] == [0.125, None]
    assert [row.dataset_distance for row in store.observations({"dataset_distance": "0.125"})] == [0.125]
    assert [row.dataset_distance for row in store.observation_rows()] == [0.125, None]


def test_add_list_export_import(dlcost, tmp_path):
    added = ok_json(dlcost("observation", "add", "--dataset", "Bolts", "--n-train", 1000, "--metric-value", 0.9,
                           "--classes", 10, "--dataset-distance", 0.0731, "--json"))
    assert added["dataset_distance"] == 0.0731
    ok(dlcost("observation", "add", "--dataset", "Nuts", "--n-train", 1000, "--metric-value", 0.9, "--classes", 10))
    listed = ok_json(dlcost("observation", "list", "--json"))["observations"]
    assert [o["dataset_distance"] for o in listed] == [0.0731, None]

    exported = tmp_path / "exported.csv"
    ok(dlcost("observation", "export", "--out", exported))
    header, first, second = exported.read_text(encoding="utf-8").splitlines()
    assert header.split(",")[-1] == "dataset_distance" and first.endswith(",0.0731") and second.endswith(",")
    # the same rows are already stored (the distance is part of an observation's identity, and None hashes as before)
    assert ok(dlcost("observation", "import", exported)) == f"imported 0 observations from {exported}; 2 already stored, skipped\n"
    ok(dlcost("observation", "import", exported, "--allow-duplicates"))
    after = ok_json(dlcost("observation", "list", "--json"))["observations"]
    assert [{k: v for k, v in o.items() if k != "id"} for o in after[2:]] == [{k: v for k, v in o.items() if k != "id"}
                                                                               for o in listed]
    other = tmp_path / "other.csv"
    other.write_text(exported.read_text(encoding="utf-8").replace(",0.0731", ",0.5"), encoding="utf-8")
    assert ok(dlcost("observation", "import", other)) == f"imported 1 observations from {other}; 1 already stored, skipped\n"


@pytest.mark.parametrize("value, message", [
    ("-1", "dataset_distance must be 0 or more; got -1.0."),
    ("nan", "dataset_distance must be a finite number; got nan."),
    ("inf", "dataset_distance must be a finite number; got inf."),
    ("1e400", "dataset_distance must be a finite number; got inf."),
    ("2e6", "dataset_distance must be at most 1e+06; got 2000000.0."),
])
def test_bad_distances_are_one_error_line(dlcost, tmp_path, value, message):
    added = dlcost("observation", "add", "--dataset", "Bolts", "--n-train", 1000, "--metric-value", 0.9, "--classes", 10,
                   "--dataset-distance", value)
    assert added == (2, "", f"Error: {message}\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"Bolts,classification,1000,0.5,yes,accuracy,0.9,{value}\n", encoding="utf-8")
    assert dlcost("observation", "import", bad) == (2, "", f"Error: observations file {str(bad)!r} line 2: {message}\n")
    assert ok_json(dlcost("observation", "list", "--json"))["observations"] == []


def test_a_distance_that_is_not_a_number(dlcost, tmp_path):
    code, out, err = dlcost("observation", "add", "--dataset", "Bolts", "--n-train", 1000, "--metric-value", 0.9,
                            "--classes", 10, "--dataset-distance", "far")
    assert (code, out) == (2, "") and err.startswith("Error: Invalid value for '--dataset-distance': ") and err.count("\n") == 1
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Bolts,classification,1000,0.5,yes,accuracy,0.9,far\n", encoding="utf-8")
    assert dlcost("observation", "import", bad) == (
        2, "", f"Error: observations file {str(bad)!r} line 2: dataset_distance must be a number; got 'far'.\n")


# ----- the migration -------------------------------------------------------------------
COEFFICIENTS = [{"name": name, "regressor": name, "coef": coef, "std_err": 0.01, "t": 1.0, "p": 0.5, "ci_low": coef - 0.02,
                 "ci_high": coef + 0.02} for name, coef in zip(
                     ("intercept", "log_data", "pretrain_log_data", "complexity", "segmentation"), (-0.8, -0.07, -0.05, 0.6, 0.6))]
#: The fingerprint of ``_observation()`` as the code of revision 0004 computed it (before the distance existed).
FINGERPRINT_AT_0004 = "ec5118bd976e68292decb88af41cffd0e15baeb3a3fc6d598c9f19471ec327b2"


def test_a_store_at_revision_0004_upgrades_in_place(store_url):
    from alembic import command

    from dlcost.store._opening import _alembic_config

    engine = create_engine(store_url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        connection.execute(text(
            "INSERT INTO observations (dataset, task, n_train, n_classes, pretrained, metric_name, metric_value, source, notes,"
            " created_at, fingerprint) VALUES ('Bolts', 'classification', 1000, 10, true, 'accuracy', 0.9, '', '',"
            " '2026-11-01 00:00:00', :fingerprint)"), {"fingerprint": FINGERPRINT_AT_0004})
        connection.execute(text(
            "INSERT INTO fitted_models (name, coefficients, covariance, r2, n, residual_variance, df_resid, observation_ids,"
            " selection, with_paper_cases, created_at) VALUES ('old', :coefficients, :covariance, 0.5, 40, 0.01, 35, '[1]',"
            " '{}', false, '2026-11-01 00:00:00')"),
            {"coefficients": json.dumps(COEFFICIENTS), "covariance": json.dumps([[0.0001] * 5] * 5)})
    engine.dispose()

    store = Store(store_url)
    try:
        with store.engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == SCHEMA_REVISION == "0005"
        (row,) = store.observations()
        assert (row.dataset, row.n_train, row.dataset_distance, row.fingerprint) == ("Bolts", 1000.0, None, FINGERPRINT_AT_0004)
        assert store.import_observations([_observation()]) == ([], 1)  # its stored fingerprint still matches
        assert len(store.import_observations([_observation(dataset_distance=0.2)])[0]) == 1  # with a distance: another one
        assert store.error_model("old").coefficients.log_data == -0.07
        assert store.model("old").covariate_test is None and saved_covariate_test(store, "old") is None
    finally:
        store.close()


# ----- model fit -----------------------------------------------------------------------
def test_model_fit_reports_a_distance_that_matters(dlcost, tmp_path):
    path = tmp_path / "strong.csv"
    path.write_text(_synthetic_csv(beta=0.5, seed=20261201), encoding="utf-8")
    ok(dlcost("observation", "import", path))
    fitted = ok_json(dlcost("model", "fit", "strong", "--json"))
    test = fitted["covariate_test"]
    assert test["tested"] and test["significant"] and test["p"] < 1e-3 and (test["n"], test["n_datasets"]) == (60, 10)
    assert test["ci_low"] < 0.5 < test["ci_high"]
    assert [c["name"] for c in fitted["coefficients"]] == ["intercept", "log_data", "pretrain_log_data", "complexity",
                                                          "segmentation"]  # the model itself is eq. (1)
    shown = ok_json(dlcost("model", "show", "strong", "--json"))
    assert shown["covariate_test"] == test and shown["coefficients"][0]["coef"] == fitted["coefficients"][0]["coef"]
    printed = " ".join(ok(dlcost("model", "show", "strong")).split())  # the table's lines wrap where the terminal ends
    assert "Covariate test: dataset distance" in printed and "significant at 0.05" in printed
    assert "not significant" not in printed


def test_model_fit_reports_a_distance_that_is_noise(dlcost, tmp_path):
    path = tmp_path / "noise.csv"
    path.write_text(_synthetic_csv(beta=0.0, seed=20261201), encoding="utf-8")
    ok(dlcost("observation", "import", path))
    test = ok_json(dlcost("model", "fit", "noise", "--json"))["covariate_test"]
    assert test["tested"] and not test["significant"] and test["p"] > 0.2
    printed = " ".join(ok(dlcost("model", "fit", "noise")).split())
    assert "not significant at 0.05" in printed and "The saved model is eq. (1) without it" in printed


def test_too_few_distances_is_a_note_and_no_failure(store):
    store.add_observations([_observation(dataset=f"d{i % 3}", n_train=10 ** (2 + i / 3), n_classes=2 + 5 * i,
                                         pretrained=bool(i % 2), metric_value=0.5 + i / 30) for i in range(10)])
    store.add_observations([_observation(dataset=f"d{i}", n_train=500 * (i + 1), pretrained=bool(i % 2),
                                         metric_value=0.6 + i / 20, dataset_distance=0.1 * i) for i in range(5)])
    result = fit_and_save(store, "few", {}, with_paper_cases=False)
    assert result.model.n == 15 and not result.covariate_test["tested"]
    assert result.notes[-1] == ("dataset_distance not tested as a covariate: 5 fitted observations have a dataset_distance, "
                                "from 5 datasets; the test needs at least 8 from at least 5 datasets; the fit is eq. (1) "
                                "without it")
    assert store.model("few").covariate_test == result.covariate_test


def test_no_distance_adds_no_note(store):
    store.add_observations([_observation(dataset=f"d{i % 3}", n_train=10 ** (2 + i / 3), n_classes=2 + 5 * i,
                                         pretrained=bool(i % 2), metric_value=0.5 + i / 30) for i in range(10)])
    result = fit_and_save(store, "plain", {}, with_paper_cases=False)
    assert result.notes == ["every observation is classification: Type held at the published 0.622 (Table 1)"]
    assert result.covariate_test["reason"] == "no fitted observation has a dataset_distance"
    assert result.to_dict()["covariate_test"] == store.model("plain").covariate_test
