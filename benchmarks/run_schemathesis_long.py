"""Schemathesis with every check against the app's own OpenAPI document, for a time budget.

In-process (ASGI), like tests/web/test_schemathesis.py, but with every phase the
engine runs (examples, coverage, fuzzing, stateful) and every check (``--checks all``),
until the budget is spent. The store is a fresh SQLite file and the hardware catalog
the shipped one, so a developer's files never change the run. As in the test,
schema-valid data may answer 422 (rules across fields and the store's content are no
JSON Schema; ``--strict`` counts those too). Prints the number of cases and failures
(one line each, then the first reproduction of each) and exits 1 on any failure.

    .venv/bin/python benchmarks/run_schemathesis_long.py            # 300 s
    .venv/bin/python benchmarks/run_schemathesis_long.py --seconds 60 --seed 1
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

#: positive_data_acceptance's default statuses, and 422: schema-valid data may break a rule JSON Schema cannot
#: state (classes or class_counts; increasing pilot sizes; a fit needs observations). As tests/web/test_schemathesis.py.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]


def configured_schema(app, seconds: int, seed: int | None, workers: int, strict: bool):
    """The app's schema with every check, every phase, until ``seconds`` are spent."""
    import schemathesis
    from schemathesis.config import CacheConfig, SchemathesisConfig

    config = SchemathesisConfig.from_dict({} if strict else {
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}})
    config.cache = CacheConfig(enabled=False)  # no .schemathesis/ folder in the checkout
    config.update(max_time=seconds, max_failures=None, seed=seed)
    config.projects.override.checks.update(included_check_names=["all"])
    config.projects.override.update(workers=workers, continue_on_failure=True)
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


def tally(events_stream) -> tuple[int, collections.Counter, collections.Counter, dict]:
    """Cases, cases per operation, failing checks by (operation, check, title), and one example of each."""
    from schemathesis.engine import events

    cases, per_operation, failures, examples = 0, collections.Counter(), collections.Counter(), {}
    for event in events_stream:
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            recorder = event.recorder
            cases += len(recorder.cases)
            per_operation[recorder.label] += len(recorder.cases)
            for case_id, checks in recorder.checks.items():
                for check in (check for check in checks if check.failure_info is not None):
                    failure = check.failure_info.failure
                    key = (failure.operation or recorder.label, check.name, failure.title)
                    failures[key] += 1
                    interaction = recorder.interactions.get(case_id)
                    answer = "" if interaction is None or interaction.response is None else (
                        f"-> {interaction.response.status_code} {interaction.response.content[:300]!r}")
                    examples.setdefault(key, (failure.message, f"{check.failure_info.code_sample}\n{answer}"))
        elif isinstance(event, events.NonFatalError):  # an exception in the app: a server error
            key = (event.label, "error", type(event.value).__name__)
            failures[key] += 1
            examples.setdefault(key, (str(event.value), ""))
        elif isinstance(event, events.FatalError):
            raise SystemExit(f"fatal: {event.exception!r}")
    return cases, per_operation, failures, examples


def run(seconds: int, seed: int | None, workers: int, strict: bool) -> int:
    from schemathesis.engine import from_schema

    from dlcost.catalog.hardware import load_hardware
    from dlcost.store import Store
    from dlcost.web.app import create_app

    store = Store(f"sqlite:///{Path(tempfile.mkdtemp(prefix='dlcost-schemathesis-')) / 'store.sqlite3'}")
    app = create_app(hardware=load_hardware(), store=store, allowed_hosts=["testserver"])  # schemathesis's host name
    started = time.monotonic()
    cases, per_operation, failures, examples = tally(from_schema(configured_schema(app, seconds, seed, workers, strict)).execute())
    elapsed = time.monotonic() - started
    store.close()

    mode = "422 strict" if strict else "422 accepted for schema-valid data"
    print(f"schemathesis, all checks ({mode}), all phases: {cases} cases over {len(per_operation)} operations "
          f"in {elapsed:.0f} s; {sum(failures.values())} failing checks, {len(failures)} unique")
    for (operation, check, title), count in sorted(failures.items()):
        print(f"  FAIL {operation} [{check}] {title} (x{count})")
    for key, (message, sample) in sorted(examples.items()):
        print(f"\n--- {key[0]} [{key[1]}]\n{message.strip()[:1500]}\n{sample.strip()[:1500]}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300, help="time budget of the whole run [s] (default 300)")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random)")
    parser.add_argument("--workers", type=int, default=1, help="concurrent workers (default 1)")
    parser.add_argument("--strict", action="store_true", help="schema-valid data must not answer 422 either")
    options = parser.parse_args()
    return run(options.seconds, options.seed, options.workers, options.strict)


if __name__ == "__main__":
    sys.exit(main())
