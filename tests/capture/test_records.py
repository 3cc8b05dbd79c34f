"""Record creation from a confirmed proposal, below the conversation."""

from __future__ import annotations

import pytest

from flrts.capture.records import Origin, create
from flrts.lists.models import FlrtsList
from flrts.nlp.types import Intent, ParseResult
from flrts.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_a_task_proposed_into_a_list_is_saved_in_that_list(people) -> None:
    shopping = FlrtsList(list_name="Viper shopping", owner=people.worker)
    shopping.save()
    result = ParseResult(
        intent=Intent.CREATE_TASK,
        subject="Order more gloves",
        list_name="viper shopping",
        confidence=0.9,
    )
    task, lines = create(people.worker, result, Origin(channel="desk"))
    saved = Task.objects.get(pk=task.pk)
    assert saved.flrts_list == shopping
    assert lines[0].startswith(f"✅ Saved {saved.name}")
