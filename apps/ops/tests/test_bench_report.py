"""The arithmetic of `make bench` (bench/report.py): locust's CSV to result rows, the ratio to the
bare endpoint, the district/school cost ratio and the targets of issue 5."""

from bench import report

CSV_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
)


def _csv(tmp_path, lines):
    path = tmp_path / "x_stats.csv"
    path.write_text(CSV_HEADER + "".join(lines))
    return path


def _row(scenario, rps, **kw):
    values = dict(
        requests=int(rps * 20),
        failures=0,
        rps=rps,
        p50_ms=10.0,
        p95_ms=20.0,
        p99_ms=30.0,
        avg_ms=12.0,
        queries_per_request=5.0,
        peak_rss_mb=60.0,
    )
    values.update(kw)
    return report.Row(scenario=scenario, **values)


def test_locust_csv_to_a_row_with_queries_and_marks(tmp_path):
    """Issue 5: a scenario's row holds requests/s, p50/p95/p99, SQL queries per request from the
    X-Query-Count header, the workers' peak RSS and, for saves, marks per second."""
    path = _csv(
        tmp_path,
        [
            "POST,journal_save,200,1,40,45.5,10,300,900,10.0,0.05,40,50,55,60,80,120,150,200,290,300,300\n",
            ",Aggregated,200,1,40,45.5,10,300,900,10.0,0.05,40,50,55,60,80,120,150,200,290,300,300\n",
        ],
    )
    stats = report.read_locust_stats(path)
    extra = {"queries": {"journal_save": [199, 199 * 140], "Aggregated": [199, 199 * 140]}, "saves": 199, "marks": 4975}
    row = report.make_row("journal_save", stats, extra, duration_s=20, users=4, peak_rss_kb=61440)
    assert (row.requests, row.failures, row.rps) == (200, 1, 10.0)
    assert (row.p50_ms, row.p95_ms, row.p99_ms) == (40.0, 120.0, 200.0)
    assert row.queries_per_request == 140.0
    assert row.by_request["journal_save"]["queries_per_request"] == 140.0
    assert row.peak_rss_mb == 60.0
    assert row.marks_per_s == 248.8  # 4975 marks in 20 s


def test_no_header_means_no_query_count():
    """Issue 5: a run where no answer carried the header shows «—», not a made-up zero."""
    assert report.queries_per_request({}) is None
    assert report.queries_per_request({"queries": {"Aggregated": [0, 0]}}) is None


def test_ratio_to_the_floor_and_the_diary_target():
    """Issue 5: each throughput is divided by the bare endpoint's of the same run; the diary week
    reaches its target at one third of the floor and not below."""
    rows = report.add_floor_ratios([_row("healthz", 900.0), _row("diary_week", 300.0)])
    assert [r.ratio_to_floor for r in rows] == [1.0, 0.333]
    reached = {t["target"]: t["reached"] for t in report.targets(rows)}
    assert reached == {"diary week: share of the floor": False}  # 0.3333… rounds to 0.333 < 1/3

    rows = report.add_floor_ratios([_row("healthz", 900.0), _row("diary_week", 301.0)])
    assert report.targets(rows)[0]["reached"] is True


def test_mixed_and_save_targets():
    """Issue 5: mixed ≥ 200 req/s with p95 ≤ 100 ms, saving ≥ 650 marks/s; failures void a result."""
    ok = report.targets([_row("mixed", 250.0, p95_ms=90.0), _row("journal_save", 30.0, marks_per_s=700.0)])
    assert [t["reached"] for t in ok] == [True, True, True]
    bad = report.targets(
        [_row("mixed", 250.0, p95_ms=140.0, failures=3), _row("journal_save", 30.0, marks_per_s=600.0)]
    )
    assert [t["reached"] for t in bad] == [False, False, False]


def test_size_cost_ratio():
    """Issue 5: the per-request cost at district size over school size, directly and relative to
    each run's own floor (which cancels a machine busier in one run); the floor itself is not a row."""
    school = report.add_floor_ratios([_row("healthz", 1000.0), _row("diary_week", 400.0)])
    district = report.add_floor_ratios([_row("healthz", 800.0), _row("diary_week", 320.0)])
    ratios = report.size_cost_ratios(school, district)
    assert ratios == {"diary_week": {"raw": 1.25, "vs_floor": 1.0}}
    judged = report.targets([], ratios)
    assert judged == [{"target": "diary_week: cost district/school", "goal": "≤ 1.15", "value": 1.25, "reached": False}]


def test_tables_show_every_scenario():
    """Issue 5: the printed and the markdown table have one line per scenario and a dash for
    what was not measured."""
    rows = report.add_floor_ratios([_row("healthz", 1000.0, queries_per_request=0.0), _row("mixed", 200.0)])
    body = report.table_rows(rows)
    text = report.text_table(report.HEADERS, body)
    md = report.markdown_table(report.HEADERS, body)
    assert text.splitlines()[2].startswith("healthz") and text.splitlines()[3].startswith("mixed")
    assert md.count("\n") == 3 and "| mixed | 10 |" not in md  # users default to 0 here
    assert body[1][8] == "0.200" and body[1][9] == "—"


def test_personas_are_spread_over_every_school():
    """Issue 5: the benchmark's users are taken school by school in turn, so a district run reads
    and writes every school, not the first one only."""
    from bench.prepare import _round_robin

    picked = _round_robin({1: ["a1", "a2", "a3"], 2: ["b1"], 3: ["c1", "c2"]}, 5)
    assert picked == ["a1", "b1", "c1", "a2", "c2"]
    assert _round_robin({1: ["a1"]}, 3) == ["a1"]  # fewer than asked: all there are


def test_rounds_report_the_median_run_and_the_median_of_the_rounds_ratios():
    """Issue 5 (the district/school target): with several rounds the table shows the round with
    the median throughput, whole, and the size ratio is the median of the per-round ratios — one
    noisy pair of runs no longer decides the target."""
    school = {"diary_week": [_row("diary_week", 100.0), _row("diary_week", 60.0), _row("diary_week", 90.0)]}
    district = {"diary_week": [_row("diary_week", 95.0), _row("diary_week", 30.0), _row("diary_week", 85.0)]}
    assert report.median_row(school["diary_week"]).rps == 90.0
    assert report.median_row(district["diary_week"]).rps == 85.0
    assert report.median_row([_row("x", 1.0), _row("x", 3.0)]).rps == 1.0  # the lower middle

    medians = report.size_cost_ratios([_row("diary_week", 90.0)], [_row("diary_week", 85.0)])
    ratios = report.size_cost_ratios_rounds(school, district, medians)
    # Rounds: 100/95 = 1.053, 60/30 = 2.0 (a disturbed pair), 90/85 = 1.059 → median 1.059.
    assert ratios["diary_week"]["rounds"] == [1.053, 2.0, 1.059]
    assert ratios["diary_week"]["raw"] == 1.059
    targets = report.targets([], ratios)
    assert targets == [
        {"target": "diary_week: cost district/school", "goal": "≤ 1.15", "value": 1.059, "reached": True}
    ]
    assert "1.053 2.000 1.059" in report.text_table(report.RATIO_HEADERS, report.ratios_body(ratios))
