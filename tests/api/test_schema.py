"""Property-based run over the whole OpenAPI schema (schemathesis), authenticated: whatever a
client sends that the schema allows or not, no answer is a 5xx and every answer matches the
schema (status codes, content types, bodies)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from storyreel.settings import Settings
from tests.api.kit import Api, running_api


@pytest.fixture(scope="module")
def schema_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    # Nothing runs the tasks the generated requests create: the run checks the API itself.
    settings = Settings(data_dir=tmp_path_factory.mktemp("schema") / "data")
    with running_api(settings, run_workers=False) as api:
        yield api


@pytest.fixture(scope="module")
def auth_headers(schema_api: Api) -> dict[str, str]:
    return schema_api.register("fuzz").headers


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_no_server_errors_and_answers_match_the_schema(
    schema_api: Api, auth_headers: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", schema_api.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50  # the whole API, not an empty schema
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=auth_headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect them all: one run shows every broken operation
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
