"""Issue 11, security: no open door on the served address (Host, Origin, body types, token, headers)."""

import pytest
from fastapi.testclient import TestClient

from dlcost.catalog.hardware import load_hardware
from dlcost.store import Store
from dlcost.web.app import create_app
from dlcost.web.middleware import allowed_hosts_for

OBSERVATION = {"dataset": "parts", "task": "classification", "n_train": 4000, "n_classes": 5, "pretrained": True,
               "metric_value": 0.97}
CSV_ROW = "dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\nx,classification,1000,5,yes,accuracy,0.9\n"


@pytest.fixture
def store(tmp_path):
    opened = Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield opened
    opened.close()


def client_for(store, **options):
    return TestClient(create_app(hardware=load_hardware(), store=store, **options), base_url="http://127.0.0.1:8000",
                      raise_server_exceptions=False)


def refused(response, status: int, field: str) -> bool:
    assert response.status_code == status, response.text
    (problem,) = response.json()["detail"]
    return problem["field"] == field and problem["loc"] == ["header", field]


def test_the_empty_host_is_every_interface_and_needs_a_token(store):
    with pytest.raises(ValueError, match=r"write_token is required .* \(an empty host binds every interface\)") as error:
        create_app(host="", hardware=load_hardware(), store=store)
    assert error.value.field == "host"
    assert allowed_hosts_for("") is None and allowed_hosts_for("0.0.0.0") is None and allowed_hosts_for("::") is None
    assert create_app(host="", write_token="a-secret-of-16+chars", hardware=load_hardware(), store=store) is not None


def test_an_empty_token_is_refused(store):
    with pytest.raises(ValueError, match="^token must not be empty") as error:
        create_app(host="0.0.0.0", write_token="  ", hardware=load_hardware(), store=store)
    assert error.value.field == "token"


def test_a_host_that_is_not_the_served_address_is_refused(store):
    """DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends Host: evil.example."""
    client = client_for(store)
    assert refused(client.get("/", headers={"host": "evil.example"}), 421, "host")
    assert refused(client.post("/api/estimate", json={}, headers={"host": "evil.example:8000"}), 421, "host")
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "localhost"):
        assert client.get("/api/architectures", headers={"host": host}).status_code == 200, host


def test_a_write_from_another_origin_is_refused(store):
    client = client_for(store)
    assert refused(client.post("/api/observations", json=OBSERVATION, headers={"origin": "http://evil.example"}), 403, "origin")
    assert refused(client.post("/api/observations", json=OBSERVATION, headers={"origin": "http://127.0.0.1:9999"}), 403, "origin")
    assert refused(client.delete("/api/scenarios/x", headers={"origin": "null"}), 403, "origin")
    assert store.count_observations() == 0
    same = client.post("/api/observations", json=OBSERVATION, headers={"origin": "http://127.0.0.1:8000"})
    assert same.status_code == 200 and store.count_observations() == 1


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_a_post_a_form_could_send_is_refused(store, content_type):
    """Bodies another site's page can post without a CORS preflight never reach a write."""
    client = client_for(store)
    headers = {} if content_type is None else {"content-type": content_type}
    assert refused(client.post("/api/observations/import", content=CSV_ROW.encode(), headers=headers), 415, "content-type")
    assert refused(client.post("/api/models/paper-2024/use", headers=headers), 415, "content-type")
    assert store.count_observations() == 0
    assert client.post("/api/observations/import", content=CSV_ROW.encode(), headers={"content-type": "text/csv"}).status_code == 200


def test_the_token_is_compared_as_bytes_and_refusals_are_problem_lists(store):
    client = client_for(store, host="0.0.0.0", write_token="s3cret-token-0123")
    for value in ("Bearer s3crét-token", "Bearer \u00ff\u00fe", "Bearer ", "Basic s3cret-token-0123"):
        answer = client.post("/api/observations", json=OBSERVATION, headers={"authorization": value.encode("utf-8")})
        assert refused_401(answer), value
    assert client.post("/api/observations", json=OBSERVATION, headers={"authorization": "Bearer s3cret-token-0123"}).status_code == 200


def refused_401(response) -> bool:
    assert response.status_code == 401, response.text
    (problem,) = response.json()["detail"]
    return problem["field"] == "authorization" and problem["loc"] == ["header", "authorization"]


@pytest.mark.parametrize("path", ["/", "/scenarios", "/api/architectures", "/static/app.js", "/docs", "/estimate.json?x=1"])
def test_every_answer_is_marked(store, path):
    answer = client_for(store).get(path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    script = policy.split("script-src ", 1)[1].split(";", 1)[0]
    assert script == ("'self' 'unsafe-inline'" if path == "/docs" else "'self'")


def test_options_lists_the_methods_a_path_takes(store):
    client = client_for(store)
    assert client.options("/api/scenarios").headers["allow"] == "GET, OPTIONS, POST"
    assert client.options("/api/scenarios/fig2").headers["allow"] == "DELETE, GET, OPTIONS"
    assert client.options("/api/estimate").status_code == 204
    assert client.options("/not-a-page").status_code == 404


def test_a_store_of_a_newer_dlcost_is_an_outage_with_one_line(tmp_path, monkeypatch):
    """A store migrated by a newer dlcost: one line naming the database, 503 on the web (it was a 500)."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    Store(url).close()
    with sqlite3.connect(tmp_path / "store.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(ValueError, match=r"has schema revision '9999', newer than this dlcost knows \('0005'\); upgrade dlcost, or point DLCOST_DATABASE_URL at another database\.$") as error:
        Store(url)
    assert error.value.field == "database"
    monkeypatch.setenv("DLCOST_DATABASE_URL", url)
    client = TestClient(create_app(hardware=load_hardware()), base_url="http://127.0.0.1:8000", raise_server_exceptions=False)
    answer = client.post("/api/estimate", json={"target_accuracy": 0.9, "data_max": 1e5, "cost_per_datapoint": 1, "classes": 10})
    assert answer.status_code == 503, answer.text
    assert answer.json()["detail"][0]["field"] == "database"
