"""Wall time of seed 003's section 2 simulation (Figure 1): 1,000 simulations per case in under 60 s.

    .venv/bin/python benchmarks/bench_limits_simulate.py [--reps 1000] [--seed 0] [--alpha-scale 1.0] [--threads N]

Runs `dlcost.engine.limits_simulation.simulate` on the default sample-size grid, all four
models, and prints the wall time, the CPU time (the machine may be shared: CPU over wall
shows how much of it the run got), each model's match with the oracle at 15 observations
(the seed: flexible 1,500, regularized 175) and whether it met "under 60 s".
"""

from __future__ import annotations

import argparse
import time

from dlcost.engine.limits_simulation import simulate

GOAL_S = 60.0
SEED_MATCHES = {"flexible": 1500, "regularized": 175}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--alpha-scale", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    wall, cpu = time.perf_counter(), time.process_time()
    result = simulate(reps=args.reps, seed=args.seed, alpha_scale=args.alpha_scale, n_threads=args.threads)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sizes = result["sample_sizes"]
    print(f"{args.reps:,} simulations per case, {len(sizes)} sample sizes ({sizes[0]:,} to {sizes[-1]:,}), "
          f"alpha_scale {args.alpha_scale:g}: wall {wall:.1f} s, CPU {cpu:.1f} s")
    print(f"oracle's performance at 15 observations: {result['reference_performance']:.3f}")
    for model in result["models"]:
        match, flops = model["matches_oracle_at_15"], model["matches_oracle_at_15_flops"]
        seed = SEED_MATCHES.get(model["name"])
        found = "never, within the grid" if match is None else f"{match:8,.0f} observations, {flops:.3g} FLOP"
        against = f"  (seed: {seed:,}; ratio {match / seed:.2f})" if seed and match else ""
        print(f"  {model['name']:12s} matches it at {found}{against}")
    print(f"under {GOAL_S:.0f} s: {'yes' if wall < GOAL_S else 'no'} ({wall:.1f} s)")


if __name__ == "__main__":
    main()
