"""Markdown tables of the results (bench/results/summary.md), for the notebook bench/README.md.

Generated from the JSON files, so the notebook's figures can be checked against them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.plot import DATABASES, RESULTS, load_results


def fig(stats: dict[str, Any], key: str = "median", spread: bool = True) -> str:
    if not stats or not stats.get("runs"):
        return "-"
    text = f"{stats[key]:.1f}"
    return f"{text} ({stats['min']:.1f}-{stats['max']:.1f})" if spread else text


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def targets(results: dict[str, dict[str, Any]]) -> list[str]:
    rows = []

    def each(get: Any, goal: Any, fmt: str) -> list[str]:
        cells = []
        for name in DATABASES:
            try:
                value = get(results[name])
            except KeyError:
                cells.append("-")
                continue
            cells.append(f"{fmt.format(value)} {'✅' if goal(value) else '❌'}")
        return cells

    checks = (
        (
            "batch >= 5x faster than 10 sequential saveGoal",
            lambda r: r["end_to_end"]["ratios"]["sequential_over_batch"],
            lambda v: v >= 5,
            "{}x",
        ),
        (
            "batch >= 2x faster than transport batching",
            lambda r: r["end_to_end"]["ratios"]["transport_over_batch"],
            lambda v: v >= 2,
            "{}x",
        ),
        (
            "batch(100) <= 2.5x batch(1)",
            lambda r: r["scaling"]["client"]["batch100_over_batch1"],
            lambda v: v <= 2.5,
            "{}x",
        ),
        (
            "one more item <= 0.2 ms (full goal selected)",
            lambda r: r["floor"]["client"]["per_item_ms"]["client"],
            lambda v: v <= 0.2,
            "{:.3f} ms",
        ),
        (
            "one more item <= 0.1 ms (lean selection)",
            lambda r: r["floor"]["lean"]["per_item_ms"]["client"],
            lambda v: v <= 0.1,
            "{:.3f} ms",
        ),
        (
            "SQL statements constant in N",
            lambda r: r["scaling"]["client"]["statements_first_last"],
            lambda v: v[1] <= 11,  # 10 plus the one history insert (docs/history.md)
            "{0[0]:.0f} (N=1) ... {0[1]:.0f} (N=200)",
        ),
        (
            "throughput at saturation >= 2x 8e16e26's, same run (serve's default workers)",
            lambda r: saturation_ratio(r["baseline"], default_workers=True),
            lambda v: v >= 2,
            "{}x",
        ),
        (
            "throughput at saturation >= 2x 8e16e26's, same run (one worker each)",
            lambda r: saturation_ratio(r["baseline"], default_workers=False),
            lambda v: v >= 2,
            "{}x",
        ),
        (
            "p95 under load < 50 ms (auto-save pace)",
            lambda r: r["load"]["autosave"]["latency_ms"]["p95"],
            lambda v: v < 50,
            "{:.1f} ms",
        ),
        (
            "p95 under load < 50 ms (lockstep auto-save)",
            lambda r: r["load"]["lockstep"]["latency_ms"]["p95"],
            lambda v: v < 50,
            "{:.1f} ms",
        ),
        (
            "p95 under load < 50 ms (saturation)",
            lambda r: r["load"]["saturation"]["latency_ms"]["p95"],
            lambda v: v < 50,
            "{:.1f} ms",
        ),
    )
    for text, get, goal, fmt in checks:
        rows.append([text, *each(get, goal, fmt)])
    names = [DATABASES[n][0] for n in DATABASES]
    return table(["target", *names], rows)


def saturation_ratio(baseline: dict[str, Any], *, default_workers: bool) -> float:
    """Best saturation throughput of the current code over the baseline commit's, one worker
    each or with `goalpost serve`'s default workers (one per core on PostgreSQL, one on
    SQLite, where the two are the same)."""
    ratios = baseline["current_over_baseline"]
    one: float = ratios["saturation_items_per_s_current"]
    if not default_workers:
        return one
    workers: float = ratios.get("saturation_items_per_s_current_default_workers", one)
    return workers


def baseline_table(results: dict[str, dict[str, Any]], names: list[str]) -> list[str]:
    """The current code next to an earlier commit's own server (bench/baseline.py)."""
    rows = []
    revision = ""
    for name in names:
        b = results[name].get("baseline")
        if not b:
            continue
        revision = b["revision"]
        label = DATABASES[name][0]
        for selection in ("client", "lean"):
            old, new = b["batches"]["baseline"][selection], b["batches"]["current"][selection]
            for n in ("1", "10", "100"):
                rows.append(
                    [
                        label,
                        f"batch of {n}, {selection} selection (ms)",
                        fig(old["batch_ms"][n]),
                        fig(new["batch_ms"][n]),
                        f"{b['current_over_baseline'][selection][f'batch of {n}']}x",
                    ]
                )
            rows.append(
                [
                    label,
                    f"one more item, {selection} selection (ms)",
                    f"{old['per_item_ms']:.3f}",
                    f"{new['per_item_ms']:.3f}",
                    f"{b['current_over_baseline'][selection]['per_item']}x",
                ]
            )
            rows.append(
                [
                    label,
                    f"batch(100) / batch(1), {selection} selection",
                    f"{old['batch100_over_batch1']}x",
                    f"{new['batch100_over_batch1']}x",
                    "",
                ]
            )
        sat = b["saturation"]
        before = sat["baseline"]["items_per_s"]
        for key, text in (
            ("current", "one worker"),
            ("current_default_workers", f"{b['default_workers']} workers (serve's default)"),
        ):
            if key not in sat:
                continue
            now = sat[key]["items_per_s"]
            p95 = [round(x["p95"]) for x in sat[key]["latency_ms"]]
            rows.append(
                [
                    label,
                    f"items/s at saturation, {text}; p95 now {p95} ms",
                    f"{max(before):.0f} ({min(before):.0f}-{max(before):.0f})",
                    f"{max(now):.0f} ({min(now):.0f}-{max(now):.0f})",
                    f"{b['current_over_baseline'][f'saturation_items_per_s_{key}']}x",
                ]
            )
    if not rows:
        return []
    out = [
        f"\n**6. Side by side with {revision}** (the commit issue 15 measured: its own server, "
        "migrations and database, next to the current code, taking turns in the same run; "
        "batches: median (min-max) at the client; saturation: best of the rounds (range), "
        "20 clients, 10-item batches, the earlier commit with one worker)\n"
    ]
    return out + table(["database", "what", revision, "now", "now is"], rows)


def floor_table(results: dict[str, dict[str, Any]], names: list[str]) -> list[str]:
    """goalpost next to the floor (bench/floor.py): the same batches, a resolver that does
    no work, in-process."""
    rows = []
    for name in names:
        f = results[name].get("floor")
        if not f:
            continue
        for selection in ("client", "lean"):
            x = f[selection]
            for row in x["sizes"]:
                rows.append(
                    [
                        DATABASES[name][0],
                        selection,
                        str(row["n"]),
                        fig(row["client_ms"], spread=False),
                        fig(row["server_ms"], spread=False),
                        f"{row['floor_ms']['median']:.2f}",
                        f"{row['server_over_floor']}x",
                    ]
                )
            per_item = x["per_item_ms"]
            rows.append(
                [
                    DATABASES[name][0],
                    selection,
                    "**one more item**",
                    f"{per_item['client']:.3f}",
                    f"{per_item['server']:.3f}",
                    f"{per_item['floor']:.3f}",
                    f"{x['per_item_server_over_floor']}x",
                ]
            )
    if not rows:
        return []
    out = [
        "\n**3b. goalpost and the floor** (the floor: goalpost's schema with a resolver that "
        "does no work, in-process: JSON, variables, execution; bench/floor.py)\n"
    ]
    header = ["database", "selection", "N", "client ms", "at server ms", "floor ms", "server/floor"]
    return out + table(header, rows)


def render(results: dict[str, dict[str, Any]]) -> str:
    out: list[str] = []
    names = [n for n in DATABASES if n in results]
    out.append("Figures: median (min-max) of 30 runs unless said otherwise; ms.\n")
    for name in names:
        r = results[name]
        m, d = r["machine"], r["database"]
        out.append(
            f"- **{DATABASES[name][0]}** {d['version']} — {m['cpu_count']} x {m['cpu_model']}, "
            f"Python {m['python']}, commit {m['git_commit'][:7]}, {m['date']}, "
            f"load average before {r['load_average_before']}, after {r['load_average_after']}"
        )
    out.append("\n**Targets**\n")
    out += targets(results)

    out.append("\n**1. HTTP requests for one auto-save cycle of 10 goal edits** (at the server)\n")
    rows = []
    for name in names:
        q = results[name].get("requests")
        if q:
            for mode in ("per_goal", "batch"):
                rows.append(
                    [
                        DATABASES[name][0],
                        f'`AutoSaver(mode="{mode}")`',
                        fig(q[mode]["http_requests"]),
                        fig(q[mode]["cycle_ms"]),
                    ]
                )
    out += table(["database", "client", "HTTP requests", "cycle (flush) ms"], rows)

    out.append("\n**2. Saving 10 goals over HTTP** (4 creates, 3 updates, 3 deletes)\n")
    rows = []
    for name in names:
        e = results[name].get("end_to_end")
        if not e:
            continue
        for way, text in (
            ("sequential", "10 x `saveGoal`, 10 requests"),
            ("transport", "10 x `saveGoal` in 1 request (query batching)"),
            ("batch", "1 x `batchSaveGoals`"),
        ):
            rows.append(
                [
                    DATABASES[name][0],
                    text,
                    fig(e[way]["ms"]),
                    fig(e[way]["ms"], "p95", False),
                    fig(e[way]["server_ms"], spread=False),
                    f"{e[way]['http_requests']['median']:.0f}",
                    f"{e[way]['sql_statements']['median']:.0f}",
                ]
            )
        ratios = e["ratios"]
        rows.append(
            [
                DATABASES[name][0],
                f"**ratios**: sequential/batch {ratios['sequential_over_batch']}x, "
                f"transport/batch {ratios['transport_over_batch']}x",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    out += table(["database", "how", "ms", "p95", "at server", "requests", "SQL statements"], rows)

    out.append("\n**3. Batch size scaling** (mixed creates/updates/deletes; client selection)\n")
    header = ["N"]
    for name in names:
        label = DATABASES[name][0]
        header += [f"{label} ms/batch", f"{label} ms/item", f"{label} lean ms", f"{label} SQL"]
    rows = []
    sizes = [row["n"] for row in results[names[0]]["scaling"]["client"]["sizes"]]
    for i, n in enumerate(sizes):
        row = [str(n)]
        for name in names:
            s = results[name]["scaling"]
            c, lean = s["client"]["sizes"][i], s["lean"]["sizes"][i]
            row += [
                fig(c["batch_ms"]),
                f"{c['per_item_ms']['median']:.2f}",
                fig(lean["batch_ms"], spread=False),
                f"{c['sql_statements']['median']:.0f}",
            ]
        rows.append(row)
    out += table(header, rows)

    out += floor_table(results, names)

    out.append("\n**4. Load: 20 auto-savers (own user each), 10-item batches, 30 s**\n")
    rows = []
    for name in names:
        lo = results[name].get("load")
        if not lo:
            continue
        for pace in ("autosave", "lockstep", "saturation"):
            x = lo[pace]
            rows.append(
                [
                    DATABASES[name][0],
                    pace,
                    f"{x['throughput_rps']} req/s ({x['items_per_s']:.0f} items/s)",
                    f"{x['latency_ms']['median']:.1f}",
                    f"{x['latency_ms']['p95']:.1f}",
                    f"{x['latency_ms']['p99']:.1f}",
                    f"{x['server_ms']['p95']:.1f}",
                    str(x["errors"]),
                ]
            )
    out += table(
        ["database", "pace", "throughput", "p50", "p95", "p99", "p95 at server", "errors"],
        rows,
    )

    out += instances_table(results, names)
    out += baseline_table(results, names)

    out.append("\n**5. Profile of a 100-item batch** (pyinstrument, share of profiled time)\n")
    rows = []
    for name in names:
        p = results[name].get("profile")
        if p:
            top = ", ".join(f"{b['cost']} {b['share'] * 100:.0f}%" for b in p["buckets"][:5])
            rows.append([DATABASES[name][0], str(p["requests"]), top])
    out += table(["database", "requests profiled", "five largest costs"], rows)

    rows = []
    what = ""
    for name in names:
        v = results[name].get("variant")
        if not v:
            continue
        what = v["what"]
        for case, x in v["cases"].items():
            rows.append(
                [
                    DATABASES[name][0],
                    case,
                    fig(x["before_ms"]),
                    fig(x["after_ms"]),
                    f"{x['speedup']}x",
                ]
            )
    if rows:
        out.append(
            f"\n**A fix, before and after** ({what}; the code before the fix, rebuilt in the "
            "bench server (bench/variants.py), and the current code, measured side by side, "
            "alternating)\n"
        )
        out += table(["database", "request", "before (ms)", "now (ms)", "speed-up"], rows)
    return "\n".join(out) + "\n"


def instances_table(results: dict[str, Any], names: list[str]) -> list[str]:
    """Scale-out (bench/load.py `instances`): one instance straight on PostgreSQL against two
    behind PgBouncer, at saturation, rounds alternating."""
    rows = []
    for name in names:
        x = results[name].get("instances")
        if not x:
            continue
        for key, label in (
            ("one_instance_direct", "1 instance, direct"),
            ("two_instances_pgbouncer", "2 instances via PgBouncer"),
        ):
            side = x[key]
            rps = side["throughput_rps"]
            p95 = [r["p95"] for r in side["latency_ms"]]
            rows.append(
                [
                    DATABASES[name][0],
                    label,
                    f"{sum(rps) / len(rps):.1f} req/s ({min(rps)}-{max(rps)})",
                    f"{sum(p95) / len(p95):.1f}",
                    str(side["errors"]),
                ]
            )
        rows.append([DATABASES[name][0], "**two / one**", f"{x['two_over_one']}x", "", ""])
    if not rows:
        return []
    out = [
        "\n**4b. Scale-out: one instance direct vs two behind PgBouncer** (20 clients at "
        "saturation, rounds alternating; all on one machine, load generator included)\n"
    ]
    return out + table(["database", "setup", "throughput", "p95 ms", "errors"], rows)


def main() -> None:
    results = load_results()
    if not results:
        return
    text = render(results)
    Path(RESULTS / "summary.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
