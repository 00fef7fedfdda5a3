"""The `dlcost` command line: wiring, exit codes and the exact one-line errors."""

import json
import subprocess
import sys

import pytest

from dlcost.cli import main

FIGURE_2 = [
    "--target-accuracy", "96.5%", "--data-max", "200000", "--cost-per-datapoint", "0.63",
    "--class-counts", "50000,1000", "--pretrained", "--cost-per-flop", "3e-11", "--epochs", "50",
    "--cost-mode", "paper",
]


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_estimate_json(capsys):
    code, out, err = run(capsys, "estimate", *FIGURE_2, "--json")
    assert code == 0 and err == ""
    document = json.loads(out)
    assert document["recommendations"][0]["architecture"] == "EfficientNet-B0"
    assert len(document["recommendations"]) == 3
    for key in ("architecture", "max_achievable_accuracy", "data_needed", "additional_data",
                "training_cost", "data_cost", "total_cost", "feasible"):
        assert key in document["recommendations"][0]
    assert document["warnings"] == []
    assert 0.0139 < document["relative_complexity"] < 0.0140


def test_estimate_table_like_figure2(capsys):
    code, out, _ = run(capsys, "estimate", *FIGURE_2)
    assert code == 0
    for text in ("Inputs", "Target accuracy", "96.50%", "Best model", "EfficientNet-B0", "Total cost"):
        assert text in out


def test_scenario_file_and_flags_override(capsys, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('target-accuracy = 0.965\ndata_max = 200000\ncost_per_datapoint = 0.63\nclasses = 10\ntop = 2\n')
    code, out, _ = run(capsys, "estimate", "--scenario", str(path), "--class-counts", "50000,1000", "--json")
    document = json.loads(out)
    assert code == 0
    assert len(document["recommendations"]) == 2
    assert document["inputs"]["classes"] is None and document["inputs"]["class_counts"] == [50000.0, 1000.0]


def test_class_counts_csv(capsys, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("label,count\nPositive,50000\nNegative,1000\n")
    code, out, _ = run(capsys, "estimate", *FIGURE_2[:6], "--class-counts", str(path), "--json")
    assert code == 0
    assert json.loads(out)["inputs"]["class_counts"] == {"Positive": 50000.0, "Negative": 1000.0}


def test_architecture_filter_and_top(capsys):
    code, out, _ = run(capsys, "estimate", *FIGURE_2, "--architecture", "vgg16", "--architecture", "ResNet-32", "--top", "5", "--json")
    names = [rec["architecture"] for rec in json.loads(out)["recommendations"]]
    assert code == 0 and names == ["ResNet-32", "VGG-16"]


def test_unreachable_target_warns_and_prices_best_reachable(capsys):
    code, out, _ = run(capsys, "estimate", "--target-accuracy", "0.999", "--data-max", "10000",
                       "--cost-per-datapoint", "1", "--classes", "10", "--json")
    document = json.loads(out)
    best = document["recommendations"][0]
    assert code == 0 and not best["feasible"] and not document["target_reachable"]
    assert best["training_images"] == 10000 and best["max_achievable_accuracy"] < 0.999
    assert any("not reachable" in warning for warning in document["warnings"])


def test_out_of_range_warning_in_table(capsys):
    code, out, _ = run(capsys, "estimate", "--target-accuracy", "0.5", "--data-max", "1e6",
                       "--cost-per-datapoint", "1", "--classes", "10", "--no-pretrained")
    assert code == 0 and "Warning 1:" in out


def test_predict_error(capsys):
    code, out, _ = run(capsys, "predict-error", "--data", "3000", "--rc", "0.403", "--model", "paper-2024", "--json")
    document = json.loads(out)
    assert code == 0 and round(document["error"], 3) == 0.101 and document["accuracy"] == pytest.approx(1 - document["error"])


def test_predict_error_table(capsys):
    code, out, _ = run(capsys, "predict-error", "--data", "1e5", "--classes", "10", "--task", "segmentation")
    assert code == 0 and "Predicted mean IoU" in out


def test_architectures(capsys):
    code, out, _ = run(capsys, "architectures", "--json")
    rows = json.loads(out)["architectures"]
    assert code == 0 and len(rows) >= 19
    code, out, _ = run(capsys, "architectures")
    assert code == 0 and "EfficientNet-B0" in out


BAD_INPUTS = [
    # (arguments replacing the named flag of the Figure 2 scenario, exact error line)
    ({"--target-accuracy": "1.2"}, "Error: target_accuracy must be a fraction in (0, 1); got 1.2."),
    ({"--target-accuracy": "96.5"}, "Error: target_accuracy must be a fraction in (0, 1); got 96.5. For 96.5% pass 0.965."),
    ({"--target-accuracy": "0"}, "Error: target_accuracy must be a fraction in (0, 1); got 0.0."),
    ({"--target-accuracy": "150%"}, "Error: target_accuracy must be a fraction in (0, 1); got 1.5."),
    ({"--target-accuracy": "high"}, "Error: target_accuracy must be a fraction such as 0.965 or a percentage such as 96.5%; got 'high'."),
    ({"--data-max": "0"}, "Error: data_max must be greater than 0; got 0.0."),
    ({"--data-max": "-5"}, "Error: data_max must be greater than 0; got -5.0."),
    ({"--data-max": "lots"}, "Error: Invalid value for '--data-max': Input should be a valid number, unable to parse string as a number"),
    ({"--data-max": "20000"}, "Error: data_max must be at least data_present (51000); got 20000."),
    ({"--cost-per-datapoint": "-1"}, "Error: cost_per_datapoint must be 0 or more; got -1.0."),
    ({"--cost-per-flop": "0"}, "Error: cost_per_flop must be greater than 0; got 0.0."),
    ({"--epochs": "-3"}, "Error: epochs must be greater than 0; got -3.0."),
    ({"--class-counts": "50000,-3"}, "Error: class_counts[1] must be greater than 0; got -3.0."),
    ({"--class-counts": "50000,0"}, "Error: class_counts[1] must be greater than 0; got 0.0."),
    ({"--class-counts": "50000,many"}, "Error: class_counts must be comma-separated numbers such as 50000,1000 or a CSV file; item 2 is 'many'."),
    ({"--class-counts": "50000"}, "Error: class_counts must list at least 2 classes; got 1."),
    ({"--class-counts": "missing.csv"}, "Error: class_counts file 'missing.csv' cannot be read: No such file or directory."),
]


def figure2_with(replacements):
    args = list(FIGURE_2)
    for flag, value in replacements.items():
        args[args.index(flag) + 1] = value
    return args


@pytest.mark.parametrize("replacements, message", BAD_INPUTS)
def test_bad_estimate_inputs(capsys, replacements, message):
    code, out, err = run(capsys, "estimate", *figure2_with(replacements))
    assert (code, out, err) == (2, "", message + "\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--classes", "1", "--data-present", "0"], "Error: classes must be a whole number of at least 2; got 1."),
        (["--data-present", "-1"], "Error: data_present must be 0 or more; got -1.0."),
        (["--top", "0"], "Error: top must be a whole number of at least 1; got 0."),
        (["--top", "two"], "Error: Invalid value for '--top': Input should be a valid integer, unable to parse string as an integer"),
        (["--architecture", "EfficientNet-B9"],
         "Error: architecture must be a catalog name; got 'EfficientNet-B9'. Did you mean EfficientNet-B7, EfficientNet-B0, EfficientNetV2-S? (`dlcost architectures` lists all)"),
        (["--task", "detection"], "Error: task must be one of 'classification' or 'segmentation'; got 'detection'."),
        (["--cost-mode", "magic"], "Error: cost_mode must be one of 'paper', 'flops' or 'measured'; got 'magic'."),
    ],
)
def test_more_bad_estimate_inputs(capsys, args, message):
    base = [a for a in FIGURE_2]
    if "--classes" in args:
        i = base.index("--class-counts")
        del base[i:i + 2]
    code, out, err = run(capsys, "estimate", *base, *args)
    assert (code, out, err) == (2, "", message + "\n")


def test_missing_required_input(capsys):
    code, _, err = run(capsys, "estimate", "--target-accuracy", "0.9", "--cost-per-datapoint", "1", "--classes", "3")
    assert (code, err) == (2, "Error: data_max is required.\n")


def test_classes_and_counts_together(capsys, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("classes = 3\nclass_counts = [1, 2]\n")
    code, _, err = run(capsys, "estimate", "--scenario", str(path), *FIGURE_2[:6])
    assert (code, err) == (2, "Error: give either classes or class_counts, not both.\n")


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "Error: scenario file '{path}' cannot be read: No such file or directory."),
        ("target_accuracy = = 3", "Error: scenario file '{path}' is not valid TOML: Invalid value (at line 1, column 19)."),
        ("target_acuracy = 0.9", "Error: target_acuracy is not an input this command knows; check its spelling."),
        ("data_max = 'many'", "Error: data_max must be a number; got 'many'."),
    ],
)
def test_bad_scenario_file(capsys, tmp_path, content, message):
    path = tmp_path / "scenario.toml"
    if content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "estimate", "--scenario", str(path), "--target-accuracy", "0.9",
                         "--cost-per-datapoint", "1", "--classes", "3")
    assert (code, out, err) == (2, "", message.format(path=path) + "\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "0", "--rc", "0.1"], "Error: data must be greater than 0; got 0.0."),
        (["--data", "1000"], "Error: give exactly one of relative_complexity, classes or class_counts."),
        (["--data", "1000", "--rc", "0.1", "--classes", "4"], "Error: give exactly one of relative_complexity, classes or class_counts; got relative_complexity, classes."),
        (["--data", "1000", "--rc", "-0.1"], "Error: relative_complexity must be 0 or more; got -0.1."),
    ],
)
def test_bad_predict_error_inputs(capsys, args, message):
    code, out, err = run(capsys, "predict-error", *args)
    assert (code, out, err) == (2, "", message + "\n")


def test_console_script_exit_code_and_no_traceback():
    result = subprocess.run([sys.executable, "-m", "dlcost.cli", "estimate", "--target-accuracy", "2"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


def test_every_command_has_help(capsys):
    for command in ("estimate", "predict-error", "architectures"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "Usage:" in out


# ----- issue 9: version, replace, help text, segmentation wording --------------------------------
def test_version(capsys):
    import dlcost

    code, out, err = run(capsys, "--version")
    assert (code, out, err) == (0, f"dlcost {dlcost.__version__}\n", "")


def test_estimate_save_replace(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    assert run(capsys, "estimate", *FIGURE_2, "--save", "fig2", "--json")[0] == 0
    code, _, err = run(capsys, "estimate", *FIGURE_2, "--save", "fig2")
    assert (code, err) == (2, "Error: name 'fig2' is already a saved scenario; choose another name or replace it.\n")
    code, out, _ = run(capsys, "estimate", *FIGURE_2, "--top", "1", "--save", "fig2", "--replace", "--json")
    assert code == 0 and len(json.loads(out)["recommendations"]) == 1
    code, out, _ = run(capsys, "scenario", "show", "fig2", "--json")
    assert len(json.loads(out)["result"]["recommendations"]) == 1
    code, _, err = run(capsys, "estimate", *FIGURE_2, "--replace")
    assert (code, err) == (2, "Error: replace: give --save NAME to say which saved scenario to replace.\n")


def _commands():
    import typer

    from dlcost.cli import app

    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


@pytest.mark.parametrize("path, command", _commands(), ids=lambda value: " ".join(value) if isinstance(value, list) else "")
def test_help_lines_end_at_a_word_or_a_sentence(path, command):
    """Click shortens a help text at its first '. ': 'Refit eq. (1) ...' was cut to 'Refit eq.'."""
    if not path:
        return
    short = command.get_short_help_str(limit=300)
    assert short, f"{' '.join(path)} has no help text"
    for abbreviation in ("eq.", "e.g.", "i.e.", "vs.", "etc."):
        assert not short.endswith(abbreviation), f"{' '.join(path)}: {short!r}"


def test_segmentation_output_says_mean_iou(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps long labels in a narrow terminal
    code, out, _ = run(capsys, "estimate", "--task", "segmentation", "--target-accuracy", "60%", "--data-max", "50000",
                       "--cost-per-datapoint", "2", "--classes", "20", "--cost-mode", "flops")
    assert code == 0
    assert "Target mean IoU" in out and "Max achievable mean IoU" in out and "accuracy" not in out.split("Recommendations")[1]
    code, out, _ = run(capsys, "predict-error", "--data", "3000", "--rc", "0.4", "--task", "segmentation")
    assert code == 0 and "Predicted mean IoU" in out


# ----- issue 11: no traceback for bad input ------------------------------------------------------
HUGE_FIELD = "x" * 140_000


def test_class_counts_of_cifar_100_inline(capsys):
    """100 inline classes were tried as a file name first: OSError 'File name too long'."""
    code, out, err = run(capsys, "estimate", *figure2_with({"--class-counts": ",".join(["500"] * 100)}), "--json")
    assert (code, err) == (0, "") and json.loads(out)["inputs"]["class_counts"] == [500.0] * 100


def test_class_counts_csv_with_a_huge_field(capsys, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(f'label,count\ncat,"{HUGE_FIELD}"\n')
    code, out, err = run(capsys, "estimate", *figure2_with({"--class-counts": str(path)}))
    assert (code, out, err) == (2, "", f"Error: class_counts file '{path}' line 2 is not valid CSV: "
                                       "a field is longer than 131,072 characters.\n")


def test_bom_scenario_and_class_counts_files(capsys, tmp_path):
    """Files saved by spreadsheet programs and Windows editors start with a byte-order mark."""
    scenario, counts = tmp_path / "s.toml", tmp_path / "counts.csv"
    scenario.write_bytes(b"\xef\xbb\xbftarget_accuracy = 0.965\ndata_max = 200000\ncost_per_datapoint = 0.63\n")
    counts.write_bytes(b"\xef\xbb\xbfPositive,50000\r\nNegative,1000\r\n")
    code, out, err = run(capsys, "estimate", "--scenario", str(scenario), "--class-counts", str(counts), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["inputs"]["class_counts"] == {"Positive": 50000.0, "Negative": 1000.0}


def test_observation_import_with_a_huge_field(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    path = tmp_path / "obs.csv"
    path.write_text("dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\n"
                    f'cifar,classification,1000,10,yes,accuracy,"{HUGE_FIELD}"\n')
    code, out, err = run(capsys, "observation", "import", str(path))
    assert (code, out, err) == (2, "", f"Error: observations file {str(path)!r} line 2 is not valid CSV: "
                                       "a field is longer than 131,072 characters.\n")


def test_non_utf8_config_names_the_file(capsys, tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe[hardware]\n")
    code, out, err = run(capsys, "hardware", "--config", str(path))
    assert (code, out, err) == (2, "", f"Error: config file '{path}' must be UTF-8 text; byte 0xff at position 0 is not. "
                                       "Save it as UTF-8.\n")


def test_corrupt_saved_throughput_names_the_file(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    (tmp_path / "throughput.csv").write_text("architecture,gpu\nResNet-18\n")
    code, out, err = run(capsys, "estimate", *FIGURE_2)
    assert (code, out) == (2, "")
    assert err == (f"Error: saved measurements file '{tmp_path / 'throughput.csv'}' must have the columns architecture, gpu, "
                   "precision, resolution_px, train_images_per_s (as `dlcost bench --save` writes them); got 'architecture,gpu'. "
                   "Move it aside and measure again.\n")


def test_model_plot_into_a_missing_folder(capsys, tmp_path, monkeypatch):
    pytest.importorskip("statsmodels")
    monkeypatch.setenv("DLCOST_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    assert run(capsys, "observation", "import", "--examples")[0] == 0
    assert run(capsys, "model", "fit", "mine")[0] == 0
    out_path = tmp_path / "absent" / "figure3.png"
    code, out, err = run(capsys, "model", "plot", "mine", "--out", str(out_path))
    assert (code, out, err) == (2, "", f"Error: out file '{out_path}' cannot be written: the folder '{out_path.parent}' "
                                       "does not exist; create it or choose another path.\n")


def test_bench_save_into_a_data_dir_that_is_a_file(capsys, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("DLCOST_DATA_DIR", str(blocker / "data"))
    code, out, err = run(capsys, "bench", "--loader", "--images", "4", "--workers", "0", "--save")
    assert (code, out, err) == (2, "", f"Error: data directory '{blocker / 'data'}' (DLCOST_DATA_DIR) cannot be created: "
                                       "Not a directory. Set DLCOST_DATA_DIR to a folder.\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--port", "74237"], "Error: port must be at most 65535; got 74237."),
        (["--port", "0"], "Error: port must be a whole number of at least 1; got 0."),
        (["--host", "192.0.2.1"], "Error: host must be an address of this machine, such as 127.0.0.1, ::1 or 0.0.0.0; "
                                  "got '192.0.2.1' (Cannot assign requested address)."),
        (["--host", "a" * 64], "Error: host must be an address or name of this machine, such as 127.0.0.1, ::1 or 0.0.0.0 "
                               f"(empty: every interface); got '{'a' * 64}' (encoding with 'idna' codec failed "
                               "(UnicodeError: label too long))."),
    ],
)
def test_serve_bad_address(capsys, args, message):
    """--port 74237 listened on 8701 (taken mod 65536); a bad host exited 3 with uvicorn's log line."""
    pytest.importorskip("uvicorn")
    code, out, err = run(capsys, "serve", *args)
    assert (code, out, err) == (2, "", message + "\n")


def test_serve_port_in_use(capsys):
    pytest.importorskip("uvicorn")
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port))
    assert (code, out, err) == (2, "", f"Error: port must be free on 127.0.0.1; {port} is in use. "
                                       "Stop the other server or choose another --port.\n")


def test_runtime_warnings_do_not_precede_the_error_line(capsys, monkeypatch):
    """numpy's overflow warnings on extreme inputs printed before 'Error:'."""
    import warnings

    import dlcost.iotools.scenario_file as scenario_file

    def warn_then_refuse(text, name="class_counts"):
        warnings.warn("overflow encountered in scalar multiply", RuntimeWarning)
        raise scenario_file.InputError("class_counts", "class_counts must be positive.")

    monkeypatch.setattr(scenario_file, "parse_class_counts", warn_then_refuse)
    code, out, err = run(capsys, "estimate", *FIGURE_2)
    assert (code, out, err) == (2, "", "Error: class_counts must be positive.\n")


def test_extreme_pilot_point_gives_only_the_error_line():
    """A point at 1e308 images overflowed in the fit: three RuntimeWarnings came before 'Error:'."""
    result = subprocess.run([sys.executable, "-m", "dlcost.cli", "learning-curve", "fit", "--point", "1000:0.25",
                             "--point", "1e308:0.1", "--target-accuracy", "0.9"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("flag", ["--classes", "--top", "--gpus", "--baseline-classes"])
def test_integer_of_hundreds_of_digits(capsys, flag):
    """A 400-digit integer raised OverflowError (int too large to convert to float)."""
    base = figure2_with({})
    if flag == "--classes":
        del base[base.index("--class-counts"):base.index("--class-counts") + 2]
    code, out, err = run(capsys, "estimate", *base, flag, "1" + "0" * 399)
    assert (code, out, err) == (2, "", f"Error: {flag[2:].replace('-', '_')} must be a finite number; got an integer of 400 digits.\n")


@pytest.mark.parametrize("value", ["1e400", "9" * 400])
def test_float_option_beyond_float_range(capsys, value):
    code, out, err = run(capsys, "estimate", *figure2_with({"--data-max": value}))
    assert (code, out, err) == (2, "", "Error: data_max must be a finite number; got inf.\n")


def test_serve_bounds_slow_and_many_clients(capsys, monkeypatch):
    """Issue 11: the served configuration closes idle connections and bounds how many are open."""
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    import socket

    with socket.socket() as probe:  # a free port: serve binds it once before handing it to uvicorn
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, err = run(capsys, "serve", "--port", str(port))
    assert (code, err) == (0, ""), err
    assert seen["timeout_keep_alive"] == 5 and seen["limit_concurrency"] == 200
    assert seen["h11_max_incomplete_event_size"] == 16 * 1024 and seen["host"] == "127.0.0.1"


# ----- issue 11: an empty name is an error, not the default ---------------------------------------
EMPTY_MODEL = ("Error: model must name an error model, dlcost-2026, paper-2024 or a fitted one (`dlcost model list`); got {value!r}. "
               "Leave --model out for the active model.\n")


@pytest.mark.parametrize("value", ["", "   "])
@pytest.mark.parametrize(
    "command",
    [
        ["estimate", *FIGURE_2],
        ["predict-error", "--data", "1000", "--rc", "0.1"],
        ["learning-curve", "fit", "--point", "1000:0.3", "--target-accuracy", "0.9"],
        ["scenario", "save", "mine", "--scenario", "absent.toml"],
    ],
    ids=lambda command: " ".join(command[:2]),
)
def test_empty_model_is_an_error(capsys, command, value):
    """--model "" answered with the active model, as if the option were left out."""
    code, out, err = run(capsys, *command, "--model", value)
    assert (code, out, err) == (2, "", EMPTY_MODEL.format(value=value))


def test_empty_gpu_is_an_error(capsys):
    code, out, err = run(capsys, "estimate", *FIGURE_2, "--gpu", "")
    assert (code, out, err) == (2, "", "Error: gpu must name an accelerator (`dlcost hardware` lists them); got ''. "
                                       "Leave it out for the default.\n")


def test_empty_gpu_for_bench_is_an_error(capsys):
    """bench --gpu "" matched the device's name, as if the option were left out (and measured first)."""
    code, out, err = run(capsys, "bench", "ResNet-18", "--gpu", "")
    assert (code, out, err) == (2, "", "Error: gpu must name an accelerator of the hardware catalog (`dlcost hardware` lists "
                                       "them); got ''. Leave --gpu out to match the device's name.\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--steps", "0"], "steps must be a whole number from 1 to 100,000; got 0."),
        (["--warmup-steps", "-1"], "warmup_steps must be a whole number from 0 to 100,000; got -1."),
        (["--batch-size", "100000"], "batch_size must be a whole number from 1 to 65,536; got 100000."),
        (["--resolution", "1" + "0" * 399], "resolution must be a whole number from 1 to 100,000; got an integer of 400 digits."),
        (["--loader", "--workers", "1000"], "workers must be a whole number from 0 to 256; got 1000."),
        (["--loader", "--images", "0"], "images must be a whole number from 1 to 100,000; got 0."),
        (["--precision", "int8"], "precision must be one of 'bf16', 'fp16', 'tf32', 'fp32'; got 'int8'."),
        (["--device", ""], "device must be one of 'cuda', 'cpu'; got ''."),
    ],
)
def test_bench_settings_are_bounded_before_measuring(capsys, args, message):
    code, out, err = run(capsys, "bench", "ResNet-18", *args)
    assert (code, out, err) == (2, "", f"Error: {message}\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--epochs", "0"], "epochs must be a whole number from 1 to 100,000; got 0."),
        (["--seed", "-1"], "seed must be a whole number from 0 to 4,294,967,295; got -1."),
        (["--learning-rate", "inf"], "learning_rate must be a number in (0, 10]; got inf."),
        (["--learning-rate", "nan"], "learning_rate must be a number in (0, 10]; got nan."),
        (["--validation-fraction", "1"], "validation_fraction must be a fraction in (0, 1); got 1.0."),
        (["--fractions", ""], "fractions must be comma-separated numbers such as 0.1,0.2,0.4; got ''."),
        (["--batch-size", "0"], "batch_size must be a whole number from 1 to 65,536; got 0."),
    ],
)
def test_pilot_run_settings_are_bounded_before_training(capsys, tmp_path, args, message):
    code, out, err = run(capsys, "learning-curve", "run", str(tmp_path), "--architecture", "ResNet-18", *args)
    assert (code, out, err) == (2, "", f"Error: {message}\n")


def test_out_of_memory_in_a_measurement_is_one_line(capsys, monkeypatch):
    import dlcost.bench

    def out_of_memory(*args, **kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 GiB\nmore detail")

    monkeypatch.setattr(dlcost.bench, "run_training_bench", out_of_memory)
    code, out, err = run(capsys, "bench", "ResNet-18", "--batch-size", "4096")
    assert (code, out, err) == (2, "", "Error: batch_size: the training benchmark ran out of memory (CUDA out of memory. "
                                       "Tried to allocate 20.00 GiB); choose a smaller --batch-size or --resolution.\n")


def test_baseline_class_counts_errors_name_it(capsys):
    """A bad --baseline-class-counts was reported as class_counts."""
    code, out, err = run(capsys, "estimate", *FIGURE_2, "--baseline-class-counts", "1000,many")
    assert (code, out, err) == (2, "", "Error: baseline_class_counts must be comma-separated numbers such as 50000,1000 or a "
                                       "CSV file; item 2 is 'many'.\n")


def test_plot_of_a_format_matplotlib_does_not_write(capsys):
    pytest.importorskip("matplotlib")
    code, out, err = run(capsys, "learning-curve", "fit", "--point", "1000:0.3", "--target-accuracy", "0.9", "--plot", "p.csv")
    assert (code, out) == (2, "")
    assert err.startswith("Error: plot must be a .png file (or .") and err.endswith("; got 'p.csv'.\n")


def test_pilot_run_outputs_are_checked_before_training(capsys, tmp_path):
    path = tmp_path / "absent" / "points.csv"
    code, out, err = run(capsys, "learning-curve", "run", str(tmp_path), "--architecture", "ResNet-18", "--save-points", str(path))
    assert (code, out, err) == (2, "", f"Error: save_points file '{path}' cannot be written: the folder '{path.parent}' does "
                                       "not exist; create it or choose another path.\n")
