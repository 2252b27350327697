"""Start the agent over stdio through the MCP SDK's client and exercise every tool."""

import asyncio

from conftest import spec
from mcp import Client


def call_all(params):
    async def go():
        async with Client(params) as client:
            listed = (await client.list_tools()).tools
            info = await client.call_tool("get_agent_info", {})
            search = await client.call_tool("search_knowledge", {"query": f"{spec.DISPLAY_NAME} {spec.DOMAIN}", "limit": 3})
            caps = {c: await client.call_tool(c, {"query": c.replace("_", " "), "limit": 5}) for c in spec.CAPABILITIES}
            bad_limit = await client.call_tool("search_knowledge", {"query": "x", "limit": 0})
            empty = await client.call_tool("search_knowledge", {"query": "   "})
            return client.server_info, listed, info, search, caps, bad_limit, empty

    return asyncio.run(go())


def test_every_tool_over_stdio(stdio_server):
    server_info, listed, info, search, caps, bad_limit, empty = call_all(stdio_server)

    assert server_info.name == spec.NAME
    assert {t.name for t in listed} == {"search_knowledge", "get_agent_info", *spec.CAPABILITIES}
    for tool in listed:
        assert tool.description

    assert not info.is_error
    data = info.structured_content
    assert data["name"] == spec.NAME
    assert data["domain"] == spec.DOMAIN
    assert data["capabilities"] == list(spec.CAPABILITIES)
    assert data["documents"] >= 2

    assert not search.is_error
    results = search.structured_content["results"]
    assert results, "the overview document names the agent and its domain"
    assert all(r["source"] and r["passage"] for r in results)

    for capability, result in caps.items():
        assert not result.is_error
        hits = result.structured_content["results"]
        assert hits, f"the seed document of {capability} is found"
        assert all(capability in h["capabilities"] for h in hits), "capability tools only see their own knowledge"
        assert hits[0]["id"] == f"capability-{capability}"

    assert bad_limit.is_error
    assert empty.is_error
