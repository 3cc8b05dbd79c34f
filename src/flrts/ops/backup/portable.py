"""`flrts export` / `flrts import`: the site's data as portable JSON (Django's fixture format,
natural keys for content types and permissions), so a site moves between SQLite, MariaDB and
PostgreSQL. Files are not in it: carry them with `flrts backup --with-files` archives."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

from django.core import serializers
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_save

from flrts.core.progress import bar
from flrts.ops.backup import jsonprogress

# Rebuilt by migrate on the target (their ids differ per database) or not worth moving.
EXCLUDE = ["contenttypes", "auth.permission", "sessions"]


# dumpdata's JSON, written by a serializer that counts the objects for the progress bar.
PROGRESS_FORMAT = "flrts-json-progress"
if PROGRESS_FORMAT not in serializers.get_serializer_formats():
    serializers.register_serializer(PROGRESS_FORMAT, jsonprogress.__name__)


def export_site(path: Path) -> Counter[str]:
    tmp = path.with_name(path.name + ".partial" + ("".join(path.suffixes[-1:])))
    try:
        with bar("export", total=sum(model_counts().values()), unit="obj") as shown:
            jsonprogress.on_object = lambda: shown.add(1)
            try:
                call_command(
                    "dumpdata",
                    exclude=EXCLUDE,
                    natural_foreign=True,
                    output=str(tmp),
                    indent=None,
                    verbosity=0,
                    format=PROGRESS_FORMAT,
                )
            finally:
                jsonprogress.on_object = None
        counts = count_objects(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return counts


def count_objects(path: Path) -> Counter[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        data = json.load(handle)
    return Counter(str(item["model"]) for item in data)


def import_site(path: Path) -> Counter[str]:
    """Replace every row of this site with the export's: empty and load in ONE transaction, so
    a file that fails half-way leaves the site as it was. (DELETE, not TRUNCATE: MariaDB commits
    a TRUNCATE by itself; the load resets the sequences afterwards.)"""
    expected = count_objects(path)
    with bar("import", total=sum(expected.values()), unit="obj") as shown:

        def loaded(raw: bool = False, **kwargs: object) -> None:
            if raw:  # a fixture object (loaddata saves raw), not a save of our own code
                shown.add(1)

        post_save.connect(loaded, weak=False, dispatch_uid="flrts-import-progress")
        try:
            with transaction.atomic():
                call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
                call_command("loaddata", str(path), verbosity=0)
        finally:
            post_save.disconnect(dispatch_uid="flrts-import-progress")
    return expected


def model_counts() -> Counter[str]:
    from django.apps import apps

    counts: Counter[str] = Counter()
    for model in apps.get_models():
        label = model._meta.label_lower
        if label.split(".")[0] in ("contenttypes", "sessions") or label == "auth.permission":
            continue
        counts[label] = model._default_manager.count()
    return counts
