"""The parser's view of the database: people, sites, contractors, the sender's lists, defaults.

The bot builds a context for every message, so the shared part (people, sites, contractors) and
each sender's lists are cached for a short while. Saving or deleting a person, site, contractor,
list or list share drops the cache (a new generation key), so a change is seen at once in this
process and, with Redis as the cache, in every process; otherwise within CACHE_SECONDS.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from flrts.lists.models import FlrtsList, ListShare
from flrts.nlp.types import ContractorRef, ListRef, ParseContext, ParseDefaults, PersonRef, SiteRef
from flrts.org.models import Contractor, Site
from flrts.people.models import User
from flrts.sites import SiteConfigError

if TYPE_CHECKING:
    from flrts.nlp.llm import LLMConfig
    from flrts.people.models import User

CACHE_SECONDS = 30
_GENERATION_KEY = "flrts:nlp:context:generation"

# site-config key -> ParseDefaults field, for the vague times ("tomorrow morning", "by EOD")
TIME_KEYS: dict[str, str] = {
    "parse_morning": "morning",
    "parse_afternoon": "afternoon",
    "parse_evening": "evening",
    "parse_end_of_day": "end_of_day",
    "parse_close_of_business": "close_of_business",
}
MAX_LENGTH_KEY = "parse_max_length"
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


# -- building --------------------------------------------------------------------------------


def build_context(sender: User | None) -> ParseContext:
    """The context for a message from `sender` (None: no lists)."""
    generation = _generation()
    shared_key = f"flrts:nlp:context:{generation}:shared"
    lists_key = f"flrts:nlp:context:{generation}:lists:{sender.pk if sender else '-'}"
    shared = _cached(shared_key, _shared_part)
    lists = _cached(lists_key, lambda: _lists_of(sender))
    people, sites, contractors = shared
    return ParseContext(
        people=list(people),
        sites=list(sites),
        contractors=list(contractors),
        lists=list(lists),
        defaults=parse_defaults(),
    )


# Unpickling 200 people from the shared cache costs about a millisecond per message, so this
# process also keeps what it read, under the same generation-bearing key and lifetime.
_local: dict[str, tuple[float, Any]] = {}
_LOCAL_MAX = 256


def _cached(key: str, build: Callable[[], Any]) -> Any:
    now = time.monotonic()
    held = _local.get(key)
    if held is not None and held[0] > now:
        return held[1]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    if len(_local) >= _LOCAL_MAX:
        _local.clear()
    _local[key] = (now + CACHE_SECONDS, value)
    return value


def _shared_part() -> tuple[list[PersonRef], list[SiteRef], list[ContractorRef]]:
    people = [
        PersonRef(
            id=person.name,
            name=person.full_name or person.username,
            aliases=_names(person.aliases),
            telegram_username=person.telegram_username.strip().lstrip("@") or None,
            timezone=person.time_zone or "UTC",
        )
        for person in User.objects.filter(is_active=True).order_by("full_name", "username")
    ]
    sites = [
        SiteRef(name=site.site_name, code=site.site_code or None, aliases=_names(site.aliases))
        for site in Site.objects.filter(is_active=True, archived=False).order_by("site_name")
    ]
    contractors = [
        ContractorRef(name=name)
        for name in Contractor.objects.filter(is_active=True, archived=False)
        .order_by("contractor_name")
        .values_list("contractor_name", flat=True)
    ]
    return people, sites, contractors


def _lists_of(sender: User | None) -> list[ListRef]:
    """The sender's own lists and the ones shared with them, whatever the sender's role: an
    Admin's "shopping list" is theirs, not every shopping list in the company."""
    if sender is None or not sender.pk:
        return []

    scope = FlrtsList.perm_scope(sender)
    rows = (
        FlrtsList.objects.filter(archived=False)
        .filter(scope)
        .select_related("owner")
        .order_by("list_name", "pk")
    )
    return [
        ListRef(name=row.list_name, owner=row.owner.name if row.owner else None) for row in rows
    ]


def _names(value: Any) -> list[str]:
    """Aliases are a JSON list in the database; tolerate a string or junk typed in the desk."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [str(v).strip() for v in value if str(v).strip()]


# -- defaults from the site config ---------------------------------------------------------


def parse_defaults() -> ParseDefaults:
    config = settings.SITE.config
    raw = tuple((key, config.get(key)) for key in (*TIME_KEYS, MAX_LENGTH_KEY))
    return _defaults_from(raw).model_copy()  # a copy: callers may not change the cached one


@lru_cache(maxsize=8)
def _defaults_from(raw: tuple[tuple[str, Any], ...]) -> ParseDefaults:
    values: dict[str, Any] = {}
    for key, value in raw:
        if value is None or value == "":
            continue
        if key == MAX_LENGTH_KEY:
            values["max_length"] = _positive_int(key, value)
        else:
            values[TIME_KEYS[key]] = _time(key, value)
    return ParseDefaults(**values)


def _time(key: str, value: Any) -> dt.time:
    match = _TIME_RE.match(value.strip()) if isinstance(value, str) else None
    if match:
        hour, minute, second = (int(g or 0) for g in match.groups())
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    raise SiteConfigError(
        f"site_config.json: key '{key}' must be a time of day HH:MM (24-hour), got {value!r}"
    )


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None or number < 1:
        raise SiteConfigError(
            f"site_config.json: key '{key}' must be a whole number of characters (1 or more), "
            f"got {value!r}"
        )
    return number


def llm_config_from_site() -> LLMConfig:
    """The LLM settings from the site's `openai_*` keys; a bad value is a SiteConfigError."""
    from flrts.nlp.llm import LLMConfig, LLMConfigError

    try:
        return LLMConfig.from_site_config(settings.SITE.config)
    except LLMConfigError as exc:
        raise SiteConfigError(f"site_config.json: key '{exc.key}' {_after_key(exc)}") from None


def _after_key(exc: Exception) -> str:
    text = str(exc)
    _key, sep, tail = text.partition(": ")
    return tail if sep else text


# -- invalidation ----------------------------------------------------------------------------


def _generation() -> str:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex[:12]
        # add(): when two processes start together, both use whichever generation won.
        if not cache.add(_GENERATION_KEY, generation, None):
            generation = cache.get(_GENERATION_KEY) or generation
    return str(generation)


def invalidate_context(**_: Any) -> None:
    """Forget every cached context (all senders)."""
    cache.set(_GENERATION_KEY, uuid.uuid4().hex[:12], None)


def _on_change(**kwargs: Any) -> None:
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a login changes nothing the parser sees
    # Now, for this process; and again after commit, because another process may have rebuilt
    # from the old rows between the save and the commit.
    invalidate_context()
    transaction.on_commit(invalidate_context, using=kwargs.get("using"))


def connect_invalidation() -> None:
    for model in (User, Site, Contractor, FlrtsList, ListShare):
        uid = f"flrts.nlp.context:{model._meta.label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}:delete")
