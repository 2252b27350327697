"""Connect to an agent over stdio with the MCP SDK's client and search its knowledge.
Usage: mcp_search.py PROJECT PACKAGE QUERY -> prints the tool names and results as JSON."""

import asyncio
import json
import sys
from pathlib import Path

from mcp import Client, StdioServerParameters

project, package, query = Path(sys.argv[1]), sys.argv[2], sys.argv[3]


async def main():
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", package],
        env={"PYTHONPATH": str(project / "src"), "AGENT_HOME": str(project)},
        cwd=str(project),
    )
    async with Client(params) as client:
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        result = await client.call_tool("search_knowledge", {"query": query, "limit": 3})
        print(json.dumps({"tools": tools, "is_error": result.is_error, "result": result.structured_content}))


asyncio.run(main())
