"""`dlcost observation delete` against a real store (SQLite file and PostgreSQL).

It counts what matches, asks, then deletes in one transaction; a bad selection deletes
nothing. The estimate's interval calibration follows the observations that remain.
``DLCOST_DATABASE_URL`` points every command at the test's store.
"""

import io
import json
import sys
from pathlib import Path

import pytest

from dlcost.cli import store as store_commands
from dlcost.store import Store

FIGURE_2 = Path(__file__).resolve().parents[2] / "examples" / "figure2.toml"
SHIPPED = "shipped: seed 000 Table 2 (6) + VTAB ResNet-50 results (36)"
#: The calibration on a store of ``n`` observations holding the 38 detection rows of --examples (eq. (1) leaves them out).
IN_STORE = "the store's {} observations; 38 detection observations left out: eq. (1) has no detection term"
NOTHING_SELECTED = ("id: name the observations to delete by id or by filter, or choose all of them "
                    "(--all; all=true in the API); got none.")


@pytest.fixture
def stored(dlcost, use_store) -> list[int]:
    """The 657 shipped observations (--examples) and one of "Bolts"; their ids."""
    assert dlcost("observation", "import", "--examples")[0] == 0
    assert dlcost("observation", "add", "--dataset", "Bolts", "--n-train", 1200, "--metric-value", 0.9, "--classes", 10)[0] == 0
    return _ids(use_store)


def _ids(url: str) -> list[int]:
    store = Store(url)
    try:
        return [row.id for row in store.observations()]
    finally:
        store.close()


def ok(result) -> str:
    code, out, err = result
    assert (code, err) == (0, ""), err
    return out


def fails(result, message: str, out: str = "") -> None:
    """Exit 2, ``out`` on stdout, and exactly one line ``Error: message`` on stderr."""
    assert result == (2, out, f"Error: {message}\n")


def calibration(dlcost) -> str:
    """Where the estimate's interval is calibrated: "the store's N observations" or the shipped set."""
    return json.loads(ok(dlcost("estimate", "--scenario", FIGURE_2, "--json")))["interval"]["calibration"]


def test_delete_by_id_and_by_filter_recalibrates(dlcost, stored, use_store):
    assert calibration(dlcost) == IN_STORE.format(658)
    bolts = stored[-1]
    assert ok(dlcost("observation", "delete", bolts, "--yes")) == (
        f"1 observation(s) match: ids {bolts}\ndeleted 1 observation(s)\n")
    assert _ids(use_store) == stored[:-1]
    assert calibration(dlcost) == IN_STORE.format(657)

    # the same filter parser as `observation list`: the VTAB-1k rows trained from scratch
    listed = json.loads(ok(dlcost("observation", "list", "--where", "pretrained=no", "--where", "n_train=1000", "--json")))
    scratch = [o["id"] for o in listed["observations"]]
    assert len(scratch) == 11
    assert ok(dlcost("observation", "delete", "--where", "pretrained=no", "--where", "n_train=1000", "-y")) == (
        "11 observation(s) match: pretrained=no n_train=1000\ndeleted 11 observation(s)\n")
    assert _ids(use_store) == [i for i in stored[:-1] if i not in scratch]
    assert calibration(dlcost) == IN_STORE.format(646)

    # ids and filters: both must hold
    kept = _ids(use_store)
    fails(dlcost("observation", "delete", kept[0], "--where", "dataset=no such dataset", "--yes"),
          f"id must name a stored observation matching the filters; got {kept[0]}. Nothing was deleted.")
    assert ok(dlcost("observation", "delete", "--where", "dataset=no such dataset", "--yes")) == (
        "0 observation(s) match: dataset=no such dataset\nnothing deleted\n")

    assert ok(dlcost("observation", "delete", "--all", "--yes")) == (
        "646 observation(s) match: every observation in the store\ndeleted 646 observation(s)\n")
    assert _ids(use_store) == []
    assert calibration(dlcost) == SHIPPED  # no observations left: the shipped calibration


def test_a_dry_run_deletes_nothing(dlcost, stored, use_store):
    assert ok(dlcost("observation", "delete", *stored[:12], "--dry-run")) == (
        f"12 observation(s) match: ids {', '.join(map(str, stored[:10]))}, ... (12 ids)\nnothing deleted (--dry-run)\n")
    assert ok(dlcost("observation", "delete", "--all", "--dry-run")) == (
        "658 observation(s) match: every observation in the store\nnothing deleted (--dry-run)\n")
    assert _ids(use_store) == stored


def test_bad_selections_delete_nothing(dlcost, stored, use_store):
    fails(dlcost("observation", "delete"), NOTHING_SELECTED)
    fails(dlcost("observation", "delete", "--yes"), NOTHING_SELECTED)
    fails(dlcost("observation", "delete", stored[0], 999_999, 1_000_000, "--yes"),
          "id must name a stored observation; got 999999 (and 1 more). Nothing was deleted.")
    fails(dlcost("observation", "delete", "9" * 400, "--yes"),
          "id must name a stored observation; got an integer of 400 digits. Nothing was deleted.")
    fails(dlcost("observation", "delete", "--all", "--where", "dataset=Bolts", "--yes"),
          "all deletes every observation: give it without ids or filters.")
    fails(dlcost("observation", "delete", "--where", "pretrained=maybe", "--yes"),
          "observations filter pretrained must be yes or no; got 'maybe'.")
    fails(dlcost("observation", "delete", "--where", "colour", "--yes"),
          "observations: filters are FIELD=VALUE, e.g. pretrained=yes; got 'colour'.")
    code, out, err = dlcost("observation", "delete", "--where", "colour=red", "--yes")
    assert (code, out) == (2, "") and err.startswith("Error: observations filter field must be one of architecture, ")
    fails(dlcost("observation", "delete", "seven", "--yes"), "id must be a whole number (an observation id); got 'seven'.")
    assert _ids(use_store) == stored


def test_no_terminal_no_yes_deletes_nothing(dlcost, stored, use_store):
    fails(dlcost("observation", "delete", stored[0]),
          "yes: standard input is not a terminal, so the delete cannot be confirmed; pass --yes to delete these "
          "1 observation(s). Nothing was deleted.", out=f"1 observation(s) match: ids {stored[0]}\n")
    assert _ids(use_store) == stored


@pytest.mark.parametrize("answer", ["y", "n", ""])
def test_the_confirmation(dlcost, stored, use_store, monkeypatch, answer):
    monkeypatch.setattr(store_commands, "_interactive", lambda: True)  # a person at a terminal
    monkeypatch.setattr(sys, "stdin", io.StringIO(answer + "\n"))
    code, out, err = dlcost("observation", "delete", "--where", "dataset=Bolts")
    assert out.startswith("1 observation(s) match: dataset=Bolts\nDelete 1 observation(s)? [y/N]: ")
    if answer == "y":
        assert (code, err) == (0, "") and out.endswith("deleted 1 observation(s)\n")
        assert _ids(use_store) == stored[:-1]
    else:  # the default is no
        assert (code, err) == (1, "Aborted.\n") and "deleted 1" not in out
        assert _ids(use_store) == stored


def test_help_names_the_options(dlcost):
    out = ok(dlcost("observation", "delete", "--help"))
    assert all(option in out for option in ("--where", "--all", "--yes", "--dry-run"))
