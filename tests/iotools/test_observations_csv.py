# ----- export is safe to open in a spreadsheet and still round-trips (issue 11, OWASP CSV injection) -----
def test_formulas_are_neutralised_and_restored():
    import io

    from dlcost.iotools.observations_csv import neutralised, observations_to_csv, parse_observations_csv
    from dlcost.schemas import Observation

    texts = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "'=already quoted", "plain", "a=b"]
    observations = [Observation(dataset=text, task="classification", n_train=1000, n_classes=5, pretrained=True,
                                metric_value=0.9, source=text, notes=text) for text in texts]
    buffer = io.StringIO()
    observations_to_csv(observations, buffer)
    cells = [line.split(",", 1)[0] for line in buffer.getvalue().splitlines()[1:]]
    assert all(not cell.lstrip('"').startswith(("=", "+", "-", "@", "\t")) for cell in cells), cells
    assert neutralised("=1") == "'=1" and neutralised("'=1") == "''=1" and neutralised("a=b") == "a=b"
    back = parse_observations_csv(buffer.getvalue())
    assert [o.dataset for o in back] == [o.dataset for o in observations]
    assert [o.notes for o in back] == [o.notes for o in observations]
