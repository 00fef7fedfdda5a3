"""`dlcost learning-curve fit` and the join layer (dlcost.learning_curves): wiring, the
JSON document, the CSV reader, the plot and the exact one-line errors (exit 2)."""

import json

import pytest

from dlcost.cli import main
from dlcost.engine.pilot import fit_pilot
from dlcost.iotools.points import read_points_csv
from dlcost.reports.plots import plot_learning_curve
from dlcost.schemas import LearningCurveQuery

# e = 3 n^-0.5 + 0.01 at 250 ... 32,000 images (noise-free): the floor family fits it exactly.
FLOOR_POINTS = [f"{n}:{3 * n ** -0.5 + 0.01!r}" for n in (250, 500, 1000, 2000, 4000, 8000, 16000, 32000)]
# e = 2 n^-0.35 at 500 ... 8,000 images.
POWER_POINTS = [f"{n}:{2 * n ** -0.35!r}" for n in (500, 1000, 2000, 4000, 8000)]


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def with_flags(flag, values):
    return [item for value in values for item in (flag, value)]


def test_fit_json_has_the_documented_keys(capsys):
    code, out, err = run(capsys, "learning-curve", "fit", *with_flags("--point", POWER_POINTS),
                         "--target-accuracy", "95%", "--classes", "10", "--json")
    assert code == 0 and err == ""
    document = json.loads(out)
    for key in ("data_needed", "data_needed_low", "data_needed_high", "next_round_size", "family", "parameters",
                "candidates", "floor", "reachable", "points", "curves", "prior", "interval"):
        assert key in document
    assert document["family"] == "power_law" and document["method"] == "selection"
    assert document["parameters"]["b"] == pytest.approx(0.35, rel=1e-6)
    assert document["data_needed"] == pytest.approx((0.05 / 2) ** (-1 / 0.35), rel=1e-6)
    assert document["data_needed_low"] <= document["data_needed"] <= document["data_needed_high"]
    # tau = 0.01 by default: the next round aims at 96%.
    assert document["aim_accuracy"] == pytest.approx(0.96)
    assert document["next_round_size"] == pytest.approx((0.04 / 2) ** (-1 / 0.35) - 8000, rel=1e-6)
    assert {c["family"] for c in document["candidates"]} == {"power_law", "power_law_floor", "arctan", "logarithmic",
                                                             "algebraic_root"}
    assert len(document["curves"]["series"]) >= 2


def test_fit_text_and_plot(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "curve.png"
    code, out, _ = run(capsys, "learning-curve", "fit", "--point", "1000:0.25", "--target-accuracy", "0.9",
                       "--plot", str(plot))
    assert code == 0
    assert out.startswith("Curve: power law with eq. (1) prior")
    assert "Data needed for 90.00%:" in out and "Next round: collect" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_one_point_gives_an_answer_and_more_points_narrow_it():
    widths = []
    for k in (1, 2, 5):
        points = [[float(p.split(":")[0]), float(p.split(":")[1])] for p in POWER_POINTS[:k]]
        result = fit_pilot(LearningCurveQuery(points=points, target_accuracy=0.95, classes=10))
        assert result.data_needed is not None
        widths.append((result.data_needed_high or float("inf")) / result.data_needed_low)
    assert widths[0] > widths[1] > widths[2]


def test_points_csv_with_accuracy_and_data_max_cap(capsys, tmp_path):
    path = tmp_path / "pilot.csv"
    path.write_text("# my pilot\nn_train,accuracy\n500,0.7\n1000,0.76\n2000,0.81\n", encoding="utf-8")
    assert read_points_csv(path)[0] == {"n_train": 500.0, "error": pytest.approx(0.3)}
    code, out, _ = run(capsys, "learning-curve", "fit", "--points", str(path), "--target-accuracy", "0.95",
                       "--data-max", "10000", "--json")
    document = json.loads(out)
    assert code == 0 and document["next_round_size"] == 8000 and document["next_round_total"] == 10000
    assert any("more than data_max" in note for note in document["notes"])


def test_prediction_at_a_larger_size(capsys):
    code, out, _ = run(capsys, "learning-curve", "fit", *with_flags("--point", POWER_POINTS), "--target-accuracy",
                       "0.9", "--predict-n-train", "16000", "--json")
    prediction = json.loads(out)["prediction"]
    assert prediction["error"] == pytest.approx(2 * 16000**-0.35, rel=1e-6)
    assert prediction["error_low"] < prediction["error"] < prediction["error_high"]


def test_plot_from_the_library(tmp_path):
    pytest.importorskip("matplotlib")
    result = fit_pilot(LearningCurveQuery(points=[[n, 3 * n**-0.5 + 0.01] for n in (250, 500, 1000, 2000, 4000)],
                                          target_accuracy=0.97))
    path = plot_learning_curve(result, tmp_path / "floor.png")
    assert path.stat().st_size > 10_000
    assert sum(series["chosen"] for series in result.curves["series"]) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--target-accuracy", "0.9"], "Error: points must list at least one (n_train, error) pair, e.g. 1000:0.25; got none.\n"),
        (["--point", "2000:0.2", "--point", "1000:0.25", "--target-accuracy", "0.9"],
         "Error: points must have increasing sizes; points[1].n_train is 1000 after 2000. List them from the smallest "
         "subset to the largest, one per size.\n"),
        (["--point", "1000:0.3", "--point", "1000:0.25", "--target-accuracy", "0.9"],
         "Error: points must have increasing sizes; points[1].n_train is 1000 after 1000. List them from the smallest "
         "subset to the largest, one per size.\n"),
        (["--point", "1000:0", "--target-accuracy", "0.9"], "Error: points[0].error must be a fraction in (0, 1); got 0.0.\n"),
        (["--point", "1000:0.3", "--point", "2000:1.5", "--target-accuracy", "0.9"],
         "Error: points[1].error must be a fraction in (0, 1); got 1.5.\n"),
        (["--point", "1000:25", "--target-accuracy", "0.9"],
         "Error: points[0].error must be a fraction in (0, 1); got 25.0. For 25% pass 0.25.\n"),
        (["--point", "-5:0.3", "--target-accuracy", "0.9"], "Error: points[0].n_train must be greater than 0; got -5.0.\n"),
        (["--point", "1000", "--target-accuracy", "0.9"],
         "Error: point must be N:ERROR such as 1000:0.25 (training images:error fraction); got '1000'.\n"),
        (["--point", "1000:0.3"], "Error: target_accuracy is required.\n"),
        (["--point", "1000:0.3", "--target-accuracy", "0.9", "--tau", "2"],
         "Error: tau must be a fraction of accuracy in [0, 1); got 2.0. For 2 points of accuracy pass 0.02.\n"),
        (["--point", "1000:0.3", "--point", "2000:0.2", "--target-accuracy", "0.9", "--data-max", "1500"],
         "Error: data_max must be at least the largest pilot subset (2000); got 1500.\n"),
        (["--point", "1000:0.3", "--target-accuracy", "0.9", "--classes", "10", "--class-counts", "5,5"],
         "Error: give at most one of relative_complexity, classes or class_counts; got classes, class_counts.\n"),
        (["--point", "1000:0.2", "--point", "2000:0.21", "--point", "4000:0.22", "--target-accuracy", "0.9"],
         "Error: target_accuracy 0.9 is unreachable: the fitted power law does not fall to error 0.1 within 10^15 "
         "images (the points show little or no gain from more data). Check the points, or add larger subsets to the "
         "pilot.\n"),
        ([*with_flags("--point", FLOOR_POINTS), "--target-accuracy", "0.995"],
         "Error: target_accuracy 0.995 is unreachable: the fitted power law with floor levels off at error 0.01 "
         "(accuracy 99.00%). Lower the target, or add larger subsets to the pilot to test the floor.\n"),
    ],
)
def test_bad_fit_inputs(capsys, args, message):
    code, out, err = run(capsys, "learning-curve", "fit", *args)
    assert code == 2 and out == "" and err == message


def test_bad_points_files(capsys, tmp_path):
    both = tmp_path / "p.csv"
    both.write_text("n,error\n1000,0.3\n", encoding="utf-8")
    assert run(capsys, "learning-curve", "fit", "--points", str(both), "--point", "1000:0.3", "--target-accuracy",
               "0.9")[2] == "Error: give --point or --points, not both.\n"
    header = tmp_path / "header.csv"
    header.write_text("size,err\n1000,0.3\n", encoding="utf-8")
    assert run(capsys, "learning-curve", "fit", "--points", str(header), "--target-accuracy", "0.9")[2] == (
        f"Error: points file {str(header)!r} must have a header with columns n,error, n_train,error or "
        "n_train,accuracy; got 'size,err'.\n")
    value = tmp_path / "value.csv"
    value.write_text("n_train,accuracy\n1000,0.7\n2000,97\n", encoding="utf-8")
    assert run(capsys, "learning-curve", "fit", "--points", str(value), "--target-accuracy", "0.9")[2] == (
        f"Error: points file {str(value)!r} line 3: accuracy must be a fraction in (0, 1); got 97.0. For 97% pass 0.97.\n")
    missing = tmp_path / "absent.csv"
    assert run(capsys, "learning-curve", "fit", "--points", str(missing), "--target-accuracy", "0.9")[2] == (
        f"Error: points file {str(missing)!r} cannot be read: No such file or directory.\n")


def test_learning_curve_commands_have_help(capsys):
    for command in (["learning-curve"], ["learning-curve", "fit"], ["learning-curve", "run"]):
        code, out, _ = run(capsys, *command, "--help")
        assert code == 0 and "Usage:" in out


def test_plot_into_a_missing_folder(capsys, tmp_path):
    """Issue 11: a --plot path in a missing folder gave FileNotFoundError and a traceback."""
    pytest.importorskip("matplotlib")
    plot = tmp_path / "absent" / "curve.png"
    code, out, err = run(capsys, "learning-curve", "fit", "--point", "1000:0.25", "--target-accuracy", "0.9",
                         "--plot", str(plot))
    assert (code, out, err) == (2, "", f"Error: plot file '{plot}' cannot be written: the folder '{plot.parent}' does not "
                                       "exist; create it or choose another path.\n")


def test_points_file_with_bom_and_a_huge_field(capsys, tmp_path):
    """Issue 11: a BOM-prefixed points file was refused; a field over 131,072 characters raised csv.Error."""
    path = tmp_path / "points.csv"
    path.write_bytes(b"\xef\xbb\xbfn_train,error\r\n1000,0.25\r\n")
    code, _, err = run(capsys, "learning-curve", "fit", "--points", str(path), "--target-accuracy", "0.9")
    assert (code, err) == (0, "")
    path.write_text('n_train,error\n1000,"' + "x" * 140_000 + '"\n')
    code, out, err = run(capsys, "learning-curve", "fit", "--points", str(path), "--target-accuracy", "0.9")
    assert (code, out, err) == (2, "", f"Error: points file '{path}' line 2 is not valid CSV: "
                                       "a field is longer than 131,072 characters.\n")
