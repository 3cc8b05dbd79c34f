"""Warm start: web and worker processes load the parser when they start; the CLI does not.

Each check runs a real process of a real site (`flrts new-site`), as production starts them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.jobs.support import TempSite

PROBE = (
    "import json, sys; "
    "print(json.dumps({m: m in sys.modules for m in ('dateparser', 'flrts.nlp.offline')}))"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TempSite]:
    made = TempSite(tmp_path_factory.mktemp("sites"), name="warm.localhost")
    yield made
    made.drop()


def _loaded(output: str) -> dict[str, bool]:
    return dict(json.loads(output.strip().splitlines()[-1]))


def test_a_cli_command_does_not_load_the_parser(site: TempSite) -> None:
    # Django is set up (every app's ready() ran), yet nothing of the parser is imported
    assert _loaded(site.python(PROBE)) == {"dateparser": False, "flrts.nlp.offline": False}


def test_the_web_application_loads_the_parser_when_it_is_imported(site: TempSite) -> None:
    # gunicorn imports flrts.wsgi in every worker process before it serves a request; the
    # loading runs in a thread, so the worker answers health checks at once
    code = "import flrts.wsgi; flrts.wsgi.parser_warm_up.join(120); " + PROBE
    assert _loaded(site.python(code)) == {"dateparser": True, "flrts.nlp.offline": True}


def test_a_worker_loads_the_parser_before_its_first_job(site: TempSite, tmp_path: Path) -> None:
    out = site.flrts("worker", "--burst", "--no-telegram-updates")
    log = out.stdout + out.stderr
    assert "offline parser loaded in" in log, log
    first = log.index("offline parser loaded in")
    assert first < log.index("worker w-"), "the parser loads before the worker takes jobs"


def test_the_standalone_telegram_processor_loads_the_parser_first(site: TempSite) -> None:
    out = site.flrts("telegram", "work", "--burst")
    log = out.stdout + out.stderr
    assert "offline parser loaded in" in log, log
