"""dlcost-2026: recovery of known coefficients, the shipped file, its errors, and estimates that rank by backbone."""

import math
from pathlib import Path

import numpy as np
import pytest

from dlcost import catalog
from dlcost.core import bounded_error as be
from dlcost.core.checks import InputError
from dlcost.engine import bounded_fit
from dlcost.engine.estimate import estimate
from dlcost.schemas import Observation, Scenario

ROOT = Path(__file__).resolve().parents[1]


def synthetic(seed=0, n_datasets=30, sizes=(300, 1000, 3000, 10000, 30000)):
    """Observations drawn from known coefficients, dataset intercepts and slopes, and noise."""
    rng = np.random.default_rng(seed)
    truth = dict(intercept=0.5, log_data=-1.2, pretrain_log_data=0.3, complexity=1.0, imagenet_top1=-0.06, pretrain=-1.5)
    rows = []
    for d in range(n_datasets):
        classes = int(rng.choice([2, 5, 10, 50, 200]))
        u0, u1 = rng.normal(0, 0.6), rng.normal(0, 0.3)
        for pretrained in (False, True):
            for n in sizes:
                top1 = float(rng.choice([0.70, 0.76, 0.82]))
                x = be.regressors(n, math.log(classes) / math.log(1000), pretrained, "classification", top1)
                beta = np.array([truth.get(name, 0.0) for name in be.REGRESSORS])
                z = x @ beta + u0 + u1 * x[1] + rng.normal(0, 0.3)
                error = (1 - 1 / classes) / (1 + math.exp(-z))
                arch = {0.70: "ResNet-18", 0.76: "ResNet-50", 0.82: "ConvNeXt-T"}[top1]
                rows.append(Observation(dataset=f"synthetic {d}", task="classification", n_train=n, n_classes=classes,
                                        pretrained=pretrained, architecture=arch, metric_value=1 - error, source="synthetic"))
    return rows, truth


def test_known_coefficients_are_recovered():
    observations, truth = synthetic()
    # the catalog top-1 of ResNet-18 and ConvNeXt-T differ slightly from the values drawn: use the catalog's
    fitted = bounded_fit.fit_bounded(bounded_fit.features(observations))
    coefficients = dict(zip(be.REGRESSORS, fitted.model.coefficients))
    errors = dict(zip(be.REGRESSORS, fitted.std_errors))
    for name in ("log_data", "pretrain_log_data", "pretrain"):
        assert abs(coefficients[name] - truth[name]) < 3 * errors[name] + 0.05, name
    assert fitted.model.random_covariance[0][0] ** 0.5 == pytest.approx(0.6, abs=0.25)
    assert fitted.model.residual_variance ** 0.5 == pytest.approx(0.3, abs=0.05)
    assert set(fitted.held_at_zero) >= {"segmentation", "detection"}  # no such rows: not identified, held at 0


def test_one_dataset_is_a_clear_error():
    observations, _ = synthetic(n_datasets=1)
    with pytest.raises(InputError, match="at least 2 datasets"):
        bounded_fit.fit_bounded(bounded_fit.features(observations))


def test_unknown_architecture_is_a_clear_error():
    observation = Observation(dataset="d", task="classification", n_train=1000, n_classes=10, pretrained=True,
                              architecture="MysteryNet-9000", metric_value=0.9)
    with pytest.raises(InputError) as raised:
        bounded_fit.features([observation])
    assert raised.value.field == "architecture" and "MysteryNet-9000" in raised.value.message and "\n" not in raised.value.message


def test_unknown_model_name_is_a_clear_error():
    with pytest.raises(InputError, match="model must be one of dlcost-2026, paper-2024"):
        catalog.error_model("dlcost-2025")


def test_backbone_rules():
    assert bounded_fit.backbone_top1("Cascade Mask R-CNN + ConvNeXt-B", "backbone pretrained on ImageNet-22K") == 0.858
    assert bounded_fit.backbone_top1("Cascade Mask R-CNN + ConvNeXt-B", "backbone pretrained on ImageNet-1K") == 0.838
    assert bounded_fit.backbone_top1("ResNet50 (random init)") == 0.7613
    assert bounded_fit.backbone_top1("") is None and bounded_fit.backbone_top1(None) is None
    assert bounded_fit.pretraining_kind(True, "VTAB method Jigsaw; pretrained") == "self-supervised"
    assert bounded_fit.pretraining_kind(False, "VTAB method Jigsaw;") == "none"
    assert bounded_fit.dataset_key("VTAB/CIFAR-100") == bounded_fit.dataset_key("CIFAR-100 (VTAB full)") == "cifar-100"
    assert bounded_fit.dataset_key("COCO 2017 semantic segmentation (UniMatch split)") == "coco 2017"


def test_the_shipped_model_file_is_the_scripts_output():
    from dlcost.service.corpus_model import fit_corpus, model_file_text, validation_report

    fitted, data = fit_corpus()
    text = model_file_text(fitted, data, validation_report())
    assert (ROOT / "src" / "dlcost" / "catalog" / "dlcost_2026.toml").read_text(encoding="utf-8") == text


def test_the_shipped_model_is_validated_held_out():
    validation = catalog.error_model("dlcost-2026").validation
    ours, paper = validation["dataset"]["dlcost-2026"]["all"], validation["dataset"]["paper-2024"]["all"]
    assert ours["median_abs_log10_ratio"] < paper["median_abs_log10_ratio"]
    assert 0.7 <= ours["coverage_80"] <= 0.9
    assert ours["median_data_range_factor"] < paper["median_data_range_factor"] / 1000


def scenario(**values):
    base = dict(target_accuracy=0.98, classes=5, pretrained=True, data_max=1e6, cost_per_datapoint=0.1)
    return Scenario(**{**base, **values})


def test_estimates_rank_candidates_by_their_own_data_need():
    result = estimate(scenario(top=10), model="dlcost-2026")
    needs = {r.architecture: r.data_needed for r in result.recommendations}
    assert len(set(needs.values())) == len(needs) > 3  # each backbone its own need
    top1 = {a.name: a.imagenet_top1 for a in catalog.architectures()}
    ranked = sorted(needs, key=needs.get)
    assert top1[ranked[0]] > top1[ranked[-1]]
    assert result.data_needed == result.recommendations[0].data_needed and result.model == "dlcost-2026"
    assert all(r.predicted_error <= 0.02 + 1e-12 for r in result.recommendations if r.feasible)
    assert all(r.data_needed_low <= r.data_needed <= r.data_needed_high for r in result.recommendations)


def test_paper_mode_is_untouched():
    result = estimate(scenario(), model="paper-2024")
    assert len({r.data_needed for r in result.recommendations}) == 1
    assert result.data_needed == pytest.approx(227_296_530.5, rel=1e-6)


def test_unreachable_candidates_rank_after_reachable_ones():
    result = estimate(scenario(target_accuracy=0.995, data_max=200_000, top=10), model="dlcost-2026")
    feasible = [r.feasible for r in result.recommendations]
    assert feasible == sorted(feasible, reverse=True)


def test_a_pilot_estimate_carries_the_cost_optimal_plan():
    pilot = [[500, 0.12], [1000, 0.08], [2000, 0.055]]
    plan = estimate(scenario(pilot_points=pilot, collection_rounds=2)).pilot["collection_plan"]
    assert 1 <= len(plan["round_totals_images"]) <= 2 and plan["n_held"] == 2000
    assert all(2000 < n <= 1e6 for n in plan["round_totals_images"])
    assert plan["probability_met_by_round"] == sorted(plan["probability_met_by_round"])
    capped = estimate(scenario(pilot_points=pilot, data_max=12_000, collection_rounds=3)).pilot["collection_plan"]
    assert all(n <= 12_000 for n in capped["round_totals_images"])
    free = estimate(scenario(pilot_points=pilot, missed_target_penalty=0)).pilot["collection_plan"]
    assert free["round_totals_images"] == [] and free["expected_cost_usd"] == 0  # missing costs nothing: collect nothing
    dear = estimate(scenario(pilot_points=pilot, missed_target_penalty=1e7)).pilot["collection_plan"]
    assert dear["probability_missed"] <= plan["probability_missed"] and dear["penalty_source"] == "given"
    assert estimate(scenario()).pilot is None  # no pilot, no plan


@pytest.mark.parametrize("values, message", [
    ({"collection_rounds": 0}, "collection_rounds must be a whole number of at least 1; got 0."),
    ({"collection_rounds": 21}, "collection_rounds must be at most 20; got 21."),
    ({"missed_target_penalty": -5}, "missed_target_penalty must be 0 or more; got -5.0."),
])
def test_plan_inputs_are_bounded(values, message):
    import re

    with pytest.raises(ValueError, match=re.escape(message)):
        scenario(**values)


def test_a_wide_estimate_recommends_a_pilot():
    advice = estimate(scenario()).pilot_recommendation
    assert advice is not None and advice["sizes_images"] == sorted(advice["sizes_images"]) and advice["sizes_images"][0] >= 25
    assert advice["cost_usd"] == pytest.approx(advice["data_cost_usd"] + advice["training_cost_usd"]) and advice["data_cost_usd"] > 0
    assert 1 < advice["range_factor_expected"] < advice["range_factor_now"]
    assert estimate(scenario(), model="paper-2024").pilot_recommendation is None  # eq. (1): no model curve to plan on
    assert estimate(scenario(pilot_points=[[500, 0.12], [1000, 0.08]])).pilot_recommendation is None  # a pilot is there


@pytest.mark.parametrize("data_max", [1001.5, 5.0, 3.0])
def test_the_recommended_pilot_fits_within_data_max(data_max):
    # hypothesis found 1001.5: the largest subset was rounded up to 1,002, past the limit
    advice = estimate(scenario(target_accuracy=0.875, classes=2, pretrained=False, data_max=data_max)).pilot_recommendation
    if data_max < 4:
        assert advice is None
    else:
        assert advice is not None and advice["sizes_images"][-1] <= data_max
        assert advice["sizes_images"] == sorted(set(advice["sizes_images"]))
