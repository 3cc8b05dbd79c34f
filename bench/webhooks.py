"""Send 1,000 webhook events to a local receiver and check none is lost or duplicated.

    .venv/bin/python bench/webhooks.py [--db sqlite|mariadb|postgres] [--events 1000]
                                       [--workers 2] [--timeout 120]

A throw-away site (`flrts new-site`), one enabled Webhook (Task after_insert, signed with a
secret, allowed to call 127.0.0.1), a receiver on 127.0.0.1 that verifies every signature with
Frappe's algorithm. The bench process first saves `--events` tasks, one transaction each (one
delivery job each, queued on commit), then starts `--workers` real `flrts worker --queue short`
processes and waits until the receiver has them all. Prints one JSON object: delivered events/s
(first to last arrival), the save rate, and the loss / duplicate / bad-signature counts (all
must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._site import start_workers, stop_processes, temp_site

SECRET = "bench-webhook-secret"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "mariadb", "postgres"])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120.0)
    opts = parser.parse_args()

    temp_site(opts.db)
    from django.db import transaction
    from tests.integrations.receiver import Receiver

    from flrts.integrations.models import Webhook
    from flrts.tasks.models import Task

    committed: dict[str, float] = {}
    arrived: dict[str, float] = {}
    lock = threading.Lock()

    with Receiver(secret=SECRET) as rx:
        hook = Webhook(
            webhook_doctype="Task",
            webhook_docevent="after_insert",
            request_url=rx.url + "/flrts",
            allow_private_targets=True,
        )
        hook.set_secret(SECRET)
        hook.full_clean()
        hook.save()

        # Phase 1: save the tasks (each commit queues one delivery job); no worker runs yet, so
        # the save rate and the delivery rate are measured apart.
        save_started = time.monotonic()
        for n in range(opts.events):
            with transaction.atomic():
                task = Task(subject=f"bench task {n}")
                task.save()
            committed[task.name] = time.monotonic()
        saved = time.monotonic()

        def watch() -> None:
            seen = 0
            while True:
                hits = rx.received
                for hit in hits[seen:]:
                    name = json.loads(hit.body)["name"]
                    with lock:
                        arrived.setdefault(name, time.monotonic())
                seen = len(hits)
                with lock:
                    if len(arrived) >= opts.events:
                        return
                time.sleep(0.005)

        # Phase 2: start the workers and time until every event has arrived.
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        procs = start_workers(opts.workers, 0.05, "bench-wh")
        try:
            watcher.join(opts.timeout)
            finished = time.monotonic()
        finally:
            stop_processes(procs)

        time.sleep(0.5)  # a duplicate would arrive now
        hits = list(rx.received)

    from flrts.integrations.models import WebhookRequestLog

    names = [json.loads(h.body)["name"] for h in hits]
    first = min(arrived.values()) if arrived else finished
    last = max(arrived.values()) if arrived else finished
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "db": opts.db,
        "workers": opts.workers,
        "events": opts.events,
        "delivered": len(set(names)),
        "lost": len(set(committed) - set(names)),
        "duplicates": len(names) - len(set(names)),
        "bad_signatures": sum(1 for h in hits if not h.signature_ok),
        "logged_success": WebhookRequestLog.objects.filter(status="Success").count(),
        # delivery rate: first to last arrival (worker start-up excluded)
        "events_per_s": round((len(set(names)) - 1) / max(last - first, 1e-6), 1),
        "seconds_incl_worker_startup": round(last - started, 2),
        "saves_per_s": round(opts.events / (saved - save_started), 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
