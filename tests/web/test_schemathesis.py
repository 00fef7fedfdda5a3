"""Schemathesis against the app's own OpenAPI document (in-process, ASGI), with every check.

Every operation of /openapi.json is called with generated valid and invalid
inputs; each answer must not be a server error and must match the document:
documented status code, content type, headers and response schema; invalid data
rejected, schema-valid data accepted, an undeclared method answered 405 with
``Allow``. The hardware catalog is the shipped one and the store a fresh file, so a
developer's files never change the run. Bounded: 25 examples per operation;
benchmarks/run_schemathesis_long.py runs every phase for 5 minutes.

Schema-valid data may still answer 422: the Scenario's rules across fields
(``classes`` or ``class_counts``; data_max at least data_present), increasing pilot
sizes and the store's content (a fit needs observations, a comparison saved
scenarios) are not JSON Schema. Every such 422 names its field, and
``positive_data_acceptance`` still fails on any other refusal (405, 413, 415, 421).
"""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import CacheConfig, SchemathesisConfig

from dlcost.catalog.hardware import load_hardware
from dlcost.store import Store
from dlcost.web.app import create_app

#: positive_data_acceptance's default statuses, and 422 for the rules JSON Schema cannot state.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]


def schemathesis_config(**options) -> SchemathesisConfig:
    """Every check; schema-valid data may answer 422 (see the module docstring); no cache folder."""
    config = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
                                           **options})
    config.cache = CacheConfig(enabled=False)
    return config  # every check is on by default (max_response_time needs a limit: none is set)


def fresh_app():
    """The app on a fresh store (the generated writes land there) and the shipped hardware catalog."""
    store = Store(f"sqlite:///{Path(tempfile.mkdtemp(prefix='dlcost-schemathesis-')) / 'store.sqlite3'}")
    return create_app(hardware=load_hardware(), store=store, allowed_hosts=["testserver"])  # schemathesis's ASGI host name


app = fresh_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=schemathesis_config())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case):
    case.call_and_validate()  # every check the configuration enables: all of them


def test_every_check_runs():
    """``--checks all``: each of schemathesis's 14 checks, on every operation."""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    names = set(CHECKS.get_all_names())
    assert len(names) >= 14 and all(schema.config.checks.get_by_name(name=name).enabled for name in names)


#: Figure 2 of seed 000 in the URL: a download's 200 answer, whatever the generated cases reach.
FIGURE_2_QUERY = {
    "target_accuracy": "96.5%", "data_max": "200000", "cost_per_datapoint": "0.63",
    "class_counts": "50000,1000", "cost_mode": "paper",
}


@pytest.fixture(scope="module")
def published_schema():
    """A schema of an app whose store no generated write has touched: estimates use paper-2024."""
    return schemathesis.openapi.from_asgi("/openapi.json", fresh_app(), config=schemathesis_config())


@pytest.mark.parametrize("path", ["/estimate.json", "/estimate.csv", "/report.md", "/report.html"])
def test_download_answers_conform(published_schema, path):
    case = published_schema[path]["GET"].Case()
    response = case.call(params=FIGURE_2_QUERY)
    assert response.status_code == 200
    case.validate_response(response)


@pytest.mark.parametrize("path", ["/estimate.json", "/report.md"])
def test_downloads_declare_the_scenario_query(path):
    """Generated clients see every field the query codec decodes, with the Scenario's bounds."""
    from dlcost.web.query import FIELDS

    operation = app.openapi()["paths"][path]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert tuple(parameters) == FIELDS
    assert all(parameter["in"] == "query" for parameter in parameters.values())
    assert {name for name, parameter in parameters.items() if parameter["required"]} == {
        "target_accuracy", "data_max", "cost_per_datapoint"}
    assert parameters["target_accuracy"]["schema"] == {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}
    counts = parameters["class_counts"]
    assert counts["schema"]["type"] == "array" and counts["style"] == "form" and counts["explode"] is False
    assert counts["schema"]["anyOf"] == [{"minItems": 2}, {"maxItems": 0}]  # 2 or more; empty: left out
    empty = {"type": "string", "maxLength": 0}  # an empty optional parameter is left out
    assert parameters["classes"]["schema"] == {"anyOf": [{"type": "integer", "minimum": 2, "maximum": 100000}, empty]}
    assert parameters["gpu"]["schema"] == {"anyOf": [{"type": "string", "minLength": 1, "maxLength": 200}, empty],
                                           "default": "H100"}
    assert "exactly one of classes, class_counts" in operation["description"]
