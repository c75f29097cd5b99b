"""The benchmark's results as a table, checked against the budgets and kept in the docs."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .load import LoadResult, have_wrk
from .writes import WriteResult

DOC = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
START_MARK = "<!-- bench:results:start (written by `make bench`) -->"
END_MARK = "<!-- bench:results:end -->"


@dataclass
class PageRow:
    key: str
    label: str
    path: str
    viewer: str
    load: LoadResult | None = None
    raw_bytes: int = 0
    gzip_bytes: int = 0
    statements: int | None = None
    cpu_ms: float | None = None  # in-process CPU per request, median
    ceiling_rps: float | None = None  # the bare app at the same concurrency
    budget_ms: float | None = None  # p50 at concurrency 1 must be at most this
    note: str = ""


@dataclass(frozen=True)
class Budget:
    name: str
    limit: str
    measured: str
    holds: bool


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    tool = "Python client (threads, http.client keep-alive)"
    if have_wrk():
        version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
        tool = version.splitlines()[0].split(" Copyright")[0] if version else "wrk"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "system": f"{platform.system()} {platform.release()}",
        "load generator": tool,
        # Other work on the machine skews every figure; the bench warns when it is busy.
        "load average before the run (1, 5, 15 min)": load,
    }


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def table(rows: list[PageRow]) -> str:
    lines = [
        "| page | viewer | conc. | req/s | % of bare | p50 ms | budget p50 | p90 ms | p99 ms "
        "| bytes raw | bytes gzip | SQL/req | CPU ms/req |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        if row.load is None:
            lines.append(
                f"| {row.label} | {row.viewer} | — | {row.note or 'not available'} " + "| " * 10
            )
            continue
        load = row.load
        share = (
            f"{100 * load.requests_per_second / row.ceiling_rps:.0f} %" if row.ceiling_rps else "—"
        )
        statements = "—" if row.statements is None else str(row.statements)
        budget = f"≤ {row.budget_ms:g}" if row.budget_ms is not None else "—"
        lines.append(
            f"| {row.label} | {row.viewer} | {load.connections} "
            f"| {_number(load.requests_per_second)} | {share} | {_number(load.p50_ms, 2)} "
            f"| {budget} "
            f"| {_number(load.p90_ms, 2)} | {_number(load.p99_ms, 2)} | {row.raw_bytes:,} "
            f"| {row.gzip_bytes:,} | {statements} | {_number(row.cpu_ms, 2)} |"
        )
    return "\n".join(lines)


def growth_table(rows: list[tuple[str, str, float, float]], times: int) -> str:
    """rows: (page, viewer, CPU ms with the usual data, CPU ms with times as much)."""
    lines = [
        f"| page | viewer | CPU ms/req, usual data | CPU ms/req, {times}× data | growth |",
        "|---|---|--:|--:|--:|",
    ]
    for label, viewer, usual, grown in rows:
        change = 100 * (grown / usual - 1)
        lines.append(f"| {label} | {viewer} | {usual:.2f} | {grown:.2f} | {change:+.0f} % |")
    return "\n".join(lines)


def writes_line(result: WriteResult) -> str:
    return (
        f"Comment posting: {result.writers} logged-in members for {result.seconds:.1f} s: "
        f"{result.writes_per_second:,.1f} writes/s, {result.accepted:,} accepted (2xx), "
        f"{result.failed:,} refused or failed, {result.stored:,} rows stored, "
        f"**{result.lost} lost**."
    )


def budgets_table(budgets: list[Budget]) -> str:
    lines = ["| budget | limit | measured | holds |", "|---|---|---|---|"]
    for budget in budgets:
        mark = "yes" if budget.holds else "**NO**"
        lines.append(f"| {budget.name} | {budget.limit} | {budget.measured} | {mark} |")
    return "\n".join(lines)


def section(
    machine_facts: dict[str, str],
    seeded: dict[str, int],
    rows: list[PageRow],
    writes: WriteResult,
    budgets: list[Budget],
    more_lines: list[str] | None = None,
) -> str:
    facts = "\n".join(
        f"- {name}: {value}" for name, value in machine_facts.items() if name != "date"
    )
    data = ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in seeded.items())
    return "\n\n".join(
        [
            START_MARK,
            f"Last run: {machine_facts['date']}.\n\n{facts}\n- data: {data}",
            table(rows),
            writes_line(writes),
            *(more_lines or []),
            budgets_table(budgets),
            END_MARK,
        ]
    )


def write_doc(text: str, path: Path = DOC) -> None:
    """Replace the results section of the performance page, keeping everything around it."""
    if path.exists():
        current = path.read_text()
        pattern = re.compile(re.escape(START_MARK) + ".*?" + re.escape(END_MARK), re.DOTALL)
        if pattern.search(current):
            path.write_text(pattern.sub(lambda _: text, current, count=1))
            return
        path.write_text(current.rstrip() + "\n\n" + text + "\n")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Performance\n\n" + text + "\n")
