#!/usr/bin/env python3
"""The one prepared GPU run of issue 12 (run by issue 16 when a GPU is lent): measure every
catalog classification architecture that torchvision or timm builds, training and inference,
at bf16, tf32 and fp32, with ``dlcost.bench`` (random weights, synthetic data, no downloads).

Writes, under ``--out``:

- ``throughput.csv`` and ``inference_throughput.csv``: rows in the format ``dlcost bench --save``
  writes (ready to append to ``src/dlcost/catalog/throughput.csv`` / ``inference_throughput.csv``
  as ``dlcost bench`` sources), with the command, date and software versions;
- ``run.json``: the device, versions, command, settings, every result and what was skipped.

A time budget (``--budget-s``) stops it before the device's limit: architectures are run
cheapest first and each (architecture, mode, precision) is skipped once the budget is spent.
It needs only torch, torchvision (and timm for the timm-only networks): no pydantic, so it runs
under the GPU image's own python3 with ``PYTHONPATH=src``.

Usage::

    PYTHONPATH=src python3 scripts/gpu_throughput_run.py --out $OUT --gpu H200 --budget-s 420
    PYTHONPATH=src python scripts/gpu_throughput_run.py --out /tmp/x --tiny     # CPU smoke test
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from dlcost import bench, catalog  # noqa: E402

PRECISIONS = ("bf16", "tf32", "fp32")
MODES = ("train", "infer")


def _settings(tiny: bool, mode: str) -> dict:
    if tiny:
        return {"device": "cpu", "batch_size": 2, "resolution_px": 32, "steps": 1, "warmup_steps": 1}
    return {"device": "cuda", "batch_size": 128 if mode == "train" else 256, "resolution_px": None, "steps": 20, "warmup_steps": 5}


def _plan(tiny: bool) -> list:
    """Classification architectures dlcost.bench can build, cheapest forward first."""
    rows = [a for a in catalog.architectures() if a.task == "classification" and (a.torchvision_builder or a.timm_name)]
    rows.sort(key=lambda a: a.forward_gflops)
    return rows[:2] if tiny else rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--gpu", default="H200", help="hardware catalog name the rows are saved under")
    parser.add_argument("--budget-s", type=float, default=420.0, help="stop starting measurements after this many seconds")
    parser.add_argument("--tiny", action="store_true", help="CPU smoke test: two small networks, 32 px, one step, fp32 only")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results, skipped = [], []
    precisions = ("fp32",) if args.tiny else PRECISIONS
    for architecture in _plan(args.tiny):
        for mode in MODES:
            for precision in precisions:
                if time.monotonic() - started > args.budget_s:
                    skipped.append(f"{architecture.name} {mode} {precision}: time budget spent")
                    continue
                settings = _settings(args.tiny, mode)
                try:
                    result = bench.run_training_bench(architecture.name, precision=precision, inference=mode == "infer", **settings)
                except (ValueError, RuntimeError) as error:  # e.g. out of memory, or a network it cannot build
                    skipped.append(f"{architecture.name} {mode} {precision}: {type(error).__name__}: {str(error)[:200]}")
                    continue
                save = bench.save_inference_result if mode == "infer" else bench.save_training_result
                save(result, args.gpu, args.out / ("inference_throughput.csv" if mode == "infer" else "throughput.csv"))
                results.append(result.to_dict())
                print(f"{architecture.name:22s} {mode} {precision}: {result.images_per_s:,.1f} images/s "
                      f"(batch {result.batch_size}, {result.resolution_px} px)", flush=True)
    document = {
        "command": shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "gpu": args.gpu, "seconds": time.monotonic() - started, "results": results, "skipped": skipped,
    }
    (args.out / "run.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"{len(results)} measurements, {len(skipped)} skipped, {document['seconds']:.0f} s; files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
