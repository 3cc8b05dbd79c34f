"""Offsite upload benchmark (issue 18): the S3 client of `flrts.ops.backup.s3` (whichever is on
the path: the hand-written SigV4 one before, the boto3 wrapper now) uploads a file to the fake S3
server (tests/fakes/s3_server.py, real HTTP on 127.0.0.1, every signature and payload hash
checked), then reads it back through SHA-256, as the offsite copy does.

Run: .venv/bin/python bench/s3.py [--mb 200] [--rounds 3]
(the old code: PYTHONPATH=<old checkout>/src .venv/bin/python bench/s3.py)
Prints one JSON object: best and median seconds of upload and of read-back, the time to import
the client module and make its client (a fresh process), and the load average.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(1, str(ROOT))  # tests.fakes; flrts itself from PYTHONPATH or the install

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

IMPORT = """
import time
t = time.perf_counter()
from flrts.ops.backup import s3
c = s3.S3Client(s3.S3Config("http://127.0.0.1:9", "b", "k", "s"))
if hasattr(c, "_client"):
    c._client()
print(time.perf_counter() - t)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    import django

    django.setup()
    from tests.fakes.s3_server import ACCESS_KEY, BUCKET, REGION, SECRET_KEY, FakeS3

    from flrts.ops.backup import s3

    engine = "boto3" if hasattr(s3, "boto3_available") else "hand-written"
    folder = Path(tempfile.mkdtemp(prefix="flrts-bench-s3-"))
    source = folder / "part.bin"
    with open(source, "wb") as handle:
        for _ in range(args.mb):
            handle.write(os.urandom(1024 * 1024))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    uploads, reads = [], []
    with FakeS3() as fake:
        config = s3.S3Config(fake.endpoint, BUCKET, ACCESS_KEY, SECRET_KEY, REGION)
        for n in range(args.rounds):
            with s3.S3Client(config) as client:
                started = time.perf_counter()
                client.put_object(f"bench/{n}.bin", source, sha256=digest)
                uploads.append(time.perf_counter() - started)
                started = time.perf_counter()
                assert client.get_object_digest(f"bench/{n}.bin") == (args.mb << 20, digest)
                reads.append(time.perf_counter() - started)
            fake.objects().clear()
    source.unlink()
    folder.rmdir()
    imports = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", IMPORT], capture_output=True, text=True, check=True
        )
        imports.append(float(done.stdout.strip()))
    print(
        json.dumps(
            {
                "engine": engine,
                "mb": args.mb,
                "upload_best_s": round(min(uploads), 3),
                "upload_median_s": round(statistics.median(uploads), 3),
                "read_back_best_s": round(min(reads), 3),
                "import_and_client_best_s": round(min(imports), 3),
                "load_before": round(load_before, 2),
                "load_after": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
