"""Generate the analytics data set: executions with realistic skew, made by DuckDB itself
(so the same rows are held in DuckDB for the anchor) and written as JSON Lines for
`pc-hybrid executions import`.

Usage: analytics_data.py OUT_DIR ROWS DAYS [--end ISO8601]
Writes OUT_DIR/executions.duckdb (table `executions`) and OUT_DIR/executions.jsonl.
"""

import argparse
import datetime as dt
import os
import sys

import duckdb

AGENTS = 50
USERS = 2000
MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet", "llama-70b"]


def generate(out, rows, days, end):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "executions.duckdb")
    if os.path.exists(path):
        os.remove(path)
    con = duckdb.connect(path)
    con.execute("SELECT setseed(0.42)")
    end_us = int(end.timestamp() * 1_000_000)
    span_us = days * 86_400 * 1_000_000
    # Skew: a few agents and users take most calls (power laws); latency is log-normal with
    # a per-agent scale; calls follow the working day; each agent has a model and 1-4 tools.
    con.execute(
        f"""
        CREATE TABLE executions AS
        WITH base AS (
          SELECT i,
                 random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                 random() AS r5, random() AS r6, random() AS r7, random() AS r8
          FROM range({rows}) t(i)
        ), shaped AS (
          SELECT i,
                 CAST(floor({AGENTS} * pow(r1, 2.2)) AS INTEGER) AS a,
                 CAST(floor({USERS} * pow(r2, 3)) AS INTEGER) AS u,
                 -- time: uniform day, hour drawn towards working hours
                 {end_us - span_us} + CAST(floor(r3 * {days}) AS BIGINT) * 86400000000
                   + CAST(((0.5 + 0.35 * (sqrt(-2 * ln(greatest(r4, 1e-12))) * cos(2 * pi() * r5)) / 2.5) * 86400000000) AS BIGINT) AS at0,
                 sqrt(-2 * ln(greatest(r6, 1e-12))) * cos(2 * pi() * r7) AS z,
                 r8
          FROM base
        )
        SELECT
          'x' || lpad(CAST(i AS VARCHAR), 9, '0') AS execution_id,
          least(greatest(at0, {end_us - span_us}), {end_us - 1}) AS at_us,
          'agent-' || lpad(CAST(a AS VARCHAR), 2, '0') AS agent_id,
          'tool-' || CAST((i * 7 + a) % (1 + a % 4) AS VARCHAR) AS tool,
          'user-' || lpad(CAST(u AS VARCHAR), 4, '0') AS user_id,
          round(exp(ln(40 + 15 * a) + 0.6 * z), 3) AS latency_ms,
          CASE WHEN r8 < 0.94 - 0.002 * a THEN 'success'
               WHEN r8 < 0.975 THEN 'error'
               WHEN r8 < 0.993 THEN 'timeout'
               ELSE 'denied' END AS status,
          CAST(200 + (i % 900) AS BIGINT) AS request_bytes,
          CAST(500 + (i % 5000) AS BIGINT) AS response_bytes,
          CAST(100 + (i * 13) % 2000 AS BIGINT) AS tokens_in,
          CAST(50 + (i * 29) % 800 AS BIGINT) AS tokens_out,
          CASE WHEN a % 3 = 0 THEN NULL
               ELSE round((100 + (i * 13) % 2000) * 0.000002 + (50 + (i * 29) % 800) * 0.000008, 6) END AS cost,
          {MODELS!r}[1 + a % 4] AS model
        FROM shaped
        """
    )
    jsonl = os.path.join(out, "executions.jsonl")
    con.execute(
        f"""
        COPY (
          SELECT execution_id,
                 strftime(make_timestamp(at_us), '%Y-%m-%dT%H:%M:%S.%fZ') AS timestamp,
                 agent_id, tool, user_id, latency_ms, status, request_bytes, response_bytes,
                 tokens_in, tokens_out, cost, model
          FROM executions ORDER BY at_us
        ) TO '{jsonl}' (FORMAT JSON)
        """
    )
    con.close()
    return path, jsonl


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("rows", type=int)
    p.add_argument("days", type=int)
    p.add_argument("--end")
    a = p.parse_args()
    end = (
        dt.datetime.fromisoformat(a.end)
        if a.end
        else dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    )
    db, jsonl = generate(a.out, a.rows, a.days, end)
    print(db, jsonl, file=sys.stderr)


if __name__ == "__main__":
    main()
