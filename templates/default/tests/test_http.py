"""The streamable HTTP transport used for deployment: /health and the MCP endpoint."""

import asyncio
import json
import urllib.request

from conftest import spec
from mcp import Client


def test_health(http_server):
    with urllib.request.urlopen(f"{http_server}/health", timeout=5) as r:
        assert r.status == 200
        body = json.loads(r.read())
    assert body["status"] == "ok"
    assert body["agent"] == spec.NAME


def test_tools_over_http(http_server):
    async def go():
        async with Client(f"{http_server}/mcp") as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            hit = await client.call_tool("search_knowledge", {"query": spec.DOMAIN})
            return tools, hit

    tools, hit = asyncio.run(go())
    assert tools == {"search_knowledge", "get_agent_info", *spec.CAPABILITIES}
    assert not hit.is_error
