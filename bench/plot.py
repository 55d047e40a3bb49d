"""bench/results/batch_scaling.png from the result files (SQLite and PostgreSQL side by side)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
DATABASES = {"sqlite": ("SQLite", "tab:blue"), "postgresql": ("PostgreSQL", "tab:orange")}


def load_results() -> dict[str, dict[str, Any]]:
    found = {}
    for name in DATABASES:
        path = RESULTS / f"{name}.json"
        if path.exists():
            found[name] = json.loads(path.read_text())
    return found


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = {k: v for k, v in load_results().items() if "scaling" in v}
    if not results:
        return
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    per_batch, per_item, statements, ten = axes[0][0], axes[0][1], axes[1][0], axes[1][1]
    for name, result in results.items():
        label, color = DATABASES[name]
        for selection, style in (("client", "-"), ("lean", ":")):
            rows = result["scaling"][selection]["sizes"]
            n = [r["n"] for r in rows]
            median = [r["batch_ms"]["median"] for r in rows]
            low = [r["batch_ms"]["median"] - r["batch_ms"]["min"] for r in rows]
            high = [r["batch_ms"]["p95"] - r["batch_ms"]["median"] for r in rows]
            text = f"{label}, {selection} selection"
            per_batch.errorbar(
                n, median, yerr=[low, high], fmt=style + "o", color=color, label=text, capsize=3
            )
            per_item.plot(
                n, [r["per_item_ms"]["median"] for r in rows], style + "o", color=color, label=text
            )
            if selection == "client":
                statements.plot(
                    n, [r["sql_statements"]["median"] for r in rows], "-o", color=color, label=label
                )
    per_batch.set(
        title="Time per batchSaveGoals request (median; bars: min to p95)",
        xlabel="items per batch (N)",
        ylabel="ms",
    )
    per_item.set(
        title="Time per item", xlabel="items per batch (N)", ylabel="ms per item", yscale="log"
    )
    per_item.set_xscale("log")
    statements.set(
        title="SQL statements per request (auth + guard + batch)",
        xlabel="items per batch (N)",
        ylabel="statements",
        ylim=(0, 12),
    )
    ways = ("sequential", "transport", "batch")
    titles = (
        "10 x saveGoal\n(10 requests)",
        "10 x saveGoal\n(1 request, query batching)",
        "1 x batchSaveGoals\n(10 items)",
    )
    width = 0.8 / max(1, len(results))
    for i, (name, result) in enumerate(results.items()):
        if "end_to_end" not in result:
            continue
        label, color = DATABASES[name]
        medians = [result["end_to_end"][w]["ms"]["median"] for w in ways]
        xs = [x + i * width for x in range(len(ways))]
        ten.bar(xs, medians, width, color=color, label=label)
        for x, value in zip(xs, medians, strict=True):
            ten.annotate(f"{value:.1f}", (x, value), ha="center", va="bottom", fontsize=8)
    ten.set_xticks([x + width * (len(results) - 1) / 2 for x in range(len(ways))], titles)
    ten.set(title="Saving 10 goals over HTTP (median)", ylabel="ms")
    for ax in (per_batch, per_item, statements, ten):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("goalpost batchSaveGoals: latency and SQL cost by batch size")
    fig.tight_layout()
    fig.savefig(RESULTS / "batch_scaling.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
