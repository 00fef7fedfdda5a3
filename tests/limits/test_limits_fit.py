"""The seed 003 refits (``dlcost limits fit``): known slopes recovered, the shipped examples
reproducible and fitted, bad input rejected with its field, the table and the PNG written.

Seed 003: N. C. Thompson et al., "The Computational Limits of Deep Learning,"
arXiv:2007.05558, section 3 and supplement section 7.1 (Tables 1 and 2, Figure 8).
"""

import json
import math
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from dlcost.core.checks import InputError
from dlcost.engine.limits_fit import fit_example, fit_limits
from dlcost.iotools.limits_csv import parse_limits_csv, read_limits_csv
from dlcost.reports.limits_plots import format_limits_fit, plot_limits_fit

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
EXAMPLES = resources.files("dlcost.catalog").joinpath("limits_examples")


def _model(result: dict, name: str) -> dict:
    return next(m for m in result["models"] if m["name"] == name)


def _term(model: dict, name: str) -> dict:
    return next(t for t in model["terms"] if t["name"] == name)


def _synthetic(n=400, slope=-0.11, year_slope=None, noise=0.05, seed=3):
    """log10(error) = -0.5 + slope log10(compute) [+ year_slope (year - 2012)] + normal noise."""
    rng = np.random.default_rng(seed)
    log_compute = rng.uniform(0.0, 3.0, n)
    year = rng.uniform(2012.0, 2020.0, n)
    log_error = -0.5 + slope * log_compute + (0.0 if year_slope is None else year_slope * (year - 2012.0))
    return 10 ** (log_error + rng.normal(0.0, noise, n)), 10 ** log_compute, year


def _numbers(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, float):
        yield value


def test_known_polynomial_slope_is_recovered_within_its_standard_error():
    error, compute, _ = _synthetic()
    result = fit_limits(error, compute)
    slope = _term(_model(result, "polynomial"), "log10_compute")
    assert abs(slope["coef"] - (-0.11)) < 3 * slope["se"]
    assert slope["p"] < 0.01 and slope["low"] < -0.11 < slope["high"]
    alpha = _model(result, "polynomial")["derived"]["alpha"]
    assert alpha["low"] < 1 / 0.11 < alpha["high"] and alpha["value"] == pytest.approx(-1 / slope["coef"])
    json.dumps(result, allow_nan=False)  # JSON-ready, every number finite
    assert all(math.isfinite(x) for x in _numbers(result))


def test_projection_inverts_each_fitted_line():
    error, compute, _ = _synthetic()
    result = fit_limits(error, compute, targets=(0.05, 0.01))
    for name, transform in (("polynomial", math.log10), ("exponential", lambda e: e), ("quantile", math.log10)):
        model = _model(result, name)
        const, slope = _term(model, "const")["coef"], _term(model, "log10_compute")["coef"]
        for projection in model["projections"]:
            x = projection["log10_compute"]
            assert const + slope * x == pytest.approx(transform(projection["target_error"]))
            assert projection["compute"] == pytest.approx(10 ** x)


def test_quantile_line_lies_below_the_mean_and_exponential_form_is_fitted_on_error():
    error, compute, _ = _synthetic(noise=0.08)
    result = fit_limits(error, compute)
    mean, best = _model(result, "polynomial"), _model(result, "quantile")
    assert _term(best, "const")["coef"] < _term(mean, "const")["coef"]  # the best 10% of errors sit lower
    assert best["r2"] is None and 0 < best["pseudo_r2"] < 1 and best["method"] == "QR q=0.1"
    exponential = _model(result, "exponential")
    assert exponential["dependent"] == "Error rate" and _term(exponential, "log10_compute")["coef"] < 0


def test_time_trend_recovers_both_slopes_and_their_equivalence():
    error, compute, year = _synthetic(slope=-0.11, year_slope=-0.04)
    result = fit_limits(error, compute, year)
    trend = _model(result, "time_trend")
    assert result["year_origin"] == 2012.0 and trend["df_model"] == 2
    for name, true in (("log10_compute", -0.11), ("year", -0.04)):
        assert abs(_term(trend, name)["coef"] - true) < 3 * _term(trend, name)["se"]
    assert trend["derived"]["years_per_10x_compute"] == pytest.approx(0.11 / 0.04, rel=0.25)  # seed: about 3 years


def test_growth_fit_recovers_tenfold_a_year():
    rng = np.random.default_rng(5)
    year = rng.uniform(2012.0, 2019.0, 80)
    compute = 10 ** (15.0 + 1.0 * (year - 2012.0) + rng.normal(0.0, 0.3, year.size))
    result = fit_limits(compute=compute, year=year)
    assert result["kind"] == "compute_growth"
    derived = result["models"][0]["derived"]
    assert derived["growth_factor_per_year"]["low"] < 10.0 < derived["growth_factor_per_year"]["high"]
    assert derived["doubling_months"]["low"] < 12 * math.log10(2) < derived["doubling_months"]["high"]


def test_shipped_timm_data_gives_a_negative_significant_slope():
    with resources.as_file(EXAMPLES.joinpath("timm_imagenet.csv")) as path:
        columns = read_limits_csv(path, error_col="top1_error", compute_col="gflops_per_pass")
    assert columns["n_rows"] > 1000 and columns["n_skipped"] == 0
    result = fit_limits(columns["error"], columns["compute"])
    for name in ("polynomial", "quantile"):
        slope = _term(_model(result, name), "log10_compute")
        assert slope["coef"] < 0 and slope["p"] < 0.01
    assert _model(result, "polynomial")["r2"] > 0.3


def test_shipped_epoch_data_gives_a_growth_factor():
    with resources.as_file(EXAMPLES.joinpath("epoch_vision_compute.csv")) as path:
        columns = read_limits_csv(path, compute_col="training_compute_flop", year_col="year")
    derived = fit_limits(compute=columns["compute"], year=columns["year"])["models"][0]["derived"]
    assert derived["growth_factor_per_year"]["low"] > 1.0
    assert 0 < derived["doubling_months"]["value"] < 60


def test_examples_fit_by_name():
    timm = fit_example("timm_imagenet.csv")
    assert timm["kind"] == "error_vs_compute" and timm["columns"]["compute_col"] == "gflops_per_pass"
    assert fit_example("epoch_vision_compute.csv", level=0.9)["kind"] == "compute_growth"
    with pytest.raises(InputError) as caught:
        fit_example("other.csv")
    assert caught.value.field == "name"


def test_sources_credit_the_data():
    text = EXAMPLES.joinpath("SOURCES.md").read_text(encoding="utf-8")
    assert '"Epoch AI"' in text and "CC BY 4.0" in text and "Apache-2.0" in text


@pytest.mark.skipif(not (DATA / "timm").is_dir() or not (DATA / "epoch").is_dir(), reason="needs ../shared/data")
def test_build_script_reproduces_the_shipped_files():
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "build_limits_examples.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


_CSV = "model,err,gflops,year\na,0.30,1,2013\nb,0.20,10,2015\nc,0.12,100,2018\nd,0.09,1000,2020\n"


@pytest.mark.parametrize("options, text, field, words", [
    ({"error_col": "top1_err"}, _CSV, "error_col", "column 'top1_err' is not in 'data.csv' (columns: model, err, gflops, year)"),
    ({"error_col": "err"}, _CSV.replace("0.20", "abc"), "error_col", "line 3: err must be a number in (0, 1); got 'abc'"),
    ({"error_col": "err"}, _CSV.replace("0.20", "20"), "error_col", "accuracy_percent"),
    ({"error_col": "err"}, _CSV.replace("0.20", "1.0"), "error_col", "line 3: err must be a number in (0, 1); got '1.0'"),
    ({"error_col": "err"}, _CSV.replace(",10,", ",0,"), "compute_col", "line 3: gflops must be a finite number greater than 0"),
    ({"error_col": "err"}, _CSV.replace(",10,", ",-5,"), "compute_col", "got '-5'"),
    ({"error_col": "err", "year_col": "year"}, _CSV.replace("2015", "soon"), "year_col", "line 3: year must be a finite number"),
    ({"error_col": "err"}, "\n".join(_CSV.splitlines()[:3]), "file", "has 2 usable row(s)"),
    ({"error_col": "err"}, _CSV.replace("0.20", "").replace("0.12", " "), "file", "at least 3"),
    ({}, _CSV, "error_col", "error_col or year_col is needed"),
])
def test_bad_csv_names_its_field(options, text, field, words):
    with pytest.raises(InputError) as caught:
        parse_limits_csv(text, compute_col="gflops", where="'data.csv'", **options)
    assert caught.value.field == field and words in str(caught.value), str(caught.value)


def test_csv_reads_accuracy_percent_and_skips_blank_cells():
    text = _CSV.replace("0.30", "").replace("0.20", "80").replace("0.12", "88").replace("0.09", "91") + "\n"
    columns = parse_limits_csv(text, error_col="err", compute_col="gflops", year_col="year", accuracy_percent=True)
    assert columns["error"] == pytest.approx([0.20, 0.12, 0.09]) and columns["lines"] == [3, 4, 5]
    assert columns["n_skipped"] == 1 and columns["year"] == [2015.0, 2018.0, 2020.0]


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as caught:
        read_limits_csv(tmp_path / "absent.csv", error_col="err", compute_col="gflops")
    assert caught.value.field == "file"


@pytest.mark.parametrize("arguments, field", [
    ({"error": [0.3, 0.2, 0.1], "compute": [1, 10, 100, 1000]}, "error"),
    ({"error": [0.3, 1.2, 0.1], "compute": [1, 10, 100]}, "error"),
    ({"error": [0.3, 0.2, 0.1], "compute": [1, 0, 100]}, "compute"),
    ({"error": [0.3, 0.2, 0.1], "compute": [5, 5, 5]}, "compute"),
    ({"error": [0.3, 0.2], "compute": [1, 10]}, "compute"),
    ({"error": [0.3, 0.2, 0.1], "compute": [1, 10, float("nan")]}, "compute"),
    ({"compute": [1, 10, 100]}, "error"),
    ({"compute": [1, 10, 100], "year": [2015, 2015, 2015]}, "year"),
    ({"error": [0.3, 0.2, 0.1], "compute": [1, 10, 100], "targets": (0.05, 5)}, "targets"),
    ({"error": [0.3, 0.2, 0.1], "compute": [1, 10, 100], "quantile": 1.0}, "quantile"),
])
def test_bad_arrays_name_their_field(arguments, field):
    with pytest.raises(InputError) as caught:
        fit_limits(**arguments)
    assert caught.value.field == field


def test_three_rows_fit_with_every_number_finite_and_the_trend_left_out():
    result = fit_limits([0.3, 0.2, 0.1], [1, 10, 100], [2014, 2016, 2019])
    assert [m["name"] for m in result["models"]] == ["polynomial", "exponential", "quantile"]
    assert any("time trend is left out" in note for note in result["notes"])
    json.dumps(result, allow_nan=False)
    assert "Observations" in format_limits_fit(result)


def test_fit_without_statsmodels_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "statsmodels", None)
    monkeypatch.setitem(sys.modules, "statsmodels.api", None)
    with pytest.raises(InputError) as caught:
        fit_limits([0.3, 0.2, 0.1], [1, 10, 100])
    assert caught.value.field == "fit" and "pip install statsmodels" in str(caught.value)


def test_table_is_laid_out_like_the_seed():
    error, compute, year = _synthetic(year_slope=-0.04)
    text = format_limits_fit(fit_limits(error, compute, year))
    for words in ("(1)", "(4)", "Constant", "log10(Computation)", "Year (since 2012)", "Observations", "R²",
                  "Adjusted R²", "Residual Std. Error", "(df = 398)", "F Statistic", "(df = 2; 397)",
                  "Note: *p<0.1; **p<0.05; ***p<0.01", "Performance^", "Computation needed"):
        assert words in text, words
    assert "***" in text


def test_plots_are_written(tmp_path):
    error, compute, _ = _synthetic()
    result = fit_limits(error, compute)
    path = plot_limits_fit(result, {"compute": compute, "error": error}, tmp_path / "limits.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    year = np.linspace(2012, 2019, 20)
    growth = fit_limits(compute=10 ** (15 + year - 2012), year=year)
    columns = {"compute": 10 ** (15 + year - 2012), "year": year}
    assert plot_limits_fit(growth, columns, tmp_path / "growth.png").stat().st_size > 0
    for columns, where in (({"compute": compute}, tmp_path / "limits.png"), ({"compute": compute, "error": error}, tmp_path)):
        with pytest.raises(InputError) as caught:
            plot_limits_fit(result, columns, where)
        assert caught.value.field == "plot"
