"""The numbers of `make bench`: from locust's CSV and the harness's own counts to the result rows,
the ratios, the targets of issue 5 and the tables (plain text for the terminal, markdown for
bench/results/). Pure functions, no Django, no locust: tested in apps/ops/tests/test_bench_report.py.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from pathlib import Path

FLOOR = "healthz"

# The targets of issue 5 (on the 2-core machine, PostgreSQL, D1).
MIXED_MIN_RPS = 200.0
MIXED_MAX_P95_MS = 100.0
SAVE_MIN_MARKS_PER_S = 650.0
DIARY_WEEK_MIN_SHARE_OF_FLOOR = 1 / 3
MAX_SIZE_COST_RATIO = 1.15

TITLES = {
    "healthz": "голый эндпоинт /healthz (пол фреймворка)",
    "diary_week": "дневник: неделя (родитель)",
    "diary_marks": "дневник: отметки за период (родитель)",
    "journal_grid": "журнал: сетка за четверть (учитель)",
    "journal_save": "журнал: сохранение столбца из 25 отметок",
    "mixed": "смешанный профиль 80/15/5",
}


@dataclass
class Row:
    scenario: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    avg_ms: float
    queries_per_request: float | None
    peak_rss_mb: float | None
    marks_per_s: float | None = None
    ratio_to_floor: float | None = None
    users: int = 0
    duration_s: float = 0.0
    load_avg: float | None = None
    by_request: dict = field(default_factory=dict)


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def read_locust_stats(path: Path) -> dict[str, dict]:
    """locust's <prefix>_stats.csv → {request name or "Aggregated": numbers}."""
    out = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            out[rec["Name"]] = {
                "requests": int(_float(rec["Request Count"])),
                "failures": int(_float(rec["Failure Count"])),
                "rps": _float(rec["Requests/s"]),
                "avg_ms": _float(rec["Average Response Time"]),
                "p50_ms": _float(rec["50%"]),
                "p95_ms": _float(rec["95%"]),
                "p99_ms": _float(rec["99%"]),
            }
    return out


def queries_per_request(extra: dict, name: str = "Aggregated") -> float | None:
    """Mean of the X-Query-Count header over the answered requests named `name`."""
    answered, total = extra.get("queries", {}).get(name, (0, 0))
    return round(total / answered, 2) if answered else None


def make_row(scenario: str, stats: dict, extra: dict, *, duration_s: float, users: int, peak_rss_kb=None) -> Row:
    """One scenario's result. Throughput is the requests answered over the measured duration.
    Marks/s (the save scenario; also the saves inside the mixed profile) count the marks of saves
    accepted whole."""
    agg = stats["Aggregated"]
    by_request = {
        name: {**numbers, "queries_per_request": queries_per_request(extra, name)}
        for name, numbers in stats.items()
        if name != "Aggregated"
    }
    marks = extra.get("marks", 0)
    return Row(
        scenario=scenario,
        requests=agg["requests"],
        failures=agg["failures"],
        rps=round(agg["rps"], 1),
        p50_ms=agg["p50_ms"],
        p95_ms=agg["p95_ms"],
        p99_ms=agg["p99_ms"],
        avg_ms=round(agg["avg_ms"], 1),
        queries_per_request=queries_per_request(extra),
        peak_rss_mb=round(peak_rss_kb / 1024, 1) if peak_rss_kb else None,
        marks_per_s=round(marks / duration_s, 1) if marks and duration_s else None,
        users=users,
        duration_s=duration_s,
        by_request=by_request,
    )


def add_floor_ratios(rows: list[Row]) -> list[Row]:
    """Each scenario's throughput as a share of the bare endpoint's in the same run."""
    floor = next((r.rps for r in rows if r.scenario == FLOOR), None)
    for r in rows:
        r.ratio_to_floor = round(r.rps / floor, 3) if floor else None
    return rows


def size_cost_ratios(small: list[Row], large: list[Row]) -> dict[str, dict]:
    """Per scenario, the cost of one request at the large size over the small one.

    cost = 1 / requests per second at saturation (the same users, workers and machine);
    `raw` compares the two throughputs directly; `vs_floor` first divides each by the bare
    endpoint of its own run, which cancels a machine that was busier during one of them."""
    a = {r.scenario: r for r in small}
    b = {r.scenario: r for r in large}
    out = {}
    for name in a:
        if name == FLOOR or name not in b or not a[name].rps or not b[name].rps:
            continue
        raw = a[name].rps / b[name].rps
        vs_floor = None
        if a[name].ratio_to_floor and b[name].ratio_to_floor:
            vs_floor = a[name].ratio_to_floor / b[name].ratio_to_floor
        out[name] = {"raw": round(raw, 3), "vs_floor": round(vs_floor, 3) if vs_floor else None}
    return out


def median_row(rounds: list[Row]) -> Row:
    """Of the rounds of one scenario at one size, the one with the median throughput (the lower
    of the two middle ones for an even number): its latencies and counts are reported whole."""
    ordered = sorted(rounds, key=lambda r: r.rps)
    return ordered[(len(ordered) - 1) // 2]


def size_cost_ratios_rounds(small: dict[str, list[Row]], large: dict[str, list[Row]], medians: dict) -> dict:
    """Per scenario, the median over rounds of school req/s ÷ district req/s, each round's two
    runs taken back to back (their order alternating from round to round), with every round's
    ratio beside it; `vs_floor` stays that of the median rows (`medians`: size_cost_ratios of
    them). A machine whose load drifts moves both runs of a round alike: the median of the
    per-round ratios is steadier than the ratio of one pair of runs."""
    out = {}
    for name, ratio in medians.items():
        pairs = [
            (a.rps, b.rps) for a, b in zip(small.get(name, []), large.get(name, []), strict=False) if a.rps and b.rps
        ]
        if not pairs:
            continue
        each = sorted(round(a / b, 3) for a, b in pairs)
        middle = len(each) // 2
        median = each[middle] if len(each) % 2 else round((each[middle - 1] + each[middle]) / 2, 3)
        out[name] = {**ratio, "raw": median, "rounds": [round(a / b, 3) for a, b in pairs]}
    return out


def targets(rows: list[Row], ratios: dict[str, dict] | None = None) -> list[dict]:
    """The targets of issue 5 that these rows can judge: what, the goal, the value, reached?"""
    by = {r.scenario: r for r in rows}
    out = []

    def add(what, goal, value, ok):
        out.append({"target": what, "goal": goal, "value": value, "reached": bool(ok)})

    if "mixed" in by:
        m = by["mixed"]
        add("mixed: requests/s", f"≥ {MIXED_MIN_RPS:g}", m.rps, m.rps >= MIXED_MIN_RPS and not m.failures)
        add("mixed: p95, ms", f"≤ {MIXED_MAX_P95_MS:g}", m.p95_ms, m.p95_ms <= MIXED_MAX_P95_MS)
    if "journal_save" in by:
        s = by["journal_save"]
        value = s.marks_per_s or 0.0
        add("save: marks/s", f"≥ {SAVE_MIN_MARKS_PER_S:g}", value, value >= SAVE_MIN_MARKS_PER_S and not s.failures)
    if "diary_week" in by and by["diary_week"].ratio_to_floor is not None:
        share = by["diary_week"].ratio_to_floor
        add("diary week: share of the floor", "≥ 0.333", share, share >= DIARY_WEEK_MIN_SHARE_OF_FLOOR)
    for name, ratio in (ratios or {}).items():
        add(
            f"{name}: cost district/school",
            f"≤ {MAX_SIZE_COST_RATIO:g}",
            ratio["raw"],
            ratio["raw"] <= MAX_SIZE_COST_RATIO,
        )
    return out


def _fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


HEADERS = [
    "scenario",
    "users",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "SQL/req",
    "peak RSS MB",
    "× floor",
    "marks/s",
    "fail",
    "load",
]


def table_rows(rows: list[Row]) -> list[list[str]]:
    return [
        [
            r.scenario,
            str(r.users),
            _fmt(r.rps),
            _fmt(r.p50_ms, 0),
            _fmt(r.p95_ms, 0),
            _fmt(r.p99_ms, 0),
            _fmt(r.queries_per_request),
            _fmt(r.peak_rss_mb),
            _fmt(r.ratio_to_floor, 3),
            _fmt(r.marks_per_s),
            str(r.failures),
            _fmt(r.load_avg),
        ]
        for r in rows
    ]


def text_table(headers: list[str], body: list[list[str]]) -> str:
    widths = [max(len(h), *(len(line[i]) for line in body)) if body else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for line in body:
        lines.append(
            "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True)))
        )
    return "\n".join(lines)


def markdown_table(headers: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(line) + " |" for line in body]
    return "\n".join(lines)


def targets_body(items: list[dict]) -> list[list[str]]:
    return [
        [t["target"], t["goal"], _fmt(t["value"], 3 if t["value"] < 10 else 1), "да" if t["reached"] else "НЕТ"]
        for t in items
    ]


TARGET_HEADERS = ["target", "goal", "value", "reached"]


def ratios_body(ratios: dict[str, dict]) -> list[list[str]]:
    return [
        [name, _fmt(r["raw"], 3), _fmt(r["vs_floor"], 3), " ".join(f"{x:.3f}" for x in r.get("rounds", [])) or "—"]
        for name, r in ratios.items()
    ]


RATIO_HEADERS = ["scenario", "cost district/school", "same, vs floor", "each round"]


def rows_as_dicts(rows: list[Row]) -> list[dict]:
    return [asdict(r) for r in rows]


def rows_from_dicts(items: list[dict]) -> list[Row]:
    return [Row(**item) for item in items]
