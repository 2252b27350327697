"""A small MCP server on the official SDK, for live-validation tests.

Usage: sdk_server.py [--tools forecast,alerts] [--transport stdio|streamable-http] [--port N]
Each tool takes `city: str` (and optional `days: int`); `--strict-days` makes `days` required.
"""

from __future__ import annotations

import argparse

from mcp.server import MCPServer
from starlette.requests import Request
from starlette.responses import JSONResponse

parser = argparse.ArgumentParser()
parser.add_argument("--tools", default="forecast")
parser.add_argument("--transport", default="stdio")
parser.add_argument("--port", type=int, default=8000)
parser.add_argument("--strict-days", action="store_true")
parser.add_argument("--tag", default="", help="ignored; lets a test find its process")
parser.add_argument("--require-header", default="", help="NAME=VALUE every MCP request must carry")
args = parser.parse_args()

server = MCPServer("sdk-test-server")


def make_tool(name: str):
    if args.strict_days:

        def tool(city: str, days: int) -> dict:
            return {"tool": name, "city": city, "days": days}

    else:

        def tool(city: str, days: int = 1) -> dict:
            return {"tool": name, "city": city, "days": days}

    return tool


for name in filter(None, args.tools.split(",")):
    server.add_tool(make_tool(name), name=name, description=f"The {name} tool")


@server.custom_route("/health", methods=["GET"])
async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


if args.transport == "stdio":
    server.run()
elif args.require_header:
    import uvicorn
    from starlette.responses import PlainTextResponse

    name, value = args.require_header.split("=", 1)
    app = server.streamable_http_app()

    async def guarded(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/mcp"):
            got = dict(scope["headers"]).get(name.lower().encode(), b"").decode()
            if got != value:
                await PlainTextResponse(f"missing {name}", status_code=401)(scope, receive, send)
                return
        await app(scope, receive, send)

    uvicorn.run(guarded, host="127.0.0.1", port=args.port, log_level="warning")
else:
    server.run("streamable-http", host="127.0.0.1", port=args.port)
