"""Schemathesis against the app's own OpenAPI document (in-process, ASGI).

Every operation of /openapi.json is called with generated valid and invalid
inputs; each answer must not be a server error and must match the document:
documented status code, content type, headers and response schema. The hardware
catalog is the shipped one, so a developer's config never changes the run.
Bounded: 25 examples per operation.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dlcost.catalog.hardware import load_hardware
from dlcost.web.app import create_app

app = create_app(hardware=load_hardware(), allowed_hosts=["testserver"])  # schemathesis's ASGI host name
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case):
    case.call_and_validate(checks=CHECKS)


# The downloads read the scenario from the URL query, which the document does not
# declare, so generated cases never reach their 200 answer: call them with Figure 2.
FIGURE_2_QUERY = {
    "target_accuracy": "96.5%", "data_max": "200000", "cost_per_datapoint": "0.63",
    "class_counts": "50000,1000", "cost_mode": "paper",
}


@pytest.mark.parametrize("path", ["/estimate.json", "/estimate.csv", "/report.md", "/report.html"])
def test_download_answers_conform(path):
    case = schema[path]["GET"].Case()
    response = case.call(params=FIGURE_2_QUERY)
    assert response.status_code == 200
    case.validate_response(response, checks=CHECKS)
