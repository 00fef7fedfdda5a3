"""Cost that must not grow with the store (issue 11): estimate latency and bulk import.

Prints, for SQLite stores in a temporary folder holding 0, 10k, 100k and 1M synthetic
observations (distinct rows in the columns of vtab_calibration.csv):

- estimate latency, in-process through ``dlcost.service.workspace.Workspace`` with the
  shipped hardware, after a warm-up estimate without a store (lazy imports): the first
  estimate after the observations changed (opening the store; it recalibrates the
  interval once and saves it), the steady state (median and best of repeated
  estimates), and a new process (opening the store and reading the saved calibration:
  what a CLI estimate pays beyond start-up);
- import rate [rows/s] and peak RSS [MB] of ``import_observations_csv`` for each file
  (goal for 1M rows: >= 50k rows/s and < 500 MB), in a fresh process each.

Goals: steady and new-process latency flat within 2x from 0 to 1M observations.

    python benchmarks/bench_store.py [--sizes 0,10000,100000,1000000] [--repeat 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HEADER = "source,dataset,task,n_train,n_classes,balanced,pretrained,architecture,epochs,metric_name,metric_value,notes\n"
N_DATASETS = 40
SCENARIO = {"target_accuracy": 0.9, "data_max": 100_000, "cost_per_datapoint": 0.5, "classes": 10, "cost_mode": "flops"}


def write_csv(path: Path, rows: int) -> None:
    """``rows`` distinct synthetic observations (n_train differs in every row), written as they are made."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for i in range(rows):
            pretrained = i % 2 == 1
            accuracy = 55.0 + 40.0 * ((i * 7919) % 1000) / 1000.0  # spread over (55, 95) [%]
            handle.write(f"synthetic lab {i % 3},synthetic {i % N_DATASETS} (bench),classification,{1000 + i},"
                         f"{2 + i % 98},yes,{'yes' if pretrained else 'no'},ResNet50,{90 if pretrained else ''},"
                         f"top-1 accuracy (%),{accuracy:.2f},bench row {i}\n")


# Each measurement runs in a fresh interpreter, so its peak RSS is its own.
IMPORT_CHILD = """
import json, sys, time
from pathlib import Path
from dlcost.store import Store
from dlcost.service.observations import import_observations_csv
store = Store(sys.argv[1])
start = time.perf_counter()
answer = import_observations_csv(store, Path(sys.argv[2]).read_text(encoding="utf-8"))
print(json.dumps({"seconds": time.perf_counter() - start, "imported": answer["imported"]}))
"""

ESTIMATE_CHILD = """
import json, statistics, sys, time
from dlcost.catalog.hardware import load_hardware
from dlcost.schemas import Scenario
from dlcost.service.workspace import Workspace
from dlcost.store import Store
scenario = Scenario.model_validate(json.loads(sys.argv[2]))
Workspace(load_hardware()).estimate(scenario)  # warm: lazy imports and the shipped calibration, as in any process
start = time.perf_counter()
workspace = Workspace(load_hardware(), store=Store(sys.argv[1]))
first = workspace.estimate(scenario)
first_seconds = time.perf_counter() - start
times = []
for _ in range(int(sys.argv[3])):
    start = time.perf_counter()
    workspace.estimate(scenario)
    times.append(time.perf_counter() - start)
print(json.dumps({"first": first_seconds, "steady": statistics.median(times), "best": min(times),
                  "calibration": first.to_dict()["interval"]["calibration"]}))
"""


def run_child(code: str, *args: str) -> tuple[dict, float]:
    """Run ``code`` in a new interpreter; its JSON answer and its peak RSS [MB]."""
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"child failed ({process.returncode}): {err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,10000,100000,1000000", help="stored observations to measure at")
    parser.add_argument("--repeat", type=int, default=20, help="estimates timed for the steady state")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    folder = options.keep or Path(tempfile.mkdtemp(prefix="dlcost-bench-store-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; SQLite stores in {folder}")
    try:
        rows = []
        for size in sizes:
            url = f"sqlite:///{folder / f'store-{size}.sqlite3'}"
            imported = {"seconds": float("nan")}
            import_rss = float("nan")
            if size:
                path = folder / f"observations-{size}.csv"
                write_csv(path, size)
                imported, import_rss = run_child(IMPORT_CHILD, url, str(path))
                path.unlink()
            changed, changed_rss = run_child(ESTIMATE_CHILD, url, json.dumps(SCENARIO), str(options.repeat))
            fresh, _ = run_child(ESTIMATE_CHILD, url, json.dumps(SCENARIO), str(options.repeat))
            rows.append((size, imported, import_rss, changed, changed_rss, fresh))
            _print_row(*rows[-1])
        _print_summary(rows)
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _print_row(size, imported, import_rss, changed, changed_rss, fresh) -> None:
    rate = size / imported["seconds"] if size else float("nan")
    print(f"{size:>9,} observations | import {imported['seconds']:6.1f} s, {rate:7,.0f} rows/s, peak RSS {import_rss:5.0f} MB"
          f" | first estimate after the change {changed['first']:7.3f} s (peak RSS {changed_rss:5.0f} MB)"
          f" | steady {changed['steady'] * 1e3:5.2f} ms (best {changed['best'] * 1e3:5.2f})"
          f" | new process: first {fresh['first'] * 1e3:5.1f} ms, steady {fresh['steady'] * 1e3:5.2f} ms"
          f" (best {fresh['best'] * 1e3:5.2f}) | {fresh['calibration']}", flush=True)


def _print_summary(rows) -> None:
    def ratio(values):
        return max(values) / min(values)

    print(f"# largest/smallest latency over the store sizes (goal <= 2x): steady median "
          f"{ratio([row[3]['steady'] for row in rows]):.2f}x, best {ratio([row[3]['best'] for row in rows]):.2f}x; "
          f"new process first estimate {ratio([row[5]['first'] for row in rows]):.2f}x, "
          f"best {ratio([row[5]['best'] for row in rows]):.2f}x")
    print(f"# load average {os.getloadavg()[0]:.1f} at the end (the machine may be shared: medians move with it)")


if __name__ == "__main__":
    main()
