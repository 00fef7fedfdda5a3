"""The seed 003 refits (``dlcost limits fit``): known slopes recovered, the shipped examples
reproducible and fitted, bad input rejected with its field, the table and the PNG written.

Seed 003: N. C. Thompson et al., "The Computational Limits of Deep Learning,"
arXiv:2007.05558, section 3 and supplement section 7.1 (Tables 1 and 2, Figure 8).
"""

import inspect
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
    ({"error_col": "err"}, _CSV.replace("0.20", "20"), "error_col", "pass --accuracy-percent."),
    ({"error_col": "err"}, _CSV.replace("0.20", "1.0"), "error_col", "line 3: err must be a number in (0, 1); got '1.0'"),
    ({"error_col": "err"}, _CSV.replace(",10,", ",0,"), "compute_col", "line 3: gflops must be a finite number greater than 0"),
    ({"error_col": "err"}, _CSV.replace(",10,", ",-5,"), "compute_col", "got '-5'"),
    ({"error_col": "err", "year_col": "year"}, _CSV.replace("2015", "soon"), "year_col", "line 3: year must be a year from 1900 to 2100; got 'soon'"),
    ({"error_col": "err", "year_col": "year"}, _CSV.replace("2015", "1e300"), "year_col", "from 1900 to 2100; got '1e300'"),
    ({"error_col": "err"}, _CSV.replace("0.30", "0.5").replace("0.20", "0.5").replace("0.12", "0.5").replace("0.09", "0.5"),
     "error_col", "error_col: column 'err' of 'data.csv' must vary for a fit; all 4 usable rows are 0.5."),
    ({"year_col": "year"}, _CSV.replace(",1,", ",7,").replace(",10,", ",7,").replace(",100,", ",7,").replace(",1000,", ",7,"),
     "compute_col", "column 'gflops' of 'data.csv' must vary"),
    ({"year_col": "year"}, _CSV.replace("2013", "2015").replace("2018", "2015").replace("2020", "2015"), "year_col", "must vary"),
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


# The reviewer's findings (each test failed before the fix): nonsense refused or left out, never printed as a number.

_POSITIVE = ("alpha", "growth_factor_per_year", "doubling_months", "years_per_10x_compute", "compute_factor_per_year")


def _ranges_hold(value, key=None):
    """Every float finite and in its own range: R², p-values in [0, 1]; se, F >= 0; alpha, growth, doubling > 0."""
    if isinstance(value, dict):
        if {"low", "high"} <= value.keys() and value["low"] is not None and value["high"] is not None:
            assert value["low"] <= value["high"], value
        for name, item in value.items():
            _ranges_hold(item, key if name in ("value", "low", "high") and key in _POSITIVE else name)
    elif isinstance(value, list):
        for item in value:
            _ranges_hold(item, key)
    elif isinstance(value, float):
        assert math.isfinite(value), (key, value)
        if key in ("r2", "pseudo_r2", "p", "f_p"):
            assert 0.0 <= value <= 1.0, (key, value)
        if key in ("se", "f_stat", "resid_se"):
            assert value >= 0.0, (key, value)
        if key in _POSITIVE:
            assert value > 0.0, (key, value)
        if key == "adj_r2":
            assert value <= 1.0, (key, value)


@pytest.mark.parametrize("arguments", [
    {"compute": [1, 10, 1e300], "year": [2010, 2011, 2012]},
    {"compute": [1e-300, 1, 1e300], "year": [1900, 2000, 2100]},
    {"compute": [1, 10, 100], "year": [2000, 2000 + 1e-10, 2000 + 2e-10]},
    {"error": [0.5, 0.5000001, 0.5, 0.4999999], "compute": [1, 10, 100, 1000], "year": [2001, 2003, 2002, 2009]},
    {"error": [1e-300, 0.5, 0.999999], "compute": [1e-300, 1, 1e300], "year": [1900, 2000, 2100]},
    {"error": [0.1, 0.2, 0.3, 0.4, 0.5], "compute": [1, 10, 100, 1000, 1e4]},
    {"error": [0.3, 0.2, 0.1], "compute": [1, 1 + 1e-15, 1 + 2e-15]},
    {"error": list(0.5 * 10 ** (-0.1 * np.arange(6.0))), "compute": list(10 ** np.arange(6.0)), "year": [2010, 2012, 2011, 2015, 2013, 2016]},
])
def test_every_number_of_an_odd_fit_is_finite_and_in_its_range(arguments):
    result = fit_limits(**arguments)
    json.dumps(result, allow_nan=False)
    _ranges_hold(result)
    text = format_limits_fit(result)
    assert "nan" not in text and "inf" not in text.replace("information", "")


def test_growth_factor_that_underflows_is_none_not_zero():
    derived = fit_limits(compute=[1, 10, 1e300], year=[2010, 2011, 2012])["models"][0]["derived"]
    assert derived["growth_factor_per_year"]["low"] is None and derived["doubling_months"]["value"] is None


def test_an_error_column_that_does_not_vary_is_refused():
    with pytest.raises(InputError) as caught:
        fit_limits([0.5, 0.5, 0.5, 0.5], [1, 10, 100, 1000])
    assert caught.value.field == "error" and str(caught.value) == "error must vary for a fit; all 4 values are 0.5."


def test_a_slope_not_significantly_negative_gives_no_alpha_and_no_projections():
    rng = np.random.default_rng(1)
    result = fit_limits(10 ** rng.uniform(-2, -0.5, 40), 10 ** rng.uniform(0, 3, 40))  # error unrelated to compute
    for name in ("polynomial", "exponential", "quantile"):
        model = _model(result, name)
        assert all(p["log10_compute"] is None and p["compute"] is None for p in model["projections"]), name
        if name != "exponential":
            assert model["derived"]["alpha"] == {"value": None, "low": None, "high": None}
    assert any(note.startswith("polynomial: the slope on log10(compute) is not significantly negative: its 95% interval")
               for note in result["notes"]), result["notes"]
    assert "Performance^" not in format_limits_fit(result)


def test_few_rows_say_the_interval_is_not_available():
    result = fit_limits([0.3, 0.2, 0.1], [1, 10, 100])
    quantile = next(note for note in result["notes"] if note.startswith("quantile:"))
    assert "interval is not available" in quantile and "reaches 0" not in quantile


@pytest.mark.parametrize("arguments, message", [
    ({"compute": [1, 10, 100], "year": [1e300, -1e300, 0]}, "year must be years from 1900 to 2100; got 1e+300 at index 0."),
    ({"compute": [1, 10, -100], "error": [0.5, 0.3, 0.2]}, "compute must be greater than 0; got -100.0 at index 2."),
    ({"compute": [1, 10, 100], "error": [0.5, 0.3, float("inf")]}, "error must be finite numbers; got inf at index 2."),
    ({"compute": [1, 10, 100], "year": [2001, 2002, 2003], "year_origin": 1e300}, "year_origin must be a year from 1900 to 2100; got 1e+300."),
])
def test_messages_name_the_field_and_show_plain_numbers(arguments, message):
    with pytest.raises(InputError) as caught:
        fit_limits(**arguments)
    assert str(caught.value) == message and caught.value.field == message.split()[0]


def test_http_422_shows_plain_numbers():
    from fastapi.testclient import TestClient

    from dlcost.web.app import create_app

    client = TestClient(create_app(), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")
    for body, field, message in (
        ({"compute": [1, 10, -100], "error": [0.5, 0.3, 0.2]}, "compute", "compute must be greater than 0; got -100.0 at index 2."),
        ({"compute": [1, 10, 100], "year": [1e300, -1e300, 0]}, "year", "year must be years from 1900 to 2100; got 1e+300 at index 0."),
    ):
        response = client.post("/api/limits/fit", json=body)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == field and response.json()["detail"][0]["msg"] == message
    response = client.post("/api/limits/fit", json={"compute": [1, 10, 1e300], "year": [2010, 2011, 2012]})
    assert response.status_code == 200 and response.json()["n_skipped"] == 0 and _ranges_hold(response.json()) is None
    assert client.get("/api/limits/examples/secret.csv").status_code == 422


def _run_cli(capsys, args) -> tuple[int, str, str]:
    from dlcost.cli import main

    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_refuses_a_constant_error_column(tmp_path, capsys):
    path = tmp_path / "const.csv"
    path.write_text("c,e\n1,0.5\n10,0.5\n100,0.5\n1000,0.5\n")
    code, out, err = _run_cli(capsys, ["limits", "fit", str(path), "--compute-col", "c", "--error-col", "e"])
    assert code == 2 and out == ""
    assert err == f"Error: error_col: column 'e' of {str(path)!r} must vary for a fit; all 4 usable rows are 0.5.\n"


def test_cli_reports_skipped_rows(tmp_path, capsys):
    path = tmp_path / "blank.csv"
    path.write_text("c,e\n1,0.5\n10,\n100,0.2\n1000,0.1\n,0.3\n")
    code, out, _ = _run_cli(capsys, ["limits", "fit", str(path), "--compute-col", "c", "--error-col", "e"])
    assert code == 0 and "3 observations (2 row(s) with a blank cell skipped)" in out
    assert "2 row(s) with a blank cell were skipped (n_skipped)" in out
    code, out, _ = _run_cli(capsys, ["limits", "fit", str(path), "--compute-col", "c", "--error-col", "e", "--json"])
    assert json.loads(out)["n_skipped"] == 2 and json.loads(out)["n"] == 3
    assert fit_limits([0.3, 0.2, 0.1], [1, 10, 100])["n_skipped"] == 0


def test_cli_reads_accuracy_percent(tmp_path, capsys):
    path = tmp_path / "percent.csv"
    path.write_text("c,acc\n1,70\n10,80\n100,88\n1000,91\n")
    code, out, _ = _run_cli(capsys, ["limits", "fit", str(path), "--compute-col", "c", "--error-col", "acc",
                                     "--accuracy-percent", "--json"])
    assert code == 0 and json.loads(out)["error_range"] == pytest.approx([0.09, 0.30])
    code, _, err = _run_cli(capsys, ["limits", "fit", str(path), "--compute-col", "c", "--error-col", "acc"])
    assert code == 2 and err.rstrip().endswith("pass --accuracy-percent.")


def test_min_rows_is_defined_once():
    import dlcost.engine.limits_fit as engine
    import dlcost.iotools.limits_csv as reader
    assert "MIN_ROWS =" not in inspect.getsource(engine) and "MIN_ROWS =" in inspect.getsource(reader)
    assert engine.MIN_ROWS is reader.MIN_ROWS and engine.YEAR_RANGE is reader.YEAR_RANGE
