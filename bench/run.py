"""`make bench`: the application under gunicorn against PostgreSQL with a generated dataset, driven
by locust from a separate process on loopback; prints the table and writes bench/results/.

    .venv/bin/python bench/run.py [--sizes school,district] [--duration 20] [--users 10] ...

For each size: the database journal_bench_<size> is created, migrated and filled once (a marker
table records size, seed and a digest of the generator's code and the migrations; the data is
regenerated only when one of them changes), users are signed in (bench/prepare.py), gunicorn
starts on a free loopback port with DEBUG off and the query counter on (JOURNAL_BENCH=1), and
every scenario runs a short warm-up, then a measured run of fixed duration and users. See
docs/performance.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LOCUST = ROOT / ".venv-bench" / "bin" / "locust"
RESULTS = ROOT / "bench" / "results"
SCENARIOS = ["healthz", "diary_week", "diary_marks", "journal_grid", "journal_save", "mixed", "school_report"]
SIZES = ["school", "district"]
GENERATOR = ROOT / "apps" / "demo" / "management" / "commands" / "generate_dataset.py"


def say(text: str) -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------
# The databases


def code_version() -> str:
    """A digest of what decides the data: the generator's code and every migration."""
    h = hashlib.sha256()
    demo = ROOT / "apps" / "demo"
    files = sorted(demo.glob("*.py")) + sorted((demo / "management" / "commands").glob("*.py"))
    files += sorted((ROOT / "apps").glob("*/migrations/*.py"))
    for path in files:
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _admin(pg: str):
    import psycopg

    return psycopg.connect(f"{pg}/postgres", autocommit=True)


def _marker(pg: str, name: str) -> dict | None:
    import psycopg

    try:
        with psycopg.connect(f"{pg}/{name}", autocommit=True) as conn:
            row = conn.execute("SELECT size, seed, version, generator FROM bench_marker LIMIT 1").fetchone()
    except psycopg.Error:
        return None
    return dict(zip(("size", "seed", "version", "generator"), row, strict=True)) if row else None


def ensure_database(pg: str, size: str, seed: int, manifest: Path, reuse: bool = False) -> tuple[str, dict] | None:
    """journal_bench_<size>, holding the dataset of this size, seed and code version (with `reuse`,
    any dataset of this size and seed: for working on the application without regenerating)."""
    name = f"journal_bench_{size}"
    url = f"{pg}/{name}"
    generator = "generate_dataset" if GENERATOR.exists() else ("load_demo" if size == "school" else None)
    if generator is None:
        say(f"!! {size}: нет команды generate_dataset — размер пропущен")
        return None
    want = {"size": size, "seed": seed, "version": code_version(), "generator": generator}
    env = {**os.environ, "DATABASE_URL": url}
    have = _marker(pg, name)
    same_kind = have and (have["size"], have["seed"], have["generator"]) == (size, seed, generator)
    if have == want or (reuse and same_kind):
        say(f"== {size}: база {name} уже содержит набор данных (seed {seed}, версия {have['version']})")
        want = have
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        return url, want
    say(f"== {size}: создаётся база {name} и набор данных ({generator}, seed {seed}) …")
    with _admin(pg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if generator == "generate_dataset":
        cmd = ["generate_dataset", "--size", size, "--seed", str(seed), "--manifest", str(manifest)]
    else:
        say("   (генератора ещё нет: вместо набора «school» — демонстрационная школа load_demo)")
        cmd = ["load_demo", "--seed", str(seed)]
    subprocess.run([PYTHON, "manage.py", *cmd], cwd=ROOT, env=env, check=True)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CREATE TABLE bench_marker (size text, seed int, version text, generator text, at timestamptz)")
        conn.execute(
            "INSERT INTO bench_marker VALUES (%s, %s, %s, %s, now())",
            [size, seed, want["version"], generator],
        )
    say(f"   готово за {time.monotonic() - started:.0f} с")
    return url, want


# ---------------------------------------------------------------------------------------------
# The server


def _niced(nice: int):
    """preexec_fn giving a child process the priority `nice` (negative: ahead of other work)."""
    if not nice:
        return None
    return lambda: os.setpriority(os.PRIO_PROCESS, 0, nice)


def renice_backends(url: str, nice: int) -> int:
    """Give the PostgreSQL backends serving the benchmark database the same priority as the
    server (on a machine shared with other work); returns how many."""
    import psycopg

    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(url, autocommit=True) as conn:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])]
        mine = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    count = 0
    for pid in pids:
        if pid != mine:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, pid, nice)
                count += 1
    return count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(url: str, var_dir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "JOURNAL_VAR_DIR": str(var_dir),
        "JOURNAL_BENCH": "1",
        "LOG_LEVEL": "ERROR",
    }


class Server:
    def __init__(self, env: dict, workers: int, worker_class: str, threads: int, nice: int = 0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            str(GUNICORN),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ]
        if worker_class == "gthread":
            cmd += ["--threads", str(threads)]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, preexec_fn=_niced(nice))
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("gunicorn не запустился")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as r:
                    if r.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn не ответил на /healthz")

    def workers(self) -> list[int]:
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            with contextlib.suppress(OSError):
                pids += [int(p) for p in (task / "children").read_text().split()]
        return pids

    def reset_peak_rss(self) -> None:
        """Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0): the peak of the next run alone."""
        for pid in self.workers():
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_rss_kb(self) -> int | None:
        """The largest VmHWM among the workers (each worker is a process of its own)."""
        peaks = []
        for pid in self.workers():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]))
        return max(peaks) if peaks else None

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------------------------------------
# One scenario


def run_locust(
    server: Server, plan: Path, scenario: str, users: int, seconds: float, workdir: Path, tag: str, nice: int = 0
):
    prefix = workdir / f"{scenario}-{tag}"
    extra = workdir / f"{scenario}-{tag}-extra.json"
    env = {**os.environ, "BENCH_PLAN": str(plan), "BENCH_SCENARIO": scenario, "BENCH_EXTRA": str(extra)}
    cmd = [
        str(LOCUST),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        server.url,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds:g}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "ERROR",
        "--exit-code-on-error",
        "0",
    ]
    log = workdir / f"{scenario}-{tag}.log"
    with open(log, "w") as out:
        done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_niced(nice))
    if done.returncode != 0:
        say(log.read_text()[-3000:])
        raise SystemExit(f"locust: {scenario} завершился с кодом {done.returncode}")
    stats = report.read_locust_stats(Path(f"{prefix}_stats.csv"))
    extra_data = json.loads(extra.read_text()) if extra.exists() else {}
    return stats, extra_data


def users_for(scenario: str, args, plan: dict) -> int:
    if scenario == "journal_save":
        return min(args.save_users, len(plan["save_slots"]))
    if scenario == "mixed":
        return min(args.users, len(plan["mixed_slots"]))
    return args.users


# ---------------------------------------------------------------------------------------------
# The machine and the results


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    pg = ""
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres") as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": pg,
        "kernel": platform.release(),
    }


def git_commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    commit = out.stdout.strip() or "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    )
    return commit + ("-dirty" if dirty.stdout.strip() else "")


def write_results(stem: str, data: dict, rows: list[report.Row], ratios: dict | None) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{stem}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    md = [
        f"# make bench — {data['size']}, {data['date']}, {data['commit']}",
        "",
        f"Machine: {data['machine']['cpu']}, {data['machine']['cores']} cores, {data['machine']['ram_gb']} GB RAM; "
        f"PostgreSQL {data['machine']['postgresql']}, Python {data['machine']['python']}.",
        f"Server: gunicorn {data['settings']['worker_class']} × {data['settings']['workers']} workers, "
        f"nice {data['settings']['nice']}; "
        f"{data['settings']['duration_s']:g} s per scenario after {data['settings']['warmup_s']:g} s of warm-up.",
        f"Dataset: {json.dumps(data['dataset'], ensure_ascii=False)}",
        "",
        report.markdown_table(report.HEADERS, report.table_rows(rows)),
        "",
        report.markdown_table(report.TARGET_HEADERS, report.targets_body(data["targets"])),
    ]
    if ratios:
        md += ["", report.markdown_table(report.RATIO_HEADERS, report.ratios_body(ratios))]
    (RESULTS / f"{stem}.md").write_text("\n".join(md) + "\n")
    return path


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description="make bench")
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "school,district"))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 20)))
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 4)))
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 10)))
    parser.add_argument("--save-users", type=int, default=int(os.environ.get("BENCH_SAVE_USERS", 8)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2 * cores + 1)))
    parser.add_argument("--worker-class", default=os.environ.get("BENCH_WORKER_CLASS", "sync"))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 4)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", 1)))
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument(
        "--nice",
        type=int,
        default=int(os.environ.get("BENCH_NICE", 0)),
        help="scheduling priority of gunicorn, locust and their PostgreSQL backends (e.g. -10 on a shared machine)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", 1)),
        help="run each scenario this many times at every size, alternating which size goes first; "
        "the median round is reported and the size ratio is the median of the rounds' ratios",
    )
    parser.add_argument("--no-save", action="store_true", help="print only, write no result files")
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        default=os.environ.get("BENCH_REUSE_DATA") == "1",
        help="keep a dataset of the same size and seed even if the generator's code changed since",
    )
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    scenarios = [s for s in args.scenarios.split(",") if s]
    for s in sizes:
        if s not in SIZES:
            parser.error(f"unknown size {s!r}: {SIZES}")
    for s in scenarios:
        if s not in SCENARIOS:
            parser.error(f"unknown scenario {s!r}: {SCENARIOS}")
    if not LOCUST.exists():
        parser.error(f"{LOCUST} not found: run `make bench` (it installs requirements-bench.lock)")

    workdir = Path(tempfile.mkdtemp(prefix="journal-bench-"))
    date = dt.datetime.now().strftime("%Y-%m-%d")
    commit = git_commit()
    info = machine()
    say(f"== {info['cpu']}, {info['cores']} ядра, {info['ram_gb']} ГБ; коммит {commit}; каталог {workdir}")
    all_rows: dict[str, list[report.Row]] = {}
    rounds_of: dict[str, dict[str, list[report.Row]]] = {}
    try:
        # 1. Data, users and a server per size, all up at once.
        targets = {}
        try:
            for size in sizes:
                ready = ensure_database(args.pg, size, args.seed, workdir / f"manifest-{size}.json", args.reuse_data)
                if ready is None:
                    continue
                url, marker = ready
                env = app_env(url, workdir / f"var-{size}")
                subprocess.run(
                    [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
                )
                plan_path = workdir / f"plan-{size}.json"
                subprocess.run(
                    [PYTHON, "bench/prepare.py", "--out", str(plan_path), "--seed", str(args.seed)],
                    cwd=ROOT,
                    env=env,
                    check=True,
                )
                server = Server(env, args.workers, args.worker_class, args.threads, args.nice)
                targets[size] = SimpleNamespace(
                    url=url, marker=marker, plan_path=plan_path, plan=json.loads(plan_path.read_text()), server=server
                )
                all_rows[size] = []
                rounds_of[size] = {}
                say(f"== {size}: gunicorn {args.worker_class} × {args.workers} на {server.url}")

            # 2. Each scenario at every size back to back, so a change in the machine's other load
            #    between the sizes is as small as it can be (the sizes are compared per scenario);
            #    with --rounds, again and again, the size that goes first alternating.
            for scenario, round_no in ((s, k) for s in scenarios for k in range(max(1, args.rounds))):
                order = list(targets.items())
                if round_no % 2:
                    order.reverse()
                for size, t in order:
                    users = users_for(scenario, args, t.plan)
                    if args.warmup:
                        run_locust(
                            t.server, t.plan_path, scenario, users, args.warmup, workdir, f"{size}-warmup", args.nice
                        )
                    if args.nice:
                        renice_backends(t.url, args.nice)
                    t.server.reset_peak_rss()
                    load_before = os.getloadavg()[0]
                    stats, extra = run_locust(
                        t.server, t.plan_path, scenario, users, args.duration, workdir, size, args.nice
                    )
                    row = report.make_row(
                        scenario,
                        stats,
                        extra,
                        duration_s=args.duration,
                        users=users,
                        peak_rss_kb=t.server.peak_rss_kb(),
                    )
                    row.load_avg = round(load_before, 2)  # the machine's 1-minute load when the run began
                    rounds_of[size].setdefault(scenario, []).append(row)
                    q = row.queries_per_request
                    say(f"   {size:8} {scenario:14} {row.rps:8.1f} req/s  p95 {row.p95_ms:5.0f} ms  SQL/req {q}")
        finally:
            for t in targets.values():
                t.server.stop()

        # 3. The tables and the files.
        for size in targets:
            all_rows[size] = report.add_floor_ratios([report.median_row(r) for r in rounds_of[size].values()])
        for size, t in targets.items():
            rows = all_rows[size]
            ratios = None
            if size == "district" and "school" in all_rows:
                ratios = report.size_cost_ratios(all_rows["school"], rows)
                if args.rounds > 1:
                    ratios = report.size_cost_ratios_rounds(rounds_of["school"], rounds_of["district"], ratios)
            url, marker, plan = t.url, t.marker, t.plan
            data = {
                "size": size,
                "date": dt.datetime.now().isoformat(timespec="seconds"),
                "commit": commit,
                "machine": info,
                "settings": {
                    "workers": args.workers,
                    "worker_class": args.worker_class,
                    "threads": args.threads if args.worker_class == "gthread" else 1,
                    "users": args.users,
                    "save_users": args.save_users,
                    "duration_s": args.duration,
                    "rounds": max(1, args.rounds),
                    "warmup_s": args.warmup,
                    "nice": args.nice,
                    "seed": args.seed,
                    "database": url.rsplit("/", 1)[-1],
                    "dataset_marker": marker,
                    "debug": False,
                    "conn_max_age": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
                },
                "dataset": plan["dataset"],
                "scenarios": report.rows_as_dicts(rows),
                "targets": report.targets(rows, ratios),
                "size_cost_ratios": ratios,
            }
            say("")
            say(f"== {size}: {plan['dataset']}")
            say(report.text_table(report.HEADERS, report.table_rows(rows)))
            if ratios:
                say("")
                say(report.text_table(report.RATIO_HEADERS, report.ratios_body(ratios)))
            say("")
            say(report.text_table(report.TARGET_HEADERS, report.targets_body(data["targets"])))
            if not args.no_save:
                path = write_results(f"{date}-{commit}-{size}", data, rows, ratios)
                say(f"   → {path.relative_to(ROOT)} (+ .md)")
            say("")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
