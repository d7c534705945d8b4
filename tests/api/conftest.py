"""API fixtures: a running app per test on its own database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storyreel.settings import Settings
from tests.api.kit import Api, running_api


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    with running_api(settings) as running:
        yield running
