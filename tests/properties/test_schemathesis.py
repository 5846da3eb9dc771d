"""schemathesis against the app's own /openapi.json: no operation answers a 5xx.

Every operation of the schema is exercised in-process (ASGI) with an admin bearer token, in
schemathesis' positive (valid per the schema) and negative (violating it) modes, with a
bounded number of examples each and a deadline per example, on SQLite and then on
PostgreSQL (whose stricter types, int4 and varchar(n), are where it differs). No operation
is excluded: the destructive ones (retention purge, forgetting a customer, closing a
calibration) act on this test's own throwaway database, which is what they are for.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from tests.properties.conftest import Api
from tests.properties.counts import counted

#: Examples per operation and mode on SQLite (half on PostgreSQL); about 60 operations keep
#: the run near a minute and a half on two shared cores.
EXAMPLES = 12


def _fuzz(operation: Any, mode: Any, api: Api, examples: int) -> None:
    """Run one operation's generated cases in one mode; hypothesis raises on a 5xx."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=5000,  # per example: a hanging operation fails instead of stalling the suite
        database=None,
        phases=[Phase.explicit, Phase.generate],  # report the first failing case, unshrunk
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        counted(f"schemathesis: generated requests ({api.backend})")
        response = case.call(headers=api.headers["admin"])
        case.validate_response(response, checks=[not_a_server_error])

    run()


def test_no_operation_answers_a_server_error(api: Api) -> None:
    # PostgreSQL gets fewer examples: its stricter types (int4, varchar(n)) are what it adds.
    examples = EXAMPLES if api.backend == "sqlite" else EXAMPLES // 2
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"the schema describes an operation wrongly: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        for mode in schemathesis.GenerationMode:
            try:
                _fuzz(operation, mode, api, examples)
            except Unsatisfiable:  # nothing can violate it (no parameters, a free string)
                counted("schemathesis: operation modes with no invalid input")
            except Exception as exc:  # collect every operation's failure, then report them all
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:800]}")
    counted(f"schemathesis: operations ({api.backend})", operations)
    assert operations >= 50, "the schema lost operations"
    assert not failures, "\n\n".join(failures)
