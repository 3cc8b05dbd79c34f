"""Back up and restore a site with N tasks (default 1,000,000), beside the plain tools.

    python bench/backup.py [--tasks 1000000] [--db sqlite|mariadb]

Ours: `flrts backup` (SQLite: online-backup image, zstd on both cores; MariaDB:
--single-transaction dump, gzip; a manifest with SHA-256 and row counts) and `flrts restore
--force` (verify, load into staging, safety backup, swap, migrate). Plain: `sqlite3 .backup` and
`.restore` (and, for reference, `.dump | gzip` and its load) or `mysqldump | gzip` and its load.
Prints one JSON object: seconds and MB/s (of the live database's size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLRTS = [sys.executable, "-m", "flrts.cli"]

SEED = r"""
from django.db import connection, transaction
from flrts.org.models import Site
from flrts.people.models import User
from flrts.tasks.models import Task
owner = User.objects.get(username="Administrator")
site = Site(site_name="Bench", site_code="BN-01"); site.save()
template = Task(subject="template", description="Pressure readings looked off.",
                status="Open", priority="Medium", site=site, assigned_to=owner)
template.save()
count = {count}
cols = [f.column for f in Task._meta.concrete_fields if f.column != "id"]
def concat(*p):
    return " || ".join(p) if connection.vendor == "sqlite" else "CONCAT(" + ", ".join(p) + ")"
exprs = []
for col in cols:
    if col == "name":
        exprs.append(concat("'TASK-B-'", "CAST(a.i*1000+b.i AS CHAR)"))
    elif col == "subject":
        exprs.append(concat("'Check compressor '", "CAST(a.i*1000+b.i AS CHAR)", "' at pad 7'"))
    else:
        exprs.append("t." + connection.ops.quote_name(col))
with transaction.atomic(), connection.cursor() as cur:
    cur.execute("CREATE TEMPORARY TABLE bench_n (i INTEGER)")
    cur.executemany("INSERT INTO bench_n (i) VALUES (%s)", [(i,) for i in range(1000)])
    cur.execute(
        f"INSERT INTO tasks_task ({{', '.join(connection.ops.quote_name(c) for c in cols)}}) "
        f"SELECT {{', '.join(exprs)}} FROM bench_n a CROSS JOIN bench_n b CROSS JOIN tasks_task t "
        f"WHERE t.id = %s AND a.i*1000+b.i < %s", [template.pk, count - 1])
print(Task.objects.count())
"""


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("FLRTS_", "DJANGO_"))}


def run(sites: Path, *args: str) -> str:
    done = subprocess.run(
        [*FLRTS, "--sites-dir", str(sites), *args],
        capture_output=True,
        text=True,
        env=env(),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        sys.exit(f"flrts {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def timed(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def shell(cmd: str) -> None:
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True, env=env())


def db_size(site: Path, config: dict) -> int:
    if config["db_type"] == "sqlite":
        return (site / "db.sqlite3").stat().st_size
    out = subprocess.run(
        [
            "mysql",
            "-h",
            config["db_host"],
            "-u",
            config["db_user"],
            "-N",
            "-e",
            "SELECT SUM(data_length+index_length) FROM information_schema.tables "
            f"WHERE table_schema='{config['db_name']}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "mariadb"], default="sqlite")
    opts = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="flrts-bench-backup-"))
    sites = base / "sites"
    tag = os.getpid()
    src, dst = f"bsrc{tag}.test", f"bdst{tag}.test"
    try:
        for name in (src, dst):
            run(
                sites,
                "new-site",
                name,
                "--db-type",
                opts.db,
                "--admin-password",
                "bench-pass",
                "--force",
            )
        seed_s = timed(
            lambda: run(sites, "--site", src, "console", "-c", SEED.format(count=opts.tasks))
        )
        site = sites / src
        config = json.loads((site / "site_config.json").read_text())
        size = db_size(site, config)
        mb = size / 1e6

        ours = timed(lambda: run(sites, "--site", src, "backup"))
        manifest_path = sorted((site / "private" / "backups").glob("*-manifest.json"))[-1]
        manifest = json.loads(manifest_path.read_text())
        dump = site / "private" / "backups" / manifest["parts"]["database"]["name"]

        plain_dir = base / "plain"
        plain_dir.mkdir()
        result: dict[str, object] = {}
        if opts.db == "sqlite":
            db = site / "db.sqlite3"
            plain = timed(lambda: shell(f"sqlite3 {db} '.backup {plain_dir}/copy.sqlite3'"))
            plain_dump = timed(
                lambda: shell(f"sqlite3 {db} .dump | gzip > {plain_dir}/dump.sql.gz")
            )
            plain_label, result["plain_dump_gzip_s"] = "sqlite3 .backup", round(plain_dump, 2)
            result["plain_backup_then_gzip1_s"] = round(
                plain
                + timed(lambda: shell(f"gzip -1 -c {plain_dir}/copy.sqlite3 > {plain_dir}/c.gz")),
                2,
            )
            # the plain counterpart of restoring an image: sqlite3 .restore of the .backup copy
            plain_restore = timed(
                lambda: shell(
                    f"sqlite3 {plain_dir}/restored.sqlite3 '.restore {plain_dir}/copy.sqlite3'"
                )
            )
            result["plain_sql_load_s"] = round(
                timed(
                    lambda: shell(
                        f"gunzip -c {plain_dir}/dump.sql.gz | sqlite3 {plain_dir}/loaded.sqlite3"
                    )
                ),
                2,
            )
        else:
            args = f"-h {config['db_host']} -u {config['db_user']}"
            dump_cmd = f"mysqldump {args} --single-transaction --quick {config['db_name']}"
            plain = timed(lambda: shell(f"{dump_cmd} | gzip > {plain_dir}/dump.sql.gz"))
            plain_label = "mysqldump | gzip"
            scratch = "flrts_bench_plain"
            shell(f"mysql {args} -e 'DROP DATABASE IF EXISTS {scratch}; CREATE DATABASE {scratch}'")
            plain_restore = timed(
                lambda: shell(f"gunzip -c {plain_dir}/dump.sql.gz | mysql {args} flrts_bench_plain")
            )
            shell(f"mysql {args} -e 'DROP DATABASE flrts_bench_plain'")

        restore = timed(lambda: run(sites, "--site", dst, "restore", str(dump), "--force"))
        verify = timed(lambda: run(sites, "--site", src, "backup", "verify", str(dump)))
        count = run(
            sites,
            "--site",
            dst,
            "console",
            "-c",
            "from flrts.tasks.models import Task; print(Task.objects.count())",
        ).strip()
        assert int(count) == opts.tasks, count
        result.update(
            {
                "db": opts.db,
                "tasks": opts.tasks,
                "db_size_mb": round(mb, 1),
                "dump_gz_mb": round(dump.stat().st_size / 1e6, 1),
                "seed_s": round(seed_s, 1),
                "backup_s": round(ours, 2),
                "backup_inner_s": manifest["duration_seconds"],
                "backup_mb_per_s": round(mb / ours, 1),
                "plain_tool": plain_label,
                "plain_backup_s": round(plain, 2),
                "plain_mb_per_s": round(mb / plain, 1),
                "backup_vs_plain": round(ours / plain, 2),
                "backup_inner_vs_plain": round(manifest["duration_seconds"] / plain, 2),
                "restore_s": round(restore, 2),
                "restore_mb_per_s": round(mb / restore, 1),
                "plain_restore_s": round(plain_restore, 2),
                "verify_s": round(verify, 2),
                "restored_tasks": int(count),
                "machine": f"{os.cpu_count()} cores, {platform.python_version()}",
            }
        )
        print(json.dumps(result, indent=1))
    finally:
        for name in (src, dst):
            path = sites / name / "site_config.json"
            if path.exists():
                from flrts.bootstrap import drop_database

                cfg = json.loads(path.read_text())
                if cfg["db_type"] != "sqlite":
                    drop_database(cfg)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
