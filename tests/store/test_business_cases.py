"""Business cases saved in the store like scenarios (issue 13), on SQLite and PostgreSQL."""

import json
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "business-supermarket.toml"


def test_save_list_show_and_refuse_a_taken_name(dlcost, store):
    code, out, err = dlcost("business", "case", EXAMPLE, "--save", "super", "--json")
    assert code == 0, err
    saved = json.loads(out)
    code, out, _ = dlcost("business", "list", "--json")
    assert [row["name"] for row in json.loads(out)["cases"]] == ["super"]
    code, out, _ = dlcost("business", "show", "super", "--json")
    shown = json.loads(out)
    assert shown["result"] == saved and shown["inputs"]["name"] == "Supermarket demand forecasting (seed 002)"
    code, _, err = dlcost("business", "case", EXAMPLE, "--save", "super")
    assert code == 2 and "already a saved business case" in err
    assert dlcost("business", "case", EXAMPLE, "--save", "super", "--replace")[0] == 0
    assert len(store.cases()) == 1


def test_a_bad_case_saves_nothing(dlcost, store, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text().replace("horizon_years = 5", "horizon_years = 0"))
    code, _, err = dlcost("business", "case", bad, "--save", "bad")
    assert code == 2 and "horizon_years" in err
    assert store.cases() == []
