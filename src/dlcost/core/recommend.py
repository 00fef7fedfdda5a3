"""Recommendations: the cheapest architectures first (seed 000, "Outputs", Figure 2)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["rank_by_total_cost"]


def rank_by_total_cost(total_costs_usd: Sequence[float], names: Sequence[str], top: int) -> list[int]:
    """Indices of the ``top`` cheapest candidates, cheapest first.

    Seed 000 recommends the three lowest-cost models, "as it is the most desirable
    when performance is equal across multiple models". Ties are broken by name so
    the order is stable.

    Parameters
    ----------
    total_costs_usd : sequence of float
        Total cost of each candidate. [USD]
    names : sequence of str
        Candidate names, same order.
    top : int
        How many to return (all if fewer candidates).

    Returns
    -------
    ranked_indices : list of int
    """
    order = sorted(range(len(names)), key=lambda index: (total_costs_usd[index], names[index]))
    return order[:top]
