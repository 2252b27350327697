"""A real MCP client (the official Python SDK) driven line by line, for the gateway tests.

    client.py stdio PROGRAM [ARGS...]   the gateway over stdio (a child process)
    client.py uds SOCKET                the daemon's /mcp over its Unix socket

Commands on stdin, one JSON object per line; one JSON answer per line on stdout:
    {"do": "list"}                              -> {"tools": [{"name", "description"}...]}
    {"do": "call", "name": N, "arguments": {}}  -> {"result": {...}} or {"error": {...}}
    {"do": "call", ..., "progress": true}       -> the same, plus "progress": [values]
    {"do": "changed", "timeout": S}             -> {"changed": true|false}
    {"do": "prompts"} / {"do": "prompt", "name": N, "arguments": {}}
    {"do": "resources"} / {"do": "read", "uri": U}
    {"do": "quit"}
"""

import asyncio
import json
import sys

import anyio
from mcp import ClientSession
from mcp.shared.exceptions import MCPError as McpError


async def drive(session, changed):
    await session.initialize()
    stdin = anyio.wrap_file(sys.stdin)
    async for line in stdin:
        cmd = json.loads(line)
        do = cmd["do"]
        if do == "quit":
            break
        if do == "list":
            r = await session.list_tools()
            out = {"tools": [{"name": t.name, "description": t.description} for t in r.tools]}
        elif do == "call":
            seen = []

            async def progress(p, total, message):
                seen.append(p)

            try:
                r = await session.call_tool(
                    cmd["name"],
                    cmd.get("arguments", {}),
                    progress_callback=progress if cmd.get("progress") else None,
                )
                out = {"result": r.model_dump(mode="json", by_alias=True, exclude_none=True)}
            except McpError as e:
                out = {"error": {"code": e.error.code, "message": e.error.message}}
            if cmd.get("progress"):
                out["progress"] = seen
        elif do == "prompts":
            r = await session.list_prompts()
            out = {"prompts": [p.name for p in r.prompts]}
        elif do == "prompt":
            try:
                r = await session.get_prompt(cmd["name"], cmd.get("arguments", {}))
                out = {"result": r.model_dump(mode="json", by_alias=True, exclude_none=True)}
            except McpError as e:
                out = {"error": {"code": e.error.code, "message": e.error.message}}
        elif do == "resources":
            r = await session.list_resources()
            t = await session.list_resource_templates()
            out = {"resources": [str(x.uri) for x in r.resources],
                   "templates": [x.uri_template for x in t.resource_templates]}
        elif do == "read":
            try:
                r = await session.read_resource(cmd["uri"])
                out = {"result": r.model_dump(mode="json", by_alias=True, exclude_none=True)}
            except McpError as e:
                out = {"error": {"code": e.error.code, "message": e.error.message}}
        elif do == "changed":
            try:
                with anyio.fail_after(cmd.get("timeout", 10)):
                    await changed.wait()
                out = {"changed": True}
            except TimeoutError:
                out = {"changed": False}
            changed.clear()
        else:
            out = {"unknown": do}
        print(json.dumps(out), flush=True)


async def main():
    mode = sys.argv[1]
    changed = asyncio.Event()

    async def on_message(m):
        m = getattr(m, "root", m)
        if getattr(m, "method", "") == "notifications/tools/list_changed":
            changed.set()

    if mode == "stdio":
        from mcp.client.stdio import StdioServerParameters, stdio_client
        import os

        params = StdioServerParameters(command=sys.argv[2], args=sys.argv[3:], env=dict(os.environ))
        async with stdio_client(params) as (r, w):
            async with ClientSession(r, w, message_handler=on_message) as s:
                await drive(s, changed)
    else:
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        http = httpx2.AsyncClient(transport=httpx2.AsyncHTTPTransport(uds=sys.argv[2]), timeout=60)
        async with streamable_http_client("http://localhost/mcp", http_client=http) as (r, w, *_):
            async with ClientSession(r, w, message_handler=on_message) as s:
                await drive(s, changed)


asyncio.run(main())
