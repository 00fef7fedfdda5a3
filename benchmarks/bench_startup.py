"""Start-up time of the `dlcost` command line (target: `dlcost --help` under 0.3 s).

Runs each command several times in fresh processes and prints the median and
best wall-clock times, and which heavy modules `--help` imported.

    python benchmarks/bench_startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = [["--help"], ["estimate", "--help"], ["architectures", "--json"]]
HEAVY = ("numpy", "scipy", "pydantic", "statsmodels", "torch", "matplotlib", "rich.table")


def time_command(executable: list[str], args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([*executable, *args], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def heavy_imports_of_help() -> list[str]:
    code = "import sys; from dlcost.cli import main; main(['--help']); print(sorted(m for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    loaded = out.strip().splitlines()[-1]
    return [name for name in HEAVY if f"'{name}'" in loaded]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    script = shutil.which("dlcost", path=os.path.dirname(sys.executable)) or shutil.which("dlcost")
    executable = [script] if script else [sys.executable, "-m", "dlcost.cli"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.repeat} runs each")
    print(f"{'command':32s} {'median s':>9s} {'best s':>8s}")
    for command in COMMANDS:
        times = time_command(executable, command, args.repeat)
        print(f"{'dlcost ' + ' '.join(command):32s} {statistics.median(times):9.3f} {min(times):8.3f}")
    print("heavy modules imported by `dlcost --help`:", ", ".join(heavy_imports_of_help()) or "none")


if __name__ == "__main__":
    main()
