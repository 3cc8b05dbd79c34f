"""Load the Telegram webhook over loopback, with the fake Bot API receiving the cards.

    python bench/webhook.py [--db sqlite|mariadb] [--redis] [--updates 1000]
        [--concurrency 16] [--web-workers 2] [--job-workers 1] [--nice 19] [--batch 10]
        [--sustained-rate 300] [--sustained-seconds 10] [--paced-rate 20] [--paced-seconds 10]

Serves a throw-away site with gunicorn on 127.0.0.1 (`--redis`: the queue on Redis/RQ with
Redis wake-ups), starts update workers (`flrts telegram work`, claiming the stored updates in
batches; `--nice`, default 19 as the product's `telegram_worker_nice`, lowers their priority so
acknowledgements win the CPU) and an in-process FakeTelegram that timestamps every sendMessage.
A separate sender process POSTs text updates (one sender per chat, offline parser) over
`--concurrency` connections (Telegram opens up to `max_connections`, 40 by default):

  burst      closed loop, as fast as the webhook acknowledges: the ceiling in updates/s (its ack
             latency is mostly queueing in the sender: concurrency / throughput).
  sustained  open loop at `--sustained-rate` updates/s for `--sustained-seconds` (+ a repeated
             delivery of every 10th update_id, also in burst): achieved rate, ack p50/p99.
  all        waits until every burst and sustained update has its card: none lost, none
             answered twice.
  paced      `--paced-rate` updates/s for `--paced-seconds`: update-to-card p50/p95 (from the
             POST to the card arriving at the fake Bot API).

Prints one JSON object. Targets (issue 9, 2 cores): >= 300 updates/s, ack p99 <= 50 ms, none
lost or duplicated, update-to-card p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-0123456789"
BASE_TG_ID = 700_000
TEXT = "Colin check the pump at Big Sky tomorrow 2pm"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the sender (runs in its own process) -----------------------------------------------------


def sender_main(args: argparse.Namespace) -> None:
    """POST updates; print one JSON line: per update (tg id, sent time), ack latencies."""
    from tests.fakes import telegram_updates as tu

    plan: list[dict[str, Any]] = []
    for i in range(args.count):
        tg_id = BASE_TG_ID + args.first + i
        update = tu.text_message(tg_id, TEXT, update_id=10_000_000 + args.first + i)
        plan.append(update)
        if args.duplicates and i % 10 == 0:
            plan.append(update)  # Telegram re-sends: must be acknowledged and ignored
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    lock = threading.Lock()
    acks: list[float] = []
    sent: dict[int, float] = {}
    statuses: Counter[int] = Counter()
    cursor = iter(plan)
    interval = 1.0 / args.rate if args.rate else 0.0  # open loop: request n leaves at n/rate
    issued = itertools.count()
    start = time.time()

    target = urllib.parse.urlsplit(args.url)

    def worker(index: int) -> None:
        # http.client, not httpx: the sender stands in for Telegram's servers and should spend
        # as little of the two cores as it can (httpx costs several times more per request).
        conn = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
        try:
            while True:
                with lock:
                    update = next(cursor, None)
                    slot = next(issued)
                if update is None:
                    return
                if interval:
                    delay = start + slot * interval - time.time()
                    if delay > 0:
                        time.sleep(delay)
                body = json.dumps(update).encode()
                t0 = time.time()
                conn.request("POST", target.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                t1 = time.time()
                with lock:
                    acks.append((t1 - t0) * 1000)
                    statuses[response.status] += 1
                    sent.setdefault(update["message"]["chat"]["id"], t0)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - start
    print(
        json.dumps({"acks": acks, "sent": sent, "elapsed": elapsed, "statuses": dict(statuses)}),
        flush=True,
    )


def _send(url: str, first: int, count: int, concurrency: int, rate: float, dup: bool) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--sender",
        "--url",
        url,
        "--first",
        str(first),
        "--count",
        str(count),
        "--concurrency",
        str(concurrency),
        "--rate",
        str(rate),
    ]
    if dup:
        cmd.append("--duplicates")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


# -- the harness ----------------------------------------------------------------------------------


def pct(samples: list[float], p: float) -> float:
    from bench._site import percentile

    return percentile(samples, p) if samples else 0.0


def seed(count: int) -> None:
    from flrts.org.models import Site
    from flrts.people.models import User

    for name in ("Big Sky", "Viper"):
        Site(site_name=name).save()
    User.objects.create_user(
        username="colin@example.com",
        email="colin@example.com",
        full_name="Colin Aulds",
        role="Worker",
    )
    users = [
        User(
            username=f"s{i}@example.com",
            email=f"s{i}@example.com",
            full_name=f"Sender {i}",
            role="Worker",
            telegram_user_id=BASE_TG_ID + i,
            is_staff=True,
        )
        for i in range(count)
    ]
    User.objects.bulk_create(users, batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sender", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--duplicates", action="store_true")
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "mariadb", "postgres"])
    parser.add_argument("--redis", action="store_true", help="queue on Redis (RQ)")
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--web-workers", type=int, default=2, help="as `flrts start`")
    parser.add_argument("--job-workers", type=int, default=1, help="update workers, as start")
    parser.add_argument("--nice", type=int, default=19, help="niceness of the update workers")
    parser.add_argument("--batch", type=int, default=10, help="updates claimed at a time")
    parser.add_argument("--sustained-rate", type=float, default=300.0, help="updates/s")
    parser.add_argument("--sustained-seconds", type=float, default=10.0)
    parser.add_argument("--paced-rate", type=float, default=20.0)
    parser.add_argument("--paced-seconds", type=float, default=10.0)
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    args = parser.parse_args()
    if args.sender:
        sender_main(args)
        return

    from bench._site import temp_site

    load_before = os.getloadavg()
    sites = temp_site(args.db)
    site_dir = sites / os.environ["FLRTS_SITE"]
    from tests.fakes.telegram_server import FakeTelegram

    fake = FakeTelegram().start()
    cards: dict[int, list[float]] = {}
    cards_lock = threading.Lock()

    def on_call(call: Any) -> None:
        if call.method == "sendMessage" and call.ok:
            chat = int(call.result["chat"]["id"])
            with cards_lock:
                cards.setdefault(chat, []).append(time.time())

    fake.on_call(on_call)
    config_path = site_dir / "site_config.json"
    config = json.loads(config_path.read_text())
    config.update(
        {
            "telegram_bot_token": fake.token,
            "telegram_api_url": fake.api_url,
            "telegram_webhook_secret": SECRET,
            "telegram_chat_interval": 0,
            "developer_mode": 0,
        }
    )
    if args.redis:
        config["redis_queue"] = "redis://127.0.0.1:6379/7"
        config["redis_cache"] = "redis://127.0.0.1:6379/8"
    config_path.write_text(json.dumps(config, indent=1))
    sustained_count = int(args.sustained_rate * args.sustained_seconds)
    total_senders = args.updates + sustained_count + int(args.paced_rate * args.paced_seconds) + 10
    seed(total_senders)

    env = dict(os.environ, FLRTS_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    bin_dir = Path(sys.executable).parent
    procs = [
        subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "flrts.wsgi:application",
                "-w",
                str(args.web_workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            start_new_session=True,
        )
    ]
    for _ in range(args.job_workers):
        worker = [sys.executable, "-m", "flrts.cli", "telegram", "work"]
        worker += ["--nice", str(args.nice), "--batch", str(args.batch)]
        procs.append(
            subprocess.Popen(
                worker,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        _wait_ready(f"http://127.0.0.1:{port}/api/method/ping")
        _send(url, total_senders - 5, 5, 1, 0, False)  # warm up the processes
        burst = _send(url, 0, args.updates, args.concurrency, 0, True)
        sustained = _send(
            url, args.updates, sustained_count, args.concurrency, args.sustained_rate * 1.1, True
        )
        expected = {BASE_TG_ID + i for i in range(args.updates + sustained_count)}
        deadline = time.time() + args.drain_timeout
        while time.time() < deadline:
            with cards_lock:
                done = sum(1 for chat in expected if chat in cards)
            if done >= len(expected):
                break
            time.sleep(0.2)
        drained = time.time()
        with cards_lock:
            lost = sorted(expected - set(cards))
            doubled = sorted(c for c in expected if len(cards.get(c, [])) > 1)
            first_card = min((min(cards[c]) for c in expected if c in cards), default=drained)
        burst_start = min(burst["sent"].values())
        paced = _send(
            url,
            args.updates + sustained_count,
            int(args.paced_rate * args.paced_seconds),
            4,
            args.paced_rate,
            False,
        )
        time.sleep(2)
        with cards_lock:
            latency = [
                (cards[int(chat)][0] - t0) * 1000
                for chat, t0 in paced["sent"].items()
                if int(chat) in cards
            ]
        print(
            json.dumps(
                {
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                    "db": args.db,
                    "queue": "redis" if args.redis else "database",
                    "web_workers": args.web_workers,
                    "update_workers": args.job_workers,
                    "update_worker_nice": args.nice,
                    "batch": args.batch,
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()],
                    "burst": {
                        "updates": args.updates,
                        "concurrency": args.concurrency,
                        "deliveries": sum(burst["statuses"].values()),
                        "statuses": burst["statuses"],
                        "updates_per_s": round(
                            sum(burst["statuses"].values()) / burst["elapsed"], 1
                        ),
                        "ack_p50_ms": pct(burst["acks"], 50),
                        "ack_p99_ms": pct(burst["acks"], 99),
                    },
                    "sustained": {
                        "target_rate": args.sustained_rate,
                        "updates": sustained_count,
                        "deliveries": sum(sustained["statuses"].values()),
                        "statuses": sustained["statuses"],
                        "updates_per_s": round(
                            sum(sustained["statuses"].values()) / sustained["elapsed"], 1
                        ),
                        "ack_p50_ms": pct(sustained["acks"], 50),
                        "ack_p99_ms": pct(sustained["acks"], 99),
                    },
                    "all": {
                        "updates": len(expected),
                        "lost": len(lost),
                        "answered_twice": len(doubled),
                        "all_cards_after_s": round(drained - burst_start, 1),
                        "cards_per_s": round(len(expected) / max(drained - first_card, 1e-6), 1),
                    },
                    "paced": {
                        "rate": args.paced_rate,
                        "updates": len(paced["sent"]),
                        "ack_p99_ms": pct(paced["acks"], 99),
                        "card_p50_ms": pct(latency, 50),
                        "card_p95_ms": pct(latency, 95),
                        "cards_missing": len(paced["sent"]) - len(latency),
                    },
                },
                indent=1,
            )
        )
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        fake.stop()


def _wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


if __name__ == "__main__":
    main()
