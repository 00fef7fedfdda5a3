"""The one query codec (dlcost.web.query): encode and decode are inverses, pilot points and baselines included."""

from urllib.parse import parse_qsl

from hypothesis import given, settings
from hypothesis import strategies as st

from dlcost.schemas import Scenario
from dlcost.web.query import FIELDS, decode_link, decode_query, encode_query

labels = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
counts = st.floats(min_value=1, max_value=1e6, allow_nan=False)
class_inputs = st.one_of(
    st.fixed_dictionaries({"classes": st.integers(2, 5000)}),
    st.fixed_dictionaries({"class_counts": st.lists(counts, min_size=2, max_size=6)}),
    st.fixed_dictionaries({"class_counts": st.dictionaries(labels, counts, min_size=2, max_size=6)}),
)
baselines = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"baseline_classes": st.integers(2, 100_000)}),
    st.fixed_dictionaries({"baseline_class_counts": st.dictionaries(labels, counts, min_size=2, max_size=4)}),
)


@st.composite
def pilots(draw):
    sizes = sorted(set(draw(st.lists(st.integers(10, 10**7), min_size=1, max_size=6))))
    return [[n, draw(st.floats(min_value=1e-4, max_value=0.99))] for n in sizes]


@st.composite
def scenarios(draw):
    values = {
        "target_accuracy": draw(st.floats(min_value=0.01, max_value=0.999)),
        "data_max": draw(st.floats(min_value=1e7, max_value=1e9)),
        "cost_per_datapoint": draw(st.floats(min_value=0, max_value=100)),
        "pretrained": draw(st.booleans()),
        **draw(class_inputs),
        **draw(baselines),
    }
    if draw(st.booleans()):
        values["pilot_points"] = draw(pilots())
        values["tau"] = draw(st.floats(min_value=0, max_value=0.5))
    if draw(st.booleans()):
        values["architectures"] = draw(st.lists(st.sampled_from(["ResNet-50", "vit_b_16", "EfficientNet-B0"]), min_size=1, max_size=3))
    if draw(st.booleans()):
        values.update(task="segmentation", gpu=draw(st.sampled_from(["A100", "H100", "L4"])), gpus=draw(st.integers(1, 64)),
                      cost_mode=draw(st.sampled_from(["paper", "flops"])), region="aws:us-east-1")
    return Scenario.model_validate(values)


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_decode_inverts_encode(scenario):
    query = encode_query(scenario)
    assert Scenario.model_validate(decode_query(parse_qsl(query))) == scenario
    assert Scenario.model_validate(decode_link("http://127.0.0.1:8000/?" + query + "#results")) == scenario


def test_links_write_fields_in_scenario_order_and_leave_out_none():
    query = encode_query({"tau": 0.01, "classes": 10, "data_max": 1000.0, "target_accuracy": "96.5%", "gpu": None,
                          "pilot_points": [{"n_train": 144.0, "error": 0.0752}, [288, 0.0418]],
                          "class_counts": None, "baseline_class_counts": {"a b": 3, "c": 1}})
    assert query == ("target_accuracy=96.5%25&data_max=1000&classes=10"
                     "&baseline_class_counts=%7B%22a+b%22%3A3%2C%22c%22%3A1%7D&pilot_points=144%3A0.0752%2C288%3A0.0418&tau=0.01")
    assert list(FIELDS)[:2] == ["task", "target_accuracy"]
