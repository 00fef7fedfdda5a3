"""Recommendations: the cheapest architectures first (seed 000, "Outputs", Figure 2)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["rank_by_total_cost", "rank_candidates"]


def rank_by_total_cost(total_costs_usd: Sequence[float], names: Sequence[str], top: int) -> list[int]:
    """Indices of the ``top`` cheapest candidates, cheapest first; equal costs by name.

    Seed 000 recommends the three lowest-cost models, "as it is the most desirable
    when performance is equal across multiple models".
    """
    order = sorted(range(len(names)), key=lambda index: (total_costs_usd[index], names[index]))
    return order[:top]


def rank_candidates(cost_parts_usd: Sequence[Sequence[float]], accuracies: Sequence[float], inference_flops: Sequence[float],
                    names: Sequence[str], top: int, tie_tolerance: float = 0.01,
                    feasible: Sequence[bool] | None = None) -> tuple[list[int], set[int]]:
    """Indices of the ``top`` best candidates, and which of all candidates tie on cost.

    Cheapest total first (eq. (3), seed 000). Candidates tie on cost when each part of
    their cost (training, data) is within ``tie_tolerance`` (relative) of the part of the
    cheapest remaining candidate, e.g. every architecture bound by the same data loader.
    A tie ranks by predicted accuracy (higher first), then inference cost (fewer FLOPs
    first), then name, so that no architecture is "best" by the accident of a tie.

    Parameters
    ----------
    cost_parts_usd : sequence of (training cost, data cost) per candidate. [USD]
    accuracies : sequence of float
        Accuracy each candidate is predicted to reach. [fraction]
    inference_flops : sequence of float
        Forward FLOPs per image: the cost of serving it. [FLOP]
    names : sequence of str
    top : int
        How many to return (all if fewer candidates).
    tie_tolerance : float
        Relative difference below which two costs are the same. [fraction]
    feasible : sequence of bool, optional
        Whether each candidate reaches the target within the data available; those that
        do rank before those that do not (a candidate is cheap because it stops short).

    Returns
    -------
    ranked_indices : list of int
    tied : set of int
        Indices of candidates that tie with at least one other.
    """
    totals = [sum(parts) for parts in cost_parts_usd]
    ranked, tied = [], set()
    reaches = [True] * len(names) if feasible is None else list(feasible)
    for reaching in (True, False):
        part, part_tied = _rank_group([i for i in range(len(names)) if reaches[i] == reaching], cost_parts_usd, totals,
                                      accuracies, inference_flops, names, tie_tolerance)
        ranked += part
        tied |= part_tied
    return ranked[:top], tied


def _rank_group(indices, cost_parts_usd, totals, accuracies, inference_flops, names, tie_tolerance) -> tuple[list[int], set[int]]:
    def ties_with(parts, leader) -> bool:
        for a, b in zip(parts, leader):
            if abs(a - b) > tie_tolerance * max(abs(a), abs(b)) + 1e-9:
                return False
        return True

    remaining = sorted(indices, key=lambda index: (totals[index], names[index]))
    ranked, tied = [], set()
    while remaining:
        leader = cost_parts_usd[remaining[0]]
        # each part a <= b + tol max(a, b) gives a <= b / (1 - tol): no tie lies beyond this total
        reach = totals[remaining[0]] / (1.0 - tie_tolerance) + 2e-9 * len(leader)
        group = []
        for index in remaining:
            if totals[index] > reach:
                break
            if ties_with(cost_parts_usd[index], leader):
                group.append(index)
        if len(group) > 1:
            tied.update(group)
        ranked += sorted(group, key=lambda index: (-accuracies[index], inference_flops[index], names[index]))
        grouped = set(group)
        remaining = [index for index in remaining if index not in grouped]
    return ranked, tied
