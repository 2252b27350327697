"""An MCP stdio server that misbehaves on purpose, for the gateway tests (no SDK: it must be
able to break the protocol). Tools:

  hang      never answers (a notifications/cancelled for it is written to $BAD_SERVER_LOG)
  garbage   writes a line that is not JSON, then exits in the middle of the call
  huge      answers with a text of 3 MB
  fine      answers "fine"
  costly    answers with `_meta` reporting a cost of 0.6, tokens and a model
"""

import json
import os
import sys

TOOLS = [{"name": n, "description": n, "inputSchema": {"type": "object"}} for n in ("hang", "garbage", "huge", "fine", "costly")]
log = os.environ.get("BAD_SERVER_LOG")


def send(v):
    sys.stdout.write(json.dumps(v) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    msg = json.loads(line)
    method, mid = msg.get("method"), msg.get("id")
    if method == "notifications/cancelled" and log:
        with open(log, "a") as f:
            f.write(json.dumps(msg["params"]) + "\n")
    if mid is None:
        continue
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}}, "serverInfo": {"name": "bad", "version": "1"}}})
    elif method == "tools/list":
        send({"jsonrpc": "2.0", "id": mid, "result": {"tools": TOOLS}})
    elif method == "tools/call":
        name = msg["params"]["name"]
        if name == "hang":
            continue
        if name == "garbage":
            sys.stdout.write("this is not JSON-RPC\n")
            sys.stdout.flush()
            sys.exit(3)
        if name == "costly":
            send({"jsonrpc": "2.0", "id": mid, "result": {
                "content": [{"type": "text", "text": "paid"}],
                "_meta": {"cost": 0.6, "usage": {"input_tokens": 120, "output_tokens": 30}, "model": "gpt-4o"}}})
            continue
        text = "x" * (3 << 20) if name == "huge" else "fine"
        send({"jsonrpc": "2.0", "id": mid, "result": {"content": [{"type": "text", "text": text}]}})
