"""Pilot intervals on the corpus: hide each series' largest size and predict it from the rest.

    .venv/bin/python scripts/pilot_coverage_corpus.py [--level 0.8]

A series is one dataset, backbone, pretraining method and metric measured at several sizes
(VTAB: 1,000 images and full size; UniMatch COCO: 5 sizes; chest X-ray: 2). Its smaller sizes
are the pilot; `dlcost.engine.pilot.fit_pilot` predicts the error at the largest size, with
the prior of dlcost-2026 refitted without that dataset (no leak), and, for comparison, with
paper-2024's. Prints the share of hidden errors inside the interval, the median
|log10(predicted/observed)|, and the median width (high/low) of the predicted error interval.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
from collections import defaultdict

from dlcost import catalog
from dlcost.engine import bounded_fit
from dlcost.engine.pilot import fit_pilot
from dlcost.schemas import LearningCurveQuery
from dlcost.service.corpus_model import corpus


def series(observations):
    groups = defaultdict(list)
    for o in observations:
        if bounded_fit.left_out_reason(o) or o.task == "detection":
            continue
        method = re.search(r"VTAB method ([^;]+);", o.notes or "")
        key = (bounded_fit.dataset_key(o.dataset), o.architecture or "", method.group(1) if method else "", o.pretrained, o.metric_name)
        groups[key].append(o)
    return {k: sorted(v, key=lambda o: o.n_train) for k, v in groups.items() if len({o.n_train for o in v}) >= 2}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--level", type=float, default=0.8)
    args = parser.parse_args()
    observations = corpus()
    data = bounded_fit.features(observations)
    priors = {}
    for dataset in sorted(set(data.datasets.tolist())):
        keep = data.datasets != dataset
        train = bounded_fit.Features(data.x[keep], data.z[keep], data.log10_error[keep], data.chance[keep], data.datasets[keep],
                                     data.sources[keep], data.kinds[keep], [])
        fitted = bounded_fit.fit_bounded(train).model
        priors[dataset] = catalog.ErrorModel(name=f"dlcost-2026 without {dataset}", coefficients=None, table=(), r2=math.nan,
                                             n=len(train), bounded=fitted)
    results = {"dlcost-2026 (refit without the dataset)": [], "paper-2024": []}
    for key, rows in series(observations).items():
        pilot, hidden = [o for o in rows if o.n_train < rows[-1].n_train], rows[-1]
        points = [[o.n_train, o.error] for o in pilot]
        classes = {"classes": pilot[0].n_classes} if pilot[0].n_classes else {"relative_complexity": pilot[0].relative_complexity}
        query = LearningCurveQuery(points=points, target_accuracy=min(0.999, 1 - hidden.error / 2), pretrained=pilot[0].pretrained,
                                   task=pilot[0].task, predict_n_train=hidden.n_train, interval_level=args.level, **classes)
        for label, model in (("dlcost-2026 (refit without the dataset)", priors[key[0]]), ("paper-2024", catalog.error_model("paper-2024"))):
            prediction = fit_pilot(query, model).prediction
            low, high, point = prediction["error_low"], prediction["error_high"], prediction["error"]
            results[label].append((low <= hidden.error <= high, abs(math.log10(point / hidden.error)), high / low if low else math.inf))
    print(f"{len(next(iter(results.values())))} series; the largest size hidden and predicted from the smaller ones; {args.level:.0%} intervals")
    for label, rows in results.items():
        print(f"  prior {label:40s} coverage {sum(r[0] for r in rows) / len(rows):.0%}  median |log10| "
              f"{statistics.median(r[1] for r in rows):.3f}  median interval width {statistics.median(r[2] for r in rows):.1f}x")


if __name__ == "__main__":
    main()
