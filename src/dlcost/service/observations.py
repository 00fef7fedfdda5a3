"""Importing observations into the store: all or nothing, identical rows skipped and counted."""

from __future__ import annotations

from dlcost import catalog
from dlcost.iotools.observations_csv import parse_observations_csv
from dlcost.store import Store

__all__ = ["import_observations_csv", "EXAMPLES_LABEL"]

EXAMPLES_LABEL = "shipped vtab_calibration.csv"


def import_observations_csv(store: Store, text: str | None, allow_duplicates: bool = False) -> dict:
    """Parse CSV text (None: the shipped examples) and add its rows in one transaction.

    Returns ``{"imported": n, "skipped_duplicates": m, "ids": [...]}``; rows equal in
    every field to a stored one (or to an earlier row of the file) are skipped unless
    ``allow_duplicates``, so importing the same file twice adds nothing.
    """
    observations = parse_observations_csv(catalog.shipped_observations_csv() if text is None else text)
    identifiers, skipped = store.import_observations(observations, allow_duplicates=allow_duplicates)
    return {"imported": len(identifiers), "skipped_duplicates": skipped, "ids": identifiers}
