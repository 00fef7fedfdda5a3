"""Issue 11: every value of the user's hardware config and saved measurements is checked against
its range. A bad one is one line naming the file, the key and the accepted range (CLI: exit 2),
for `dlcost estimate`, `dlcost hardware` and `dlcost serve` alike; the ranges are the schemas'
where an estimate input matches (price_per_hour, gpus, power_w), else the catalog's."""

import pytest

from dlcost.catalog import hardware
from dlcost.cli import main
from dlcost.core.checks import InputError
from dlcost.iotools.user_files import load_user_hardware
from dlcost.schemas.scenario import MAX_GPUS, MAX_PRICE_USD

NEW_GPU = '[hardware.MyGPU]\nfp32_tflops = 20\ntdp_w = 300\n'
PRICE = '[[prices]]\ngpu = "H100"\non_demand_usd_per_gpu_hour = 2.5\n'
HUGE = "1" + "0" * 399
WATTS = f"a number in (0, {hardware.MAX_POWER_W:g}] W"
PEAK = f"a number in [{hardware.MIN_TFLOPS:g}, {hardware.MAX_TFLOPS:g}] TFLOP/s"
DOLLARS = f"a number in (0, {MAX_PRICE_USD:g}] USD per GPU-hour"

BAD_CONFIGS = [
    # (config text, key and rule of the error line, value shown)
    ('[hardware.MyGPU]\nfp32_tflops = 20\ntdp_w = -300\n', f"hardware.MyGPU.tdp_w must be {WATTS}", "-300"),
    ('[hardware.MyGPU]\nfp32_tflops = 20\ntdp_w = 0\n', f"hardware.MyGPU.tdp_w must be {WATTS}", "0"),
    ('[hardware.H100]\ntdp_w = 2e6\n', f"hardware.H100.tdp_w must be {WATTS}", "2000000.0"),
    ('[hardware.H100]\ntdp_w = nan\n', f"hardware.H100.tdp_w must be {WATTS}", "nan"),
    ('[hardware.H100]\ntdp_w = inf\n', f"hardware.H100.tdp_w must be {WATTS}", "inf"),
    ('[hardware.H100]\ntdp_w = true\n', f"hardware.H100.tdp_w must be {WATTS}", "true"),
    ('[hardware.H100]\ntdp_w = "300"\n', f"hardware.H100.tdp_w must be {WATTS}", "'300' (text: write numbers without quotes)"),
    (f'[hardware.H100]\ntdp_w = {HUGE}\n', f"hardware.H100.tdp_w must be {WATTS}", "an integer of 400 digits"),
    ('[hardware."My GPU"]\nfp32_tflops = 1e-300\ntdp_w = 300\n', f'hardware."My GPU".fp32_tflops must be {PEAK}', "1e-300"),
    ('[hardware.H100]\nbf16_tflops = -1\n', f"hardware.H100.bf16_tflops must be {PEAK}", "-1"),
    ('[hardware.H100]\nmemory_gb = 0\n', f"hardware.H100.memory_gb must be a number in (0, {hardware.MAX_MEMORY_GB:g}] GB", "0"),
    ('[hardware.H100]\naliases = "h"\n', "hardware.H100.aliases must be a list of at most 100 texts, each of 1 to 200 characters", "'h'"),
    ('[hardware.H100]\nkind = 3\n', "hardware.H100.kind must be text of 1 to 200 characters", "3"),
    (PRICE.replace("2.5", "-1"), f"prices[0].on_demand_usd_per_gpu_hour must be {DOLLARS}", "-1"),
    (PRICE.replace("2.5", "0"), f"prices[0].on_demand_usd_per_gpu_hour must be {DOLLARS}", "0"),
    (PRICE.replace("2.5", "1e9"), f"prices[0].on_demand_usd_per_gpu_hour must be {DOLLARS}", "1000000000.0"),
    (PRICE.replace("2.5", "false"), f"prices[0].on_demand_usd_per_gpu_hour must be {DOLLARS}", "false"),
    (PRICE + "spot_usd_per_gpu_hour = -0.5\n", f"prices[0].spot_usd_per_gpu_hour must be {DOLLARS}", "-0.5"),
    (PRICE + "gpus_per_instance = 0\n", f"prices[0].gpus_per_instance must be a whole number from 1 to {MAX_GPUS:g} GPUs", "0"),
    (PRICE + "gpus_per_instance = 1.5\n", f"prices[0].gpus_per_instance must be a whole number from 1 to {MAX_GPUS:g} GPUs", "1.5"),
    (PRICE + "vcpus_per_instance = -8\n",
     f"prices[0].vcpus_per_instance must be a number in (0, {hardware.MAX_VCPUS:g}] vCPUs", "-8"),
]


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, rule, shown", BAD_CONFIGS)
def test_bad_config_value_names_file_key_and_range(tmp_path, text, rule, shown):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_user_hardware(path)
    assert caught.value.field == "config"
    assert str(caught.value) == f"config file '{path}': {rule}; got {shown}."


@pytest.mark.parametrize(
    "text, message",
    [
        ('[hardware.H100]\ntdpw = 3\n', "hardware.H100.tdpw is not a key of the config; accepted: aliases, bf16_tflops, "
         "fp16_tflops, fp32_tflops, kind, memory_bandwidth_gbs, memory_gb, notes, release_date, source_specs, tdp_w, "
         "tf32_tflops. Did you mean tdp_w?"),
        (PRICE + "price = 3\n", "prices[0].price is not a key of the config; accepted: gpu, gpus_per_instance, instance, "
         "on_demand_usd_per_gpu_hour, price_date, provider, source, spot_usd_per_gpu_hour, vcpus_per_instance. "
         "Did you mean price_date?"),
        ('[utilization]\ndefault = 2\n', "utilization is not a key of the config; accepted: hardware, prices."),
        ('hardware = 3\n', "hardware must be a table of accelerators, [hardware.NAME]; got 3."),
        ('prices = 3\n', "prices must be an array of tables, [[prices]]; got 3."),
        ('[hardware]\nH100 = 3\n', "hardware.H100 must be a table of the keys aliases, kind, fp32_tflops, tf32_tflops, "
         "bf16_tflops, fp16_tflops, memory_gb, memory_bandwidth_gbs, tdp_w, release_date, source_specs, notes; got 3."),
        ('[hardware.MyGPU]\nfp32_tflops = 20\n', "hardware.MyGPU is a new accelerator, so it needs fp32_tflops and tdp_w; "
         "missing: tdp_w."),
        ('[[prices]]\ngpu = "H100"\n', "prices[0] needs gpu and on_demand_usd_per_gpu_hour; missing: on_demand_usd_per_gpu_hour."),
        (PRICE.replace('"H100"', '"H1000"'), "prices[0].gpu must be a hardware catalog name; got 'H1000'. Did you mean H100, "
         "A100-80GB, A100-40GB? (`dlcost hardware` lists all)"),
    ],
)
def test_bad_config_shape(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_user_hardware(path)
    assert (caught.value.field, str(caught.value)) == ("config", f"config file '{path}': {message}")


def test_good_config_still_merges(tmp_path):
    path = write(tmp_path, NEW_GPU + '[[prices]]\ngpu = "mygpu"\non_demand_usd_per_gpu_hour = 1.25\ngpus_per_instance = 1\n'
                           'vcpus_per_instance = 8\nsource = ""\n')
    catalog = load_user_hardware(path)
    accelerator = catalog.find_accelerator("MyGPU")
    assert accelerator.tdp_w == 300 and catalog.default_price(accelerator).on_demand_usd_per_gpu_hour == 1.25


def test_bounds_are_the_schemas_where_an_input_matches():
    from dlcost.iotools.hardware_files import ACCELERATOR_KEYS, PRICE_KEYS

    assert PRICE_KEYS["on_demand_usd_per_gpu_hour"].high == MAX_PRICE_USD
    assert PRICE_KEYS["gpus_per_instance"].high == MAX_GPUS
    assert ACCELERATOR_KEYS["tdp_w"].high == hardware.MAX_POWER_W
    # every shipped row lies inside the bounds a user's row must keep
    for accelerator in hardware.load_hardware().accelerators:
        assert 0 < accelerator.tdp_w <= hardware.MAX_POWER_W
        assert hardware.MIN_TFLOPS <= accelerator.fp32_tflops <= hardware.MAX_TFLOPS


@pytest.mark.parametrize("command", [["hardware"], ["estimate", "--target-accuracy", "0.9", "--data-max", "1e5",
                                                    "--cost-per-datapoint", "1", "--classes", "10"], ["serve"]])
def test_cli_exit_2_with_one_line(capsys, tmp_path, command):
    path = write(tmp_path, '[hardware.H100]\ntdp_w = -700\n')
    code = main([*command, "--config", str(path)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"Error: config file '{path}': hardware.H100.tdp_w must be {WATTS}; got -700.\n"


def test_config_from_the_environment_is_checked_too(capsys, tmp_path, monkeypatch):
    path = write(tmp_path, PRICE.replace("2.5", "-2.5"))
    monkeypatch.setenv("DLCOST_CONFIG", str(path))
    code = main(["hardware", "--json"])
    assert code == 2
    assert capsys.readouterr().err == (f"Error: config file '{path}': prices[0].on_demand_usd_per_gpu_hour must be "
                                       f"{DOLLARS}; got -2.5.\n")


TRAINING_HEADER = "architecture,gpu,precision,resolution_px,batch_size,train_images_per_s\n"
IMAGES_PER_S = f"a number in [{hardware.MIN_IMAGES_PER_S:g}, {hardware.MAX_IMAGES_PER_S:g}] images/s"


@pytest.mark.parametrize(
    "row, message",
    [
        ("ResNet-18,H100,bf16,224,64,-5", f"train_images_per_s must be {IMAGES_PER_S}; got '-5'."),
        ("ResNet-18,H100,bf16,224,64,0", f"train_images_per_s must be {IMAGES_PER_S}; got '0'."),
        ("ResNet-18,H100,bf16,224,64,nan", f"train_images_per_s must be {IMAGES_PER_S}; got 'nan'."),
        ("ResNet-18,H100,bf16,224,64,1e400", f"train_images_per_s must be {IMAGES_PER_S}; got '1e400'."),
        ("ResNet-18,H100,bf16,224,64,true", f"train_images_per_s must be {IMAGES_PER_S}; got 'true'."),
        ("ResNet-18,H100,bf16,0,64,100",
         f"resolution_px must be a whole number from 1 to {hardware.MAX_RESOLUTION_PX:g} px; got '0'."),
        ("ResNet-18,H100,bf16,224,0.5,100", "batch_size must be a whole number from 1 to 1e+12 images; got '0.5'."),
        ("ResNet-18,H100,int8,224,64,100", "precision must be one of bf16, fp16, tf32, fp32; got 'int8'."),
        ("ResNet-18,,bf16,224,64,100", "gpu must be text of 1 to 200 characters; got ''."),
        ("ResNet-18,H1000,bf16,224,64,100", "gpu must be a hardware catalog name; got 'H1000'. Did you mean H100, A100-80GB, "
         "A100-40GB? (`dlcost hardware` lists all) Add it to the config, or move the file aside."),
    ],
)
def test_bad_saved_throughput(tmp_path, monkeypatch, row, message):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    path = tmp_path / "throughput.csv"
    path.write_text(TRAINING_HEADER + row + "\n")
    with pytest.raises(InputError) as caught:
        load_user_hardware()
    assert (caught.value.field, caught.value.line) == ("saved_measurements", 2)
    assert str(caught.value) == f"saved measurements file '{path}' line 2: {message}"


@pytest.mark.parametrize(
    "row, message",
    [
        ("EPYC,0,100,2026-01-01", f"cores_used must be a whole number from 1 to {hardware.MAX_VCPUS:g} cores; got '0'."),
        ("EPYC,1,inf,2026-01-01", f"images_per_s_per_core must be a number in [{hardware.MIN_IMAGES_PER_S:g}, "
                                  f"{hardware.MAX_IMAGES_PER_S:g}] images/s per core; got 'inf'."),
    ],
)
def test_bad_saved_loader_rate(tmp_path, monkeypatch, row, message):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    path = tmp_path / "loader_throughput.csv"
    path.write_text("cpu_model,cores_used,images_per_s_per_core,measured_on\n" + row + "\n")
    with pytest.raises(InputError) as caught:
        load_user_hardware()
    assert str(caught.value) == f"saved loader measurements file '{path}' line 2: {message}"


def test_saved_throughput_of_a_config_gpu_and_an_empty_batch_size(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    (tmp_path / "throughput.csv").write_text(TRAINING_HEADER + "ResNet-18,MyGPU,bf16,224,,999\n")
    catalog = load_user_hardware(write(tmp_path, NEW_GPU))
    assert catalog.measurements("ResNet-18")[-1].train_images_per_s == 999


def test_saved_throughput_error_from_the_cli(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    path = tmp_path / "throughput.csv"
    path.write_text(TRAINING_HEADER + "ResNet-18,H100,bf16,224,64,-1\n")
    code = main(["estimate", "--target-accuracy", "0.9", "--data-max", "1e5", "--cost-per-datapoint", "1", "--classes", "10"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"Error: saved measurements file '{path}' line 2: train_images_per_s must be {IMAGES_PER_S}; got '-1'.\n"
