"""The rules an estimate follows beyond the paper's formulas (issue 9): which architectures a task
ranks, ties, the data a realistic job trains on, headroom, free labels, and which price it pays."""

import json

import pytest

import dlcost
from dlcost.catalog.hardware import load_hardware
from dlcost.cli import main
from dlcost.core.recommend import rank_candidates

FIGURE2 = {"target_accuracy": 0.965, "data_max": 200_000, "cost_per_datapoint": 0.63,
           "class_counts": {"Positive": 50_000, "Negative": 1_000}}


def estimate(**values):
    return dlcost.estimate(dlcost.Scenario(**{**FIGURE2, **values}))


# ----- inputs that are valid -----------------------------------------------------------------
def test_labels_at_no_cost_are_valid():
    result = estimate(cost_per_datapoint=0, cost_mode="paper")
    assert all(rec.data_cost == 0 and rec.total_cost == rec.training_cost for rec in result.recommendations)
    assert result.recommendations[0].architecture == "EfficientNet-B0"  # cheapest training when data is free


def test_data_already_complete():
    """All the data is at hand (data_present = data_max) and more than the target needs."""
    result = estimate(classes=2, class_counts=None, data_present=200_000, target_accuracy=0.9, cost_mode="flops")
    assert result.target_reachable and result.data_needed < 200_000
    best = result.recommendations[0]
    assert best.additional_data == 0 and best.data_cost == 0
    assert best.training_images == 200_000  # a team trains on all it holds (realistic modes)


# ----- the data a job trains on ----------------------------------------------------------------
def test_realistic_modes_train_on_all_the_data_held_paper_mode_on_what_eq4_says():
    held = dict(classes=2, class_counts=None, data_present=150_000, target_accuracy=0.9)
    paper = estimate(**held, cost_mode="paper").recommendations[0]
    flops = estimate(**held, cost_mode="flops", architectures=[paper.architecture]).recommendations[0]
    needed = paper.data_needed
    assert needed < 150_000
    assert paper.training_images == pytest.approx(needed)  # eq. (4): min(needed, data_max)
    assert flops.training_images == 150_000  # min(max(present, needed), data_max)
    assert flops.additional_data == paper.additional_data == 0


# ----- headroom --------------------------------------------------------------------------------
def test_accuracy_at_the_data_limit_is_its_own_field():
    result = estimate(cost_mode="paper")
    assert result.max_achievable_accuracy == pytest.approx(0.965)  # Figure 2: the target, reachable
    assert result.accuracy_at_data_max > 0.965  # 200,000 images reach further than 197,817
    beyond = estimate(cost_mode="paper", target_accuracy=0.99)
    assert not beyond.target_reachable
    assert beyond.max_achievable_accuracy == pytest.approx(beyond.accuracy_at_data_max)


# ----- which architectures a task ranks ---------------------------------------------------------
def test_segmentation_ranks_only_segmentation_architectures_and_says_so():
    result = estimate(task="segmentation", target_accuracy=0.6, cost_mode="flops", top=10)
    names = [rec.architecture for rec in result.recommendations]
    tasks = {row.name: row.task for row in dlcost.architectures()}
    assert names and all(tasks[name] == "semantic_segmentation" for name in names)
    assert "AlexNet" not in names
    named = estimate(task="segmentation", target_accuracy=0.6, cost_mode="flops", architectures=["AlexNet", "FCN-ResNet50"])
    assert [rec.architecture for rec in named.recommendations] == ["FCN-ResNet50"]
    assert "not ranked: AlexNet (classification) cannot do segmentation." in named.warnings
    with pytest.raises(ValueError, match=r"^architectures must include one that does segmentation \(semantic segmentation\); "
                                         r"got AlexNet \(classification\)\.$") as error:
        estimate(task="segmentation", target_accuracy=0.6, architectures=["AlexNet"])
    assert error.value.field == "architectures"


def test_classification_never_ranks_detectors():
    names = [rec.architecture for rec in estimate(cost_mode="paper", top=30).recommendations]
    assert not {"YOLOv3", "YOLOv5", "Mask R-CNN", "DeepLabV3-ResNet50"} & set(names)


# ----- ties -------------------------------------------------------------------------------------
def test_ties_rank_by_accuracy_then_inference_cost():
    costs = [(100.0, 50.0), (100.5, 50.0), (100.2, 50.2), (130.0, 50.0)]
    ranked, tied = rank_candidates(costs, [0.9, 0.9, 0.95, 0.99], [5e9, 1e9, 9e9, 1e8], ["a", "b", "c", "d"], top=4)
    assert ranked == [2, 1, 0, 3]  # c: most accurate of the tie; then b, the cheaper to serve; d does not tie
    assert tied == {0, 1, 2}


def test_loader_bound_candidates_tie_and_the_estimate_says_so():
    """A slow loader bounds every candidate alike: cost cannot choose, so AlexNet is never "best" by a tie."""
    result = estimate(cost_mode="flops", loader_cores=0.1, top=20, data_present=None)
    tied = [rec for rec in result.recommendations if rec.tied_on_cost]
    assert len(tied) >= 3 and all(rec.bound == "loader" for rec in tied)
    assert result.recommendations[0].architecture != "AlexNet"
    flops = [rec.inference_gflops for rec in tied]
    assert flops == sorted(flops)  # same accuracy (eq. (1)): the cheapest to serve first
    assert any("tie on cost (within 1%)" in warning for warning in result.warnings)


def test_figure2_does_not_tie():
    result = estimate(cost_mode="paper")
    assert [rec.tied_on_cost for rec in result.recommendations] == [False, False, False]


# ----- prices ------------------------------------------------------------------------------------
def test_hardware_listing_and_estimates_show_the_same_default_price(capsys):
    capsys.readouterr()
    assert main(["hardware", "--json"]) == 0
    listed = {row["name"]: row["default_price_usd_per_gpu_hour"] for row in json.loads(capsys.readouterr().out)["accelerators"]}
    for gpu in ("H100", "A100-80GB", "L4"):
        result = estimate(cost_mode="flops", gpu=gpu)
        assert result.hardware["price_per_gpu_hour_usd"] == listed[gpu]


def test_a_region_prices_from_its_cloud_when_it_rents_the_gpu_at_that_size():
    eight = estimate(cost_mode="flops", gpu="A100-80GB", gpus=8, region="aws:us-east-1")
    assert eight.hardware["price_source"].startswith("aws p4de.24xlarge")
    one = estimate(cost_mode="flops", gpu="A100-80GB", gpus=1, region="aws:us-east-1")
    assert not one.hardware["price_source"].startswith("aws ")
    assert "region's cloud not used: provider 'aws' rents A100-80GB only in instances of 8 GPUs" in one.hardware["price_source"]


def test_a_provider_that_only_rents_eight_gpu_instances_says_so():
    with pytest.raises(ValueError) as error:
        estimate(cost_mode="flops", gpu="A100-80GB", provider="aws")
    assert str(error.value) == ("provider 'aws' rents A100-80GB only in instances of 8 GPUs; got gpus 1. "
                                "Set gpus to a multiple of 8, or choose another provider.")
    assert error.value.field == "provider"
    sixteen = estimate(cost_mode="flops", gpu="A100-80GB", provider="aws", gpus=16)
    assert sixteen.hardware["price_source"].startswith("aws p4de.24xlarge")  # two 8-GPU instances


def test_the_library_reads_no_user_file(tmp_path, monkeypatch):
    """dlcost.estimate() computes from its arguments: a user's config changes nothing unless passed."""
    config = tmp_path / "config.toml"
    config.write_text('[[prices]]\ngpu = "H100"\nprovider = "mine"\non_demand_usd_per_gpu_hour = 0.01\ngpus_per_instance = 1\n')
    monkeypatch.setenv("DLCOST_CONFIG", str(config))
    plain = estimate(cost_mode="flops", provider="lambda")
    assert plain.hardware["price_per_gpu_hour_usd"] != 0.01
    with pytest.raises(ValueError, match="provider must be one that lists H100"):
        estimate(cost_mode="flops", provider="mine")
    from dlcost.iotools.user_files import load_user_hardware

    mine = dlcost.estimate(dlcost.Scenario(**FIGURE2, cost_mode="flops", provider="mine"), hardware=load_user_hardware())
    assert mine.hardware["price_per_gpu_hour_usd"] == 0.01
    assert load_hardware().default_price(load_hardware().find_accelerator("H100")) is not None
