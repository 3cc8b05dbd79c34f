"""`/metrics` scrape benchmark (issue 18): time of one scrape when several processes have served
requests, with the hand-written snapshot files (before) or prometheus_client's multiprocess
mode (after). Works against whichever `flrts.ops.metrics` is checked out.

Run: .venv/bin/python bench/metrics.py [--processes 4] [--routes 60] [--requests 2000] [--rounds 30]

A throw-away SQLite site is made; `--processes` real child processes each record `--requests`
requests spread over `--routes` routes (3 statuses each) through the module's own per-process
API, and exit. Then this process scrapes `/metrics` through Django's test client `--rounds`
times. Prints one JSON object: median and best seconds of a whole scrape (database numbers
included) and of the request numbers alone, the size of the text, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench._site import temp_site  # noqa: E402

CHILD = """
import os, sys, django
django.setup()
from flrts.ops import metrics
routes, requests = int(sys.argv[1]), int(sys.argv[2])
observe = metrics.REQUESTS.observe if hasattr(metrics, "RequestStats") else metrics.observe
for i in range(requests):
    observe(f"/bench/route/{i % routes}", "GET", (200, 404, 500)[i % 3], (i % 97) / 100)
if hasattr(metrics, "RequestStats"):
    metrics.REQUESTS.flush()
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--routes", type=int, default=60)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    temp_site()
    from django.conf import settings
    from django.test import Client

    from flrts.ops import metrics

    engine = "hand-written" if hasattr(metrics, "RequestStats") else "prometheus_client"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if engine == "prometheus_client":
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics.multiproc_dir())
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(args.routes), str(args.requests)], env=env
        )
        for _ in range(args.processes)
    ]
    for child in children:
        assert child.wait() == 0
    settings.ALLOWED_HOSTS = ["*"]
    client = Client(REMOTE_ADDR="127.0.0.1")
    whole, requests_only, size = [], [], 0
    for _ in range(args.rounds):
        started = time.perf_counter()
        response = client.get("/metrics")
        whole.append(time.perf_counter() - started)
        assert response.status_code == 200
        size = len(response.content)
        started = time.perf_counter()
        if engine == "hand-written":
            text = "\n".join(metrics.REQUESTS.collect().lines())
        else:
            text = metrics.request_text()
        requests_only.append(time.perf_counter() - started)
        counted = [
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("flrts_http_requests_total{")
            and 'route="/bench/route/0"' in line
            and 'status="200"' in line
        ]
        assert counted == [args.processes * 34], counted
    print(
        json.dumps(
            {
                "engine": engine,
                "processes": args.processes,
                "routes": args.routes,
                "requests_per_process": args.requests,
                "scrape_median_s": round(statistics.median(whole), 5),
                "scrape_best_s": round(min(whole), 5),
                "request_part_median_s": round(statistics.median(requests_only), 5),
                "request_part_best_s": round(min(requests_only), 5),
                "bytes": size,
                "load_before": round(load_before, 2),
                "load_after": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
