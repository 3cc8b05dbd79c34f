from __future__ import annotations

from typing import Any

import pytest

from tests.jobs.support import DB_TASKS


@pytest.fixture
def db_queue(settings: Any) -> None:
    settings.TASKS = DB_TASKS


@pytest.fixture
def person(db: Any) -> Any:
    from flrts.people.models import User

    def make(key: str, tz: str, chat: int | None = None, **extra: Any) -> User:
        user = User(
            username=key,
            email=f"{key}@example.com",
            full_name=key.title(),
            time_zone=tz,
            telegram_user_id=chat,
            telegram_chat_id=chat,
            **extra,
        )
        user.save()
        return user

    return make
