"""Hooks for schemathesis against the daemon's API (SCHEMATHESIS_HOOKS=schemathesis_hooks)."""

import json

import schemathesis

# The longest wait a fuzzed request may ask for: a deploy's `timeout_seconds` and a live
# check's startup timeout are honoured up to 600 s, right for a slow server, a stalled run
# for a fuzzer whose requests time out after 30 s.
_LONGEST_WAIT = 3


def _bounded(value):
    """`value` with every follow off and every wait at most _LONGEST_WAIT seconds.

    A follow (`audit tail --follow`, `logs --follow`) streams until the client goes away:
    right for a terminal, an endless response to a fuzzer."""
    if isinstance(value, dict):
        out = {k: _bounded(v) for k, v in value.items()}
        if out.get("follow") is True:
            out["follow"] = False
        t = out.get("timeout_seconds")
        if isinstance(t, int) and not isinstance(t, bool) and t > _LONGEST_WAIT:
            out["timeout_seconds"] = _LONGEST_WAIT
        if isinstance(out.get("live"), bool) and "timeout_seconds" not in out:
            out["timeout_seconds"] = _LONGEST_WAIT
        return out
    if isinstance(value, list):
        return [_bounded(v) for v in value]
    return value


@schemathesis.hook
def before_call(ctx, case, kwargs):
    # Every phase passes here (the coverage phase skips the body hooks).
    if isinstance(case.body, (dict, list)):
        case.body = _bounded(case.body)


@schemathesis.check
def no_server_error_but_an_absent_service(ctx, response, case):
    """No 5xx, except 503 naming a service the operation needs that is not running here (a
    Docker Engine, a Kubernetes cluster), as the CLI exits 4 for it."""
    if response.status_code < 500:
        return None
    try:
        problem = response.json()
    except Exception:
        problem = {}
    if response.status_code == 503 and problem.get("kind") == "unavailable":
        return None
    raise AssertionError(f"server error {response.status_code}: {response.text[:800]}")


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """A generated body for `POST /audit/events`: each item one line of JSON."""
    items = value if isinstance(value, list) else [value]
    text = "".join(json.dumps(item) + "\n" for item in items)
    return text.encode("utf-8")
