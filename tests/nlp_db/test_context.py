"""The parse context built from the database, its cache and the defaults from the site config."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import update_last_login

from flrts.lists.models import FlrtsList, ListShare
from flrts.nlp.context import build_context, llm_config_from_site
from flrts.org.models import Contractor, Site
from flrts.sites import SiteConfigError

from .conftest import Team

pytestmark = pytest.mark.django_db


def test_people(team: Team, places: dict[str, Any]) -> None:
    context = build_context(team.joel)
    ids = [p.id for p in context.people]
    assert "Administrator" in ids
    assert "joel@10nz.tools" in ids and "old@10nz.tools" not in ids  # disabled people are out
    joel = context.person("joel@10nz.tools")
    assert joel is not None
    assert joel.name == "Joel Martin"
    assert joel.aliases == ["JM"]
    assert joel.telegram_username == "joel_10nz"  # without the "@"
    assert joel.timezone == "America/New_York"
    bryan = context.person("bryan@10nz.tools")
    assert bryan is not None and bryan.telegram_username is None


def test_sites_contractors_and_lists(team: Team, places: dict[str, Any]) -> None:
    context = build_context(team.joel)
    sites = {s.name: s for s in context.sites}
    assert set(sites) == {"Viper", "Big Sky"}  # the inactive site is left out
    assert sites["Viper"].code == "VPR" and sites["Viper"].aliases == ["Viper Site"]
    assert [c.name for c in context.contractors] == ["Mark's Electric"]
    lists = {(item.name, item.owner) for item in context.lists}
    # Joel's own list and the one Bryan shared with him; not Colin's.
    assert lists == {("Viper shopping", "joel@10nz.tools"), ("Bryan tools", "bryan@10nz.tools")}


def test_an_admin_gets_their_own_lists_not_everyones(team: Team, places: dict[str, Any]) -> None:
    assert build_context(team.admin).lists == []
    assert [item.name for item in build_context(team.supervisor).lists] == ["Colin private"]


def test_no_sender_no_lists(team: Team, places: dict[str, Any]) -> None:
    context = build_context(None)
    assert context.lists == [] and context.people


def test_defaults(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = build_context(team.joel).defaults
    assert (defaults.morning, defaults.end_of_day, defaults.max_length) == (
        dt.time(8),
        dt.time(17),
        1000,
    )
    config = settings.SITE.config
    monkeypatch.setitem(config, "parse_morning", "7:30")
    monkeypatch.setitem(config, "parse_afternoon", "13:00")
    monkeypatch.setitem(config, "parse_evening", "19:15:00")
    monkeypatch.setitem(config, "parse_end_of_day", "16:00")
    monkeypatch.setitem(config, "parse_close_of_business", "17:30")
    monkeypatch.setitem(config, "parse_max_length", 500)
    defaults = build_context(team.joel).defaults
    assert defaults.morning == dt.time(7, 30)
    assert defaults.afternoon == dt.time(13)
    assert defaults.evening == dt.time(19, 15)
    assert defaults.end_of_day == dt.time(16)
    assert defaults.close_of_business == dt.time(17, 30)
    assert defaults.max_length == 500


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("parse_morning", "25:00"),
        ("parse_afternoon", "2pm"),
        ("parse_evening", 18),
        ("parse_close_of_business", "18:60"),
        ("parse_max_length", 0),
        ("parse_max_length", "lots"),
        ("parse_max_length", True),
    ],
)
def test_bad_defaults_name_their_key(
    team: Team, monkeypatch: pytest.MonkeyPatch, key: str, value: object
) -> None:
    monkeypatch.setitem(settings.SITE.config, key, value)
    with pytest.raises(SiteConfigError, match=f"key '{key}'"):
        build_context(team.joel)


def test_second_build_is_served_from_the_cache(
    team: Team, places: dict[str, Any], django_assert_num_queries: Any
) -> None:
    first = build_context(team.joel)
    with django_assert_num_queries(0):
        second = build_context(team.joel)
    assert second == first
    with django_assert_num_queries(1):  # another sender: only their lists are read
        build_context(team.bryan)


def test_saves_invalidate_the_cache(team: Team, places: dict[str, Any]) -> None:
    build_context(team.joel)

    Site.objects.create(site_name="Crystal Peak", site_code="CP")
    assert "Crystal Peak" in {s.name for s in build_context(team.joel).sites}

    team.bryan.aliases = ["Bry"]
    team.bryan.save()
    bryan = build_context(team.joel).person("bryan@10nz.tools")
    assert bryan is not None and bryan.aliases == ["Bry"]

    Contractor.objects.create(contractor_name="Acme HVAC")
    assert "Acme HVAC" in {c.name for c in build_context(team.joel).contractors}

    FlrtsList.objects.create(list_name="Big Sky checklist", owner=team.joel)
    assert "Big Sky checklist" in {item.name for item in build_context(team.joel).lists}

    colins = FlrtsList.objects.get(list_name="Colin private")
    share = ListShare.objects.create(list=colins, user=team.joel)
    assert "Colin private" in {item.name for item in build_context(team.joel).lists}
    share.delete()
    assert "Colin private" not in {item.name for item in build_context(team.joel).lists}

    places["viper"].is_active = False
    places["viper"].save()
    assert "Viper" not in {s.name for s in build_context(team.joel).sites}

    team.bryan.is_active = False
    team.bryan.save()
    assert build_context(team.joel).person("bryan@10nz.tools") is None


def test_a_login_does_not_drop_the_cache(
    team: Team, places: dict[str, Any], django_assert_num_queries: Any
) -> None:
    build_context(team.joel)
    update_last_login(None, team.joel)
    with django_assert_num_queries(0):
        build_context(team.joel)


def test_llm_config_from_site(monkeypatch: pytest.MonkeyPatch) -> None:
    config = settings.SITE.config
    monkeypatch.setitem(config, "openai_api_key", "")
    assert not llm_config_from_site().configured
    monkeypatch.setitem(config, "openai_api_key", "sk-test-abcdefghijklmnopqrstuvwxyz")
    monkeypatch.setitem(config, "openai_model", "gpt-4.1-nano")
    monkeypatch.setitem(config, "openai_timeout", 5)
    llm = llm_config_from_site()
    assert llm.configured and llm.model == "gpt-4.1-nano" and llm.timeout == 5.0
    monkeypatch.setitem(config, "openai_timeout", -1)
    with pytest.raises(SiteConfigError, match="key 'openai_timeout'") as caught:
        llm_config_from_site()
    assert "sk-test" not in str(caught.value)
