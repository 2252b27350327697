"""Call an agent's `search_knowledge` tool over streamable HTTP with the MCP SDK's client.
Usage: mcp_http_call.py URL QUERY -> prints the tool names and the call's result as JSON."""

import asyncio
import json
import sys

from mcp import Client

url, query = sys.argv[1], sys.argv[2]


async def main():
    async with Client(url) as client:
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        result = await client.call_tool("search_knowledge", {"query": query, "limit": 2})
        print(json.dumps({"tools": tools, "is_error": result.is_error, "result": result.structured_content}))


asyncio.run(main())
