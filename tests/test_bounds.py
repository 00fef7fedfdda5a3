"""Issue 11, hardening: no crash and no absurd number, whatever the input.

Each case runs through the library, the CLI (``dlcost.cli.main``) and the web API
(in-process). A bad input is an ``InputError`` naming its field, ``Error: ...`` with
exit 2, or a 422 naming the field; never an OverflowError, a RecursionError or a 500.
The property tests draw inputs across the ranges ``/openapi.json`` declares and check
that every number of every answer is finite and in its range, each point inside its
interval; ``test_declared_bounds_are_the_enforced_ones`` checks that those declared
ranges are exactly what the validators accept.
"""

import math

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import dlcost
from dlcost import catalog
from dlcost.catalog.hardware import load_hardware
from dlcost.cli import main
from dlcost.core.checks import InputError
from dlcost.engine.refit import example_observations, fit_error_model
from dlcost.schemas import ErrorQuery, LearningCurveQuery, Observation, PilotPoint, Scenario
from dlcost.schemas.errors import first_message, input_problems
from dlcost.web.app import create_app
from dlcost.web.query import decode_link, decode_query

HARDWARE = load_hardware()
FITTED = fit_error_model(example_observations(), "refit").model  # a model with an OLS interval
CLIENT = TestClient(create_app(hardware=HARDWARE), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")
BASE = {"target_accuracy": 0.9, "data_max": 200_000, "cost_per_datapoint": 0.63, "classes": 2, "cost_mode": "paper"}
CLI_BASE = ["estimate", "--target-accuracy", "0.9", "--data-max", "200000", "--cost-per-datapoint", "0.63", "--cost-mode", "paper"]
HUGE = 10**400
HUGE_TEXT = "1" + "0" * 400
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


def message_of(call) -> tuple[str, str]:
    """The (field, one-line message) a bad input raises."""
    with pytest.raises(ValueError) as info:
        call()
    return input_problems(info.value)[0]["field"], first_message(info.value)


def cli(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def rejected(response, field: str) -> str:
    """The message of a 422 that names ``field``."""
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["field"] == field, problem
    return problem["msg"]


# ----- integers of hundreds of digits --------------------------------------------------
@pytest.mark.parametrize("model, values, field", [
    (Scenario, {**BASE, "data_max": HUGE}, "data_max"),
    (Scenario, {**BASE, "classes": HUGE}, "classes"),
    (Scenario, {**BASE, "gpus": HUGE}, "gpus"),
    (Scenario, {**BASE, "top": -HUGE}, "top"),
    (Scenario, {**BASE, "target_accuracy": HUGE}, "target_accuracy"),
    (Scenario, {**BASE, "classes": None, "class_counts": [1, HUGE]}, "class_counts"),
    (ErrorQuery, {"data": HUGE, "classes": 2}, "data"),
    (LearningCurveQuery, {"points": [[HUGE, 0.2]], "target_accuracy": 0.9}, "points"),
    (Observation, {"dataset": "d", "task": "classification", "n_train": HUGE, "n_classes": 2, "pretrained": True,
                   "metric_value": 0.9}, "n_train"),
])
def test_huge_integers_are_not_finite_numbers(model, values, field):
    name, message = message_of(lambda: model(**values))
    assert name == field
    assert message.endswith("must be a finite number; got an integer of 401 digits.")


def test_huge_integers_cli_api_and_links(capsys):
    assert cli(capsys, *CLI_BASE, "--classes", HUGE_TEXT) == (2, "Error: classes must be a finite number; got an integer of 401 digits.\n")
    code, text = cli(capsys, *CLI_BASE, "--classes", "2", "--data-max", HUGE_TEXT)
    assert (code, text) == (2, "Error: data_max must be a finite number; got inf.\n")
    assert "401 digits" in rejected(CLIENT.post("/api/estimate", json={**BASE, "data_max": HUGE}), "data_max")
    body = '{"target_accuracy": 0.9, "data_max": 1000, "cost_per_datapoint": 1, "gpus": 1%s, "classes": 2}' % ("0" * 5000)
    assert CLIENT.post("/api/estimate", content=body, headers={"content-type": "application/json"}).status_code == 422
    link = "/estimate.json?target_accuracy=0.9&data_max=1000&cost_per_datapoint=1&classes=" + HUGE_TEXT
    assert "401 digits" in rejected(CLIENT.get(link), "classes")


# ----- deeply nested JSON in a query value --------------------------------------------
def test_deeply_nested_counts_in_a_link_are_an_input_error():
    deep = "[" * 10_000 + "]" * 10_000
    with pytest.raises(InputError) as info:
        decode_query({"class_counts": deep})
    assert info.value.field == "class_counts" and "(20,000 characters)" in str(info.value)
    with pytest.raises(InputError):
        decode_link("/?baseline_class_counts=%5B1" + "0" * 5000 + "%5D")  # an integer Python will not parse
    link = "/estimate.json?target_accuracy=0.9&data_max=1000&cost_per_datapoint=1&class_counts=" + deep
    rejected(CLIENT.get(link), "class_counts")
    body = '{"target_accuracy": 0.9, "data_max": 1000, "cost_per_datapoint": 1, "class_counts": %s}' % deep
    assert CLIENT.post("/api/estimate", content=body, headers={"content-type": "application/json"}).status_code == 422


# ----- a near-degenerate baseline -----------------------------------------------------
NEAR_ONE_CLASS = "baseline_class_counts is nearly a single class"


def test_near_single_class_baseline_is_an_input_error(capsys):
    scenario = Scenario(**{**BASE, "classes": None, "class_counts": [5, 5], "baseline_class_counts": [1, 1e-300]})
    field, message = message_of(lambda: dlcost.estimate(scenario, hardware=HARDWARE))
    assert field == "baseline_class_counts" and message.startswith(NEAR_ONE_CLASS) and "above 20" in message
    query = ErrorQuery(data=1000, classes=2, baseline_class_counts=[1, 1e-300])
    assert message_of(lambda: dlcost.predict_error(query))[1].startswith(NEAR_ONE_CLASS)
    code, text = cli(capsys, *CLI_BASE, "--class-counts", "5,5", "--baseline-class-counts", "1,1e-300")
    assert code == 2 and text.startswith(f"Error: {NEAR_ONE_CLASS}")
    body = {"data": 1000, "classes": 2, "baseline_class_counts": [1, 1e-300]}
    assert rejected(CLIENT.post("/api/predict-error", json=body), "baseline_class_counts").startswith(NEAR_ONE_CLASS)
    # An underflowing share counts 0 log 0 = 0: an entropy of 0, not nan.
    underflow = ErrorQuery(data=1000, classes=2, baseline_class_counts=[1, 5e-324])
    assert message_of(lambda: dlcost.predict_error(underflow))[0] == "baseline_class_counts"


# ----- every factor has a bound -------------------------------------------------------
@pytest.mark.parametrize("model, values, message", [
    (Scenario, {**BASE, "pue": 1e308}, "pue must be at most 10; got 1e+308."),
    (Scenario, {**BASE, "top": 10**6}, "top must be at most 100; got 1000000."),
    (Scenario, {**BASE, "classes": None, "class_counts": [1, 1e308]}, "class_counts[1] must be at most 1e+12; got 1e+308."),
    (Scenario, {**BASE, "pilot_points": [[1000, 0.2]], "data_max": 500},
     "data_max must be at least the largest pilot subset (1000); got 500."),
    (ErrorQuery, {"data": 1000, "relative_complexity": 21}, "relative_complexity must be at most 20; got 21.0."),
    (LearningCurveQuery, {"points": [[1e16, 0.2]], "target_accuracy": 0.9}, "points[0].n_train must be at most 1e+12; got 1e+16."),
    (LearningCurveQuery, {"points": [[0.5, 0.2]], "target_accuracy": 0.9},
     "points[0].n_train must be at least 1 (a subset of whole images); got 0.5."),
    (LearningCurveQuery, {"points": [[100, 5e-324]], "target_accuracy": 0.9},
     "points[0].error must be at least 1e-12 (one wrong in 1e+12 validation images); got 5e-324."),
    (LearningCurveQuery, {"points": [[100, 0.2]], "target_accuracy": 0.9, "noise_sd_log10": 5}, "noise_sd_log10 must be in [0.0001, 1]; got 5.0."),
    (LearningCurveQuery, {"points": [[100, 0.2]], "target_accuracy": 0.9, "noise_sd_log10": 1e-200},
     "noise_sd_log10 must be in [0.0001, 1]; got 1e-200."),
    (LearningCurveQuery, {"points": [[100, 0.2]], "target_accuracy": 0.9, "predict_n_train": 1e300},
     "predict_n_train must be at most 1e+12; got 1e+300."),
])
def test_factors_are_bounded(model, values, message):
    assert message_of(lambda: model(**values))[1] == message


@pytest.mark.parametrize("field, value, message", [
    ("n_train", 1e308, "n_train must be at most 1e+12; got 1e+308."),
    ("relative_complexity", 1e3, "relative_complexity must be at most 20; got 1000.0."),
    ("epochs", 1e308, "epochs must be at most 100000; got 1e+308."),
])
def test_observations_are_bounded(field, value, message):
    values = {"dataset": "d", "task": "classification", "n_train": 1000, "pretrained": True, "metric_value": 0.9}
    values |= {field: value} if field == "relative_complexity" else {"n_classes": 2, field: value}
    assert message_of(lambda: Observation(**values))[1] == message


def test_pue_bound_cli_and_api(capsys):
    assert cli(capsys, *CLI_BASE, "--classes", "2", "--pue", "1e308") == (2, "Error: pue must be at most 10; got 1e+308.\n")
    assert rejected(CLIENT.post("/api/estimate", json={**BASE, "pue": 1e308}), "pue") == "pue must be at most 10; got 1e+308."


# ----- no output out of its range -----------------------------------------------------
CLAMPED = "It is reported as 100% error (accuracy 0%)."


def test_accuracy_is_clamped_and_flagged(capsys):
    scenario = Scenario(**{**BASE, "data_max": 1000, "classes": 100_000, "baseline_classes": 2})
    result = dlcost.estimate(scenario, hardware=HARDWARE)
    assert result.max_achievable_accuracy == 0.0 and result.accuracy_at_data_max == 0.0
    assert result.predicted_error_low <= result.predicted_error == 1.0 <= result.predicted_error_high <= 1.0
    assert any(CLAMPED in warning for warning in result.warnings)
    assert any("it needs 5.73e+83." in warning for warning in result.warnings)
    code, text = cli(capsys, *CLI_BASE, "--data-max", "1000", "--classes", "100000", "--baseline-classes", "2")
    percents = [word for word in text.split() if word.endswith("%") or word.endswith("%.")]
    assert code == 0 and "0.00%." in percents and not any(word.startswith("-") for word in percents)
    answer = CLIENT.post("/api/estimate", json={**BASE, "data_max": 1000, "classes": 100_000, "baseline_classes": 2})
    assert answer.status_code == 200 and answer.json()["max_achievable_accuracy"] == 0.0


def test_predicted_error_inside_its_interval(capsys):
    # eq. (1) exceeds 1 here and is clamped; dlcost-2026 stays below chance
    prediction = dlcost.predict_error(ErrorQuery(data=1, relative_complexity=10), model="paper-2024")
    assert (prediction.error, prediction.accuracy) == (1.0, 0.0)
    assert prediction.error_low <= prediction.error <= prediction.error_high <= 1.0
    assert any(CLAMPED in warning for warning in prediction.warnings)
    bounded = dlcost.predict_error(ErrorQuery(data=1, relative_complexity=10))
    assert bounded.model == "dlcost-2026" and 0 < bounded.error_low <= bounded.error < 1.0 and bounded.error <= bounded.error_high <= 1.0
    code, text = cli(capsys, "predict-error", "--data", "1", "--rc", "10", "--model", "paper-2024")
    assert code == 0 and "100.00% to 100.00%" in text and "-" not in text.split("Predicted accuracy")[1].split()[1]
    document = CLIENT.post("/api/predict-error", json={"data": 1, "relative_complexity": 10}).json()
    assert document["error_low"] <= document["error"] <= document["error_high"] <= 1.0


def test_narrow_level_interval_holds_its_point():
    # At a 10% level both conformal offsets are positive: the interval is widened down to the point.
    prediction = dlcost.predict_error(ErrorQuery(data=3000, relative_complexity=0.4, interval_level=0.1), model="paper-2024")
    assert prediction.error_low == prediction.error < prediction.error_high
    result = dlcost.estimate(Scenario(**BASE, interval_level=0.1), hardware=HARDWARE)
    for rec in result.recommendations:
        assert rec.data_needed_low <= rec.data_needed <= rec.data_needed_high
        assert rec.total_cost_low <= rec.total_cost <= rec.total_cost_high


def test_a_tiny_target_needs_at_least_one_image():
    result = dlcost.estimate(Scenario(**{**BASE, "target_accuracy": 0.01}), hardware=HARDWARE)
    assert result.data_needed == 1.0 and result.recommendations[0].data_needed_low == 1.0


# ----- booleans are not numbers; names are not empty ----------------------------------
DEFAULT = " Leave it out for the default."


@pytest.mark.parametrize("body, field, message", [
    ({**BASE, "cost_per_datapoint": True}, "cost_per_datapoint", "cost_per_datapoint must be a number; got True."),
    ({**BASE, "classes": True}, "classes", "classes must be a number; got True."),
    ({**BASE, "classes": None, "class_counts": [True, 5]}, "class_counts", "class_counts[0] must be a number; got True."),
    ({**BASE, "classes": None, "class_counts": {"a": 1, "b": False}}, "class_counts", "class_counts['b'] must be a number; got False."),
    ({**BASE, "pilot_points": [[100, True]]}, "pilot_points", "error must be a number; got True."),
    ({**BASE, "pretrained": 0}, "pretrained", "pretrained must be true or false; got 0."),
    ({**BASE, "gpu": ""}, "gpu", "gpu must name an accelerator (`dlcost hardware` lists them); got ''." + DEFAULT),
    ({**BASE, "provider": ""}, "provider", "provider must name a cloud provider (`dlcost hardware` lists them); got ''." + DEFAULT),
    ({**BASE, "country": ""}, "country", "country must name a country by its ISO 3166 alpha-3 code, such as USA; got ''." + DEFAULT),
    ({**BASE, "region": ""}, "region", "region must name a cloud region as PROVIDER:REGION, such as aws:us-east-1; got ''." + DEFAULT),
    ({**BASE, "architectures": [""]}, "architectures",
     "architectures[0] must name an architecture (`dlcost architectures` lists them); got ''." + DEFAULT),
])
def test_bad_kinds_of_input(body, field, message):
    assert rejected(CLIENT.post("/api/estimate", json=body), field) == message
    assert message_of(lambda: Scenario(**body))[1] == message


def test_empty_gpu_on_the_command_line(capsys):
    code, text = cli(capsys, *CLI_BASE, "--classes", "2", "--gpu", "")
    assert code == 2 and text.startswith("Error: gpu must name an accelerator")


def test_bad_pilot_points_in_a_link_are_an_error():
    with pytest.raises(InputError) as info:
        decode_link("/?target_accuracy=0.9&pilot_points=1000:abc")
    assert info.value.field == "pilot_points"
    link = "/estimate.json?target_accuracy=0.9&data_max=1000&cost_per_datapoint=1&classes=2&pilot_points="
    rejected(CLIENT.get(link + "1000:abc"), "pilot_points")
    rejected(CLIENT.get(link + "100:1.5"), "pilot_points")  # parses, but an error of 150%


# ----- the declared ranges are the enforced ones --------------------------------------
VALID = {
    Scenario: {**BASE, "data_max": 1e12},
    ErrorQuery: {"data": 1000},
    LearningCurveQuery: {"points": [[100, 0.2]], "target_accuracy": 0.9},
    Observation: {"dataset": "d", "task": "classification", "n_train": 1000, "pretrained": True, "metric_value": 0.9},
}
CLASS_INPUT = {Scenario: "classes", ErrorQuery: "classes", LearningCurveQuery: None, Observation: "n_classes"}


def number_branch(model, field) -> dict | None:
    """The number (integer) branch of a field's JSON schema, with the bounds it declares."""
    schema = model.model_json_schema()["properties"][field]
    return next((b for b in schema.get("anyOf", [schema]) if b.get("type") in ("number", "integer")), None)


def number_fields():
    for model in VALID:
        for field in model.model_fields:
            branch = number_branch(model, field)
            if branch is not None:
                yield pytest.param(model, field, branch, id=f"{model.__name__}.{field}")


def _accepts(model, field, value) -> bool:
    values = dict(VALID[model])
    if CLASS_INPUT[model] and field not in (CLASS_INPUT[model], "relative_complexity"):
        values.setdefault(CLASS_INPUT[model], 2)
    if field == "data_max" and model is LearningCurveQuery:
        values["points"] = [[min(value, 100), 0.2]] if value >= 1 else values["points"]
    values[field] = value
    try:
        model(**values)
    except ValidationError as error:
        assert input_problems(error)[0]["field"] == field, (field, value, error)
        return False
    return True


@pytest.mark.parametrize("model, field, branch", list(number_fields()))
def test_declared_bounds_are_the_enforced_ones(model, field, branch):
    step = (lambda x: 1) if branch["type"] == "integer" else (lambda x: max(abs(x) * 1e-9, 1e-12))
    assert {"minimum", "exclusiveMinimum"} & branch.keys(), f"{field} declares no lower bound"
    if field not in ("gpu_hours", "cost_usd"):  # what an observation cost has no upper bound
        assert {"maximum", "exclusiveMaximum"} & branch.keys(), f"{field} declares no upper bound"
    for key in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        if key in branch:
            bound, outwards = branch[key], -1 if key.lower().endswith("minimum") else 1
            exclusive = key.startswith("exclusive")
            inside = bound - outwards * step(bound) if exclusive else bound
            beyond = bound if exclusive else bound + outwards * step(bound)
            assert _accepts(model, field, inside), f"{field} = {inside!r} is inside the declared {key} {bound} but rejected"
            assert not _accepts(model, field, beyond), f"{field} = {beyond!r} is beyond the declared {key} {bound} but accepted"
    for hole in [branch["not"]] if "not" in branch else []:
        assert not _accepts(model, field, (hole["exclusiveMinimum"] + hole["exclusiveMaximum"]) / 2)


# ----- properties over the declared input space ----------------------------------------
def numbers(model, field):
    """Values across a field's declared range (the ends included where the schema includes them)."""
    branch = number_branch(model, field)
    if branch["type"] == "integer":
        return st.integers(branch["minimum"], branch["maximum"])
    low = branch.get("minimum", branch.get("exclusiveMinimum"))
    high = branch.get("maximum", branch.get("exclusiveMaximum"))
    values = st.floats(low, high, exclude_min="exclusiveMinimum" in branch, exclude_max="exclusiveMaximum" in branch)
    if "not" in branch:
        hole = branch["not"]
        values = values.filter(lambda x: not hole["exclusiveMinimum"] < x < hole["exclusiveMaximum"])
    return values


def counts(model, field):
    schema = model.model_json_schema()["properties"][field]["anyOf"][0]["items"]
    return st.lists(st.floats(schema["exclusiveMinimum"], schema["maximum"], exclude_min=True), min_size=2, max_size=6)


def optional(strategy):
    return st.none() | strategy


@st.composite
def class_inputs(draw, model, *kinds) -> dict:
    """One target class input and maybe a baseline, each across its declared range."""
    values = {}
    for key in (draw(st.sampled_from([*kinds, "classes", "class_counts"])),
                draw(st.sampled_from([None, "baseline_classes", "baseline_class_counts"]))):
        if key is not None:
            values[key] = draw(counts(model, key) if key.endswith("counts") else numbers(model, key))
    return values


@st.composite
def scenarios(draw) -> dict:
    values = {name: draw(numbers(Scenario, name)) for name in (
        "target_accuracy", "data_max", "cost_per_datapoint", "cost_per_flop", "epochs", "top", "gpus", "runs",
        "scaling_efficiency", "interval_level")}
    values |= {name: draw(optional(numbers(Scenario, name))) for name in (
        "utilization", "price_per_hour", "pue", "power_w", "price_per_kwh", "loader_cores")}
    share = draw(optional(st.floats(0, 1)))  # data_present as a share of data_max; else the counts' sum
    values["data_present"] = None if share is None else share * values["data_max"]
    values |= draw(class_inputs(Scenario))
    values["task"] = draw(st.sampled_from(["classification", "segmentation"]))
    values["pretrained"] = draw(st.booleans())
    values["cost_mode"] = draw(st.sampled_from([None, "paper", "flops", "measured"]))
    values["precision"] = draw(st.sampled_from(["bf16", "fp16", "tf32", "fp32"]))
    values["interval_method"] = draw(st.sampled_from(["conformal", "ols"]))
    values["gpu"] = draw(st.sampled_from([accelerator.name for accelerator in HARDWARE.accelerators]))
    values |= draw(st.sampled_from([{}, {"provider": "aws"}, {"provider": "lambda"}, {"region": "aws:us-east-1"},
                                    {"country": "FRA"}]))
    if values["data_max"] >= 1 and draw(st.booleans()):  # one or two points: the prior's fit (three bootstrap: slow)
        size = numbers(PilotPoint, "n_train").map(lambda n: min(n, values["data_max"]))
        values["pilot_points"] = [[n, draw(numbers(PilotPoint, "error"))] for n in sorted(draw(st.sets(size, min_size=1, max_size=2)))]
        values["tau"] = draw(numbers(Scenario, "tau"))
    return {key: value for key, value in values.items() if value is not None}


def all_numbers(document, path="$"):
    if isinstance(document, bool):
        return
    if isinstance(document, (int, float)):
        yield path, document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield from all_numbers(value, f"{path}.{key}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from all_numbers(value, f"{path}[{index}]")


def assert_inside(document: dict, name: str, path: str):
    """low <= point <= high, where None is unbounded (data and costs) or unreachable (data needed)."""
    low, point, high = (document.get(f"{name}{suffix}") for suffix in ("_low", "", "_high"))
    point = math.inf if point is None else point
    high = math.inf if high is None else high
    assert low <= point <= high, f"{path}.{name}: {low!r} <= {point!r} <= {high!r}"


def answer(call):
    """The library's answer, or None for an input it rejects (with the field it names)."""
    try:
        return call()
    except (InputError, ValidationError) as error:
        event(f"rejected: {input_problems(error)[0]['field']}")
        return None


@SETTINGS
@given(scenarios(), st.sampled_from([catalog.DEFAULT_MODEL, FITTED]))
def test_every_estimate_number_is_finite_and_in_range(values, model):
    note(repr(values))
    scenario = answer(lambda: Scenario(**values))
    result = scenario and answer(lambda: dlcost.estimate(scenario, model=model, hardware=HARDWARE))
    if result is None:
        return
    document = result.to_dict()
    for path, number in all_numbers(document):
        assert math.isfinite(number), f"{path} = {number!r}"
    for name in ("target_error", "max_achievable_accuracy", "accuracy_at_data_max", "predicted_error_low", "predicted_error_high"):
        assert 0.0 <= document[name] <= 1.0, f"{name} = {document[name]!r}"
    assert 0.0 < document["predicted_error"] <= 1.0
    assert_inside(document, "predicted_error", "$")
    assert document["relative_complexity"] >= 0 and (document["data_needed"] is None or document["data_needed"] >= 1)
    for index, rec in enumerate(document["recommendations"]):
        for path, number in all_numbers(rec, f"$.recommendations[{index}]"):
            assert number >= 0, f"{path} = {number!r}"
        assert rec["max_achievable_accuracy"] <= 1.0
        assert_inside(rec, "data_needed", f"$.recommendations[{index}]")
        assert_inside(rec, "total_cost", f"$.recommendations[{index}]")


@st.composite
def error_queries(draw) -> dict:
    values = {"data": draw(numbers(ErrorQuery, "data")), "interval_level": draw(numbers(ErrorQuery, "interval_level")),
              "pretrained": draw(st.booleans()), "task": draw(st.sampled_from(["classification", "segmentation"])),
              "interval_method": draw(st.sampled_from(["conformal", "ols"]))}
    values |= draw(class_inputs(ErrorQuery, "relative_complexity"))
    return values


@SETTINGS
@given(error_queries(), st.sampled_from([catalog.DEFAULT_MODEL, FITTED]))
def test_every_predicted_error_is_finite_and_in_range(values, model):
    note(repr(values))
    query = answer(lambda: ErrorQuery(**values))
    prediction = query and answer(lambda: dlcost.predict_error(query, model=model))
    if prediction is None:
        return
    document = prediction.to_dict()
    for path, number in all_numbers(document):
        assert math.isfinite(number), f"{path} = {number!r}"
    assert 0.0 < document["error"] <= 1.0 and 0.0 <= document["accuracy"] < 1.0
    assert 0.0 <= document["error_low"] <= document["error"] <= document["error_high"] <= 1.0


def test_an_empty_model_name_is_refused_by_the_workspace():
    """The library and the web resolve models through the workspace: "" names no model (not the active one)."""
    from dlcost.catalog.hardware import load_hardware
    from dlcost.service.workspace import Workspace

    workspace = Workspace(load_hardware())
    for name in ("", "  "):
        with pytest.raises(InputError) as caught:
            workspace.model(name)
        assert caught.value.field == "model" and "got" in str(caught.value)
    assert workspace.model(None).name == "dlcost-2026" and workspace.model(None, "paper").name == "paper-2024"


def test_a_flat_fitted_model_gives_an_unbounded_range_not_an_infinity(capsys):
    """A fitted model whose data slope is 0 never reaches the target: every data bound is null/"unbounded"
    (the lower one was infinite, and JSON carried it as null against the schema's float)."""
    import dataclasses
    import json

    from dlcost.engine.estimate import estimate
    from dlcost.reports.documents import markdown_report
    from dlcost.schemas import Estimate, Scenario
    from dlcost.web.display import result_rows

    published = catalog.error_model()
    flat = dataclasses.replace(published, name="flat", coefficients=dataclasses.replace(
        published.coefficients, log_data=0.0, pretrain_log_data=0.0, intercept=0.5))
    scenario = Scenario(target_accuracy=0.9, data_max=200_000, cost_per_datapoint=0.63, classes=10, cost_mode="paper")
    result = estimate(scenario, model=flat)
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    Estimate.model_validate(document)
    for rec in document["recommendations"]:
        assert rec["data_needed"] is rec["data_needed_low"] is rec["data_needed_high"] is None
        assert all(math.isfinite(v) for v in (rec["total_cost_low"], rec["total_cost"]))
    assert "unbounded – unbounded" in markdown_report(result)
    assert any("unbounded – unbounded" in str(row) for row in result_rows(document))
