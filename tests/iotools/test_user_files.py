"""The readers of a user's files: a byte-order mark is read, and every malformed, unreadable or
non-UTF-8 file raises InputError naming the file (issue 11), never csv.Error or UnicodeDecodeError."""

import pytest

from dlcost.core.checks import InputError
from dlcost.iotools.observations_csv import parse_observations_csv
from dlcost.iotools.points import read_points_csv, write_points_csv
from dlcost.iotools.scenario_file import parse_class_counts, read_scenario_file
from dlcost.iotools.user_files import load_user_hardware

HEADER = "dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\n"
ROW = "cifar,classification,1000,10,yes,accuracy,0.9\n"
HUGE_FIELD = "x" * 140_000
TOO_LONG = "a field is longer than 131,072 characters"


def test_class_counts_of_cifar_100_inline():
    """100 inline classes were tried as a file name first: OSError 'File name too long'."""
    assert parse_class_counts(",".join(["500"] * 100)) == [500.0] * 100


def test_class_counts_csv_with_bom_and_crlf(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_bytes(b"\xef\xbb\xbfcat,5000\r\ndog,1000\r\n")
    assert parse_class_counts(str(path)) == {"cat": 5000.0, "dog": 1000.0}


@pytest.mark.parametrize(
    "content, message",
    [
        (f'label,count\na,"{HUGE_FIELD}"\n'.encode(), f"class_counts file '{{path}}' line 2 is not valid CSV: {TOO_LONG}."),
        (b"cat,5000\n\xffdog,1000\n",
         "class_counts file '{path}' must be UTF-8 text; byte 0xff at position 9 is not. Save it as UTF-8."),
    ],
)
def test_bad_class_counts_file(tmp_path, content, message):
    path = tmp_path / "counts.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        parse_class_counts(str(path))
    assert (caught.value.field, str(caught.value)) == ("class_counts", message.format(path=path))


def test_points_csv_with_bom(tmp_path):
    path = tmp_path / "points.csv"
    path.write_bytes(b"\xef\xbb\xbfn_train,error\r\n1000,0.25\r\n2000,0.2\r\n")
    assert read_points_csv(path) == [{"n_train": 1000.0, "error": 0.25}, {"n_train": 2000.0, "error": 0.2}]


def test_points_csv_with_a_huge_field(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(f'n_train,error\n1000,"{HUGE_FIELD}"\n')
    with pytest.raises(InputError, match=f"^points file '{path}' line 2 is not valid CSV: {TOO_LONG}.$"):
        read_points_csv(path)


def test_points_written_then_read_back(tmp_path):
    points = [{"n_train": 100, "error": 0.3}, {"n_train": 200, "error": 0.25}]
    assert read_points_csv(write_points_csv(points, tmp_path / "p.csv")) == points


def test_points_written_to_a_missing_folder(tmp_path):
    path = tmp_path / "absent" / "p.csv"
    with pytest.raises(InputError) as caught:
        write_points_csv([{"n_train": 100, "error": 0.3}], path)
    assert caught.value.field == "save_points"
    assert str(caught.value) == (f"points file '{path}' cannot be written: the folder '{path.parent}' does not exist; "
                                 "create it or choose another path.")


def test_scenario_file_with_bom(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(b"\xef\xbb\xbftarget_accuracy = 0.9\n")
    assert read_scenario_file(path) == {"target_accuracy": 0.9}


def test_observations_with_bom_and_bare_cr():
    """A bare CR ends a row, as in files saved by old Mac programs (it raised csv.Error: HTTP 500)."""
    observations = parse_observations_csv("\ufeff" + (HEADER + ROW).replace("\n", "\r"))
    assert [(o.dataset, o.n_train) for o in observations] == [("cifar", 1000)]


def test_observations_with_a_huge_field():
    with pytest.raises(InputError) as caught:
        parse_observations_csv(HEADER + f'cifar,classification,1000,10,yes,accuracy,"{HUGE_FIELD}"\n')
    assert (caught.value.field, caught.value.line, str(caught.value)) == ("file", 2, f"line 2 is not valid CSV: {TOO_LONG}.")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("throughput.csv", b"architecture,gpu\xff\n",
         "saved measurements file '{path}' must be UTF-8 text; byte 0xff at position 16 is not. Save it as UTF-8."),
        ("throughput.csv", b"a,b\n1,2\n",
         "saved measurements file '{path}' must have the columns architecture, gpu, precision, resolution_px, "
         "train_images_per_s (as `dlcost bench --save` writes them); got 'a,b'. Move it aside and measure again."),
        ("throughput.csv", b"architecture,gpu,precision,resolution_px,train_images_per_s\nResNet-18,H100,bf16,224,fast\n",
         "saved measurements file '{path}' line 2: train_images_per_s must be a number in [0.001, 1e+09] images/s; got 'fast'."),
        ("throughput.csv", f'architecture,gpu\n"{HUGE_FIELD}",H100\n'.encode(),
         f"saved measurements file '{{path}}' line 2 is not valid CSV: {TOO_LONG}."),
        ("loader_throughput.csv", b"cpu_model,cores_used,images_per_s_per_core,measured_on\nEPYC,1,,2026-01-01\n",
         "saved loader measurements file '{path}' line 2: images_per_s_per_core must be a number in [0.001, 1e+09] images/s "
         "per core; got ''."),
    ],
)
def test_bad_saved_measurements_name_the_file(tmp_path, monkeypatch, name, content, message):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_user_hardware()
    assert (caught.value.field, str(caught.value)) == ("saved_measurements", message.format(path=tmp_path / name))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe[hardware]\n", "config file '{path}' must be UTF-8 text; byte 0xff at position 0 is not. Save it as UTF-8."),
        (b"[hardware\n",
         "config file '{path}' is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 10)."),
    ],
)
def test_bad_config_names_the_file(tmp_path, content, message):
    path = tmp_path / "config.toml"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_user_hardware(path)
    assert (caught.value.field, str(caught.value)) == ("config", message.format(path=path))


def test_config_and_saved_measurements_with_bom(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    (tmp_path / "throughput.csv").write_bytes(
        b"\xef\xbb\xbfarchitecture,gpu,precision,resolution_px,train_images_per_s\nResNet-18,MyGPU,bf16,224,999\n")
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xef\xbb\xbf[hardware.MyGPU]\nfp32_tflops = 20.0\ntdp_w = 300\n")
    catalog = load_user_hardware(config)
    assert catalog.find_accelerator("MyGPU").tdp_w == 300
    assert catalog.measurements("ResNet-18")[-1].train_images_per_s == 999
