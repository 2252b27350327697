"""Analytics over 10,000,000 executions (90 days, 50 agents, 2,000 users, skewed), against
DuckDB answering the same questions over the same rows held in DuckDB.

Measures, in one run:
- `executions import` of the JSON Lines, rollups written in the same transactions (goal:
  at least 100,000 executions per second);
- `analytics insights --time-range 90d --granularity day` (all of contract 2.2; goal: under
  50 ms and at least 10 times faster than DuckDB);
- the same with `--exact` (goal: within 2 times DuckDB);
- `--user-filter` with the busiest user (goal: under 50 ms);
and checks that both answers agree with DuckDB's (tests/analytics/check.py).

Usage: bench/analytics.py [--rows N] [--days D] [--runs R] [--work DIR] [--binary PATH]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

import release

ROOT = Path(__file__).resolve().parent.parent


def run(binary, home, args, stdin=None):
    env = dict(os.environ, PROMPTCRAFT_HOME=str(home), PC_HYBRID_DAEMON="never", NO_COLOR="1")
    t = time.perf_counter()
    p = subprocess.run([binary, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, stdin=stdin)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"{args} failed ({p.returncode}): {p.stderr}")
    return wall, p.stdout


def duckdb_answer(db, start_us, end_us):
    """The questions insights answer, asked of DuckDB: summary, per-day volume, latency
    percentiles and cost, per-agent figures."""
    con = duckdb.connect(db, read_only=True)
    t = time.perf_counter()
    where = f"at_us >= {start_us} AND at_us < {end_us}"
    con.execute(f"SELECT count(*), avg(latency_ms) FILTER (WHERE status <> 'denied'), sum(cost) FROM executions WHERE {where}").fetchall()
    con.execute(f"""SELECT floor(at_us / 86400000000) AS day, count(*), sum(cost),
                   quantile_cont(latency_ms, 0.5) FILTER (WHERE status <> 'denied'),
                   quantile_cont(latency_ms, 0.95) FILTER (WHERE status <> 'denied'),
                   quantile_cont(latency_ms, 0.99) FILTER (WHERE status <> 'denied')
                   FROM executions WHERE {where} GROUP BY day""").fetchall()
    con.execute(f"""SELECT agent_id, count(*), avg(CASE WHEN status = 'success' THEN 1.0 ELSE 0.0 END),
                   avg(latency_ms) FILTER (WHERE status <> 'denied'), sum(cost),
                   quantile_cont(latency_ms, 0.95) FILTER (WHERE status <> 'denied')
                   FROM executions WHERE {where} GROUP BY agent_id""").fetchall()
    con.execute(f"""SELECT agent_id, tool, count(*), count(*) FILTER (WHERE status IN ('error', 'timeout'))
                   FROM executions WHERE {where} GROUP BY agent_id, tool""").fetchall()
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work")
    ap.add_argument("--binary")
    a = ap.parse_args()
    binary = release.binary(a.binary)
    work = Path(a.work or tempfile.mkdtemp(prefix="pc-analytics-bench-"))
    data = work / "data"
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)

    t = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "bench/analytics_data.py"), str(data), str(a.rows), str(a.days)],
                   check=True, stderr=subprocess.DEVNULL)
    print(f"generated {a.rows:,} executions over {a.days} days in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    db = str(data / "executions.duckdb")

    wall, out = run(binary, home, ["executions", "import", str(data / "executions.jsonl"), "-o", "json"])
    stored = json.loads(out)["stored"]
    rate = stored / wall
    size = sum(f.stat().st_size for f in (home / "data").glob("executions.db*"))

    # The period insights take for 90d: whole UTC days ending today.
    today = int(time.time() // 86400)
    start_us, end_us = (today - a.days + 1) * 86_400_000_000, (today + 1) * 86_400_000_000
    duck = [duckdb_answer(db, start_us, end_us) for _ in range(a.runs)]
    duck_s = statistics.median(duck)

    def timed(args):
        walls, inside, answer = [], [], None
        for _ in range(a.runs):
            w, out = run(binary, home, ["analytics", "insights", "-o", "json", *args])
            answer = json.loads(out)
            walls.append(w)
            inside.append(answer["metadata"]["query_duration_ms"] / 1000)
        return walls, inside, answer

    rng = f"{a.days}d" if a.days in (7, 30, 90) else "1y"
    r_walls, r_inside, rollup = timed(["--time-range", rng, "--granularity", "day"])
    x_walls, x_inside, exact = timed(["--time-range", rng, "--granularity", "day", "--exact"])
    busiest = duckdb.connect(db, read_only=True).execute(
        "SELECT user_id FROM executions GROUP BY user_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    u_walls, u_inside, user = timed(["--time-range", rng, "--granularity", "day", "--user-filter", busiest])

    with tempfile.TemporaryDirectory() as d:
        rp, xp = Path(d, "r.json"), Path(d, "x.json")
        rp.write_text(json.dumps(rollup))
        xp.write_text(json.dumps(exact))
        check = subprocess.run([sys.executable, str(ROOT / "tests/analytics/check.py"), db,
                                str(ROOT / "docs/insights.schema.json"), "[]", str(rp), str(xp)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    agree = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else f"exit {check.returncode}"

    ms = lambda xs: " / ".join(f"{x * 1000:.1f}" for x in xs)
    print(f"data set: {a.rows:,} executions, {a.days} days, 50 agents, 2,000 users; store {size / 1e9:.2f} GB")
    print(f"import with rollups: {stored:,} in {wall:.1f} s = {rate:,.0f} executions/s (goal >= 100,000)")
    print(f"DuckDB, same questions ({a.runs} runs, ms): {ms(duck)}")
    print(f"insights from rollups, process wall (ms): {ms(r_walls)}; inside: {ms(r_inside)} "
          f"(goal < 50); DuckDB / ours (wall): {duck_s / statistics.median(r_walls):.1f}x (goal >= 10)")
    print(f"insights --exact, process wall (ms): {ms(x_walls)}; ours / DuckDB: "
          f"{statistics.median(x_walls) / duck_s:.2f}x (goal <= 2)")
    print(f"insights --user-filter {busiest} ({user['data']['summary']['total_queries']:,} calls), wall (ms): "
          f"{ms(u_walls)}; inside: {ms(u_inside)} (goal < 50)")
    print(f"answers against DuckDB: {agree}")
    if check.returncode != 0:
        print(check.stdout, file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
