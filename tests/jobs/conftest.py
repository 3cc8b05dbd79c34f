from __future__ import annotations

from typing import Any

import pytest

from tests.jobs.support import DB_TASKS


@pytest.fixture
def db_queue(settings: Any) -> None:
    """Use the real database queue instead of the test settings' immediate backend."""
    settings.TASKS = DB_TASKS
