"""Check insights answers against an independent computation by DuckDB over the same rows,
and against the committed JSON Schema.

Usage: check.py DUCKDB_FILE SCHEMA PRICES_JSON ROLLUP_ANSWER EXACT_ANSWER
Prints `ok` and what was compared; raises with the differences otherwise.
"""

import datetime as dt
import json
import sys

import duckdb
import jsonschema

db, schema_path, prices_json, rollup_path, exact_path = sys.argv[1:6]
schema = json.load(open(schema_path))
prices = json.loads(prices_json)
rollup = json.load(open(rollup_path))
exact = json.load(open(exact_path))
for a in (rollup, exact):
    jsonschema.validate(a, schema)

problems = []


def close(what, got, want, tol):
    if got is None or want is None:
        if got != want:
            problems.append(f"{what}: {got} != {want}")
        return
    if abs(got - want) > tol:
        problems.append(f"{what}: {got} != {want} (tolerance {tol})")


def iso(d):
    return dt.datetime.fromisoformat(d.replace("Z", "+00:00"))


vol = rollup["data"]["trends"]["query_volume"]
start = iso(vol[0]["date"])
end = iso(vol[-1]["date"]) + dt.timedelta(days=1)
s_us, e_us = int(start.timestamp() * 1e6), int(end.timestamp() * 1e6)
con = duckdb.connect(db, read_only=True)
con.execute(f"CREATE TEMP VIEW p AS SELECT *, CAST(floor(at_us / 86400000000) AS BIGINT) AS day FROM executions WHERE at_us >= {s_us} AND at_us < {e_us}")

# The price table, applied to calls that reported no cost (denied calls cost nothing).
def price_sql():
    by_agent = " ".join(
        f"WHEN agent_id = '{p['agent']}' THEN {p.get('per_call', 0)} + tokens_in / 1000.0 * {p.get('input_per_1k', 0)} + tokens_out / 1000.0 * {p.get('output_per_1k', 0)}"
        for p in prices if "agent" in p)
    by_model = " ".join(
        f"WHEN model = '{p['model']}' THEN {p.get('per_call', 0)} + tokens_in / 1000.0 * {p.get('input_per_1k', 0)} + tokens_out / 1000.0 * {p.get('output_per_1k', 0)}"
        for p in prices if "model" in p and "agent" not in p)
    return f"CASE WHEN cost IS NOT NULL THEN cost WHEN status = 'denied' THEN 0 {by_agent} {by_model} ELSE 0 END"

con.execute(f"CREATE TEMP VIEW priced AS SELECT *, CAST({price_sql()} AS DOUBLE) AS model_cost FROM p")

n, avg, cost = con.execute("SELECT count(*), (SELECT avg(latency_ms) FROM p WHERE status <> 'denied'), sum(model_cost) FROM priced").fetchone()
for name, a in (("rollup", rollup), ("exact", exact)):
    s = a["data"]["summary"]
    if s["total_queries"] != n:
        problems.append(f"{name} total_queries {s['total_queries']} != {n}")
    close(f"{name} avg_response_time_ms", s["avg_response_time_ms"], round(avg, 3), 0.0015)
    close(f"{name} total_cost", s["total_cost"], cost, 1e-5 + 1e-9 * cost)

# Per day: counts and model cost exact in both; percentiles exact (interpolated, as
# quantile_cont) or within 1 % of the latency at the nearest rank.
days = {r[0]: r[1:] for r in con.execute("SELECT day, count(*), sum(model_cost) FROM priced GROUP BY day").fetchall()}
lat = {r[0]: sorted(r[1]) for r in con.execute("SELECT day, list(latency_ms) FROM p WHERE status <> 'denied' GROUP BY day").fetchall()}
cont = {r[0]: r[1:] for r in con.execute("SELECT day, quantile_cont(latency_ms, 0.5), quantile_cont(latency_ms, 0.95), quantile_cont(latency_ms, 0.99) FROM p WHERE status <> 'denied' GROUP BY day").fetchall()}
compared = 0
for name, a in (("rollup", rollup), ("exact", exact)):
    t = a["data"]["trends"]
    for v in t["query_volume"]:
        d = int(iso(v["date"]).timestamp() // 86400)
        want = days.get(d, (0, 0))[0]
        if v["count"] != want:
            problems.append(f"{name} volume {v['date']}: {v['count']} != {want}")
    for c in t["cost_breakdown"]:
        d = int(iso(c["date"]).timestamp() // 86400)
        close(f"{name} model_cost {c['date']}", c["model_cost"], days.get(d, (0, 0))[1] or 0.0, 2e-6)
    got_days = set()
    for r in t["response_times"]:
        d = int(iso(r["date"]).timestamp() // 86400)
        got_days.add(d)
        xs = lat[d]
        for i, q in enumerate((0.5, 0.95, 0.99)):
            key = ("p50", "p95", "p99")[i]
            if name == "exact":
                close(f"exact {key} {r['date']}", r[key], round(cont[d][i], 3), 0.0015)
            else:
                # The rank rounded half up, as the sketch reads it (Python's round() would
                # round half to even).
                nearest = xs[int(q * (len(xs) - 1) + 0.5)]
                if abs(r[key] - nearest) > 0.01 * nearest + 0.002:
                    problems.append(f"rollup {key} {r['date']}: {r[key]} not within 1 % of {nearest}")
            compared += 1
    if got_days != set(lat):
        problems.append(f"{name}: latency points for days {sorted(got_days ^ set(lat))} differ")

# Per agent: counts, success rates, mean latency, cost per query.
agents = {r[0]: r[1:] for r in con.execute(
    "SELECT agent_id, count(*), avg(CASE WHEN status = 'success' THEN 1.0 ELSE 0.0 END), avg(latency_ms) FILTER (WHERE status <> 'denied'), sum(model_cost) FROM priced GROUP BY agent_id").fetchall()}
for name, a in (("rollup", rollup), ("exact", exact)):
    got = {x["agent_id"]: x for x in a["data"]["agent_performance"]}
    if set(got) != set(agents):
        problems.append(f"{name}: agents {sorted(set(got) ^ set(agents))} differ")
    for k, (cnt, ok, avg_ms, c) in agents.items():
        g = got.get(k)
        if not g:
            continue
        if g["query_count"] != cnt:
            problems.append(f"{name} {k} query_count {g['query_count']} != {cnt}")
        close(f"{name} {k} success_rate", g["success_rate"], ok, 1e-6)
        close(f"{name} {k} avg_response_time", g["avg_response_time"], round(avg_ms, 3) if avg_ms is not None else None, 0.0015)
        close(f"{name} {k} cost_per_query", g["cost_per_query"], c / cnt, 2e-6)

if problems:
    raise SystemExit("\n".join(problems[:40]) + f"\n({len(problems)} differences)")
print(f"ok: {n} executions, {len(days)} days, {len(agents)} agents, {compared} percentiles compared")
