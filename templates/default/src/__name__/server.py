"""The MCP server: knowledge tools over stdio (default) or streamable HTTP with GET /health."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse

from . import spec
from .knowledge import KnowledgeBase
from .settings import agent_home, load_config, section

MAX_QUERY = 1000
MAX_LIMIT = 50


class Hit(BaseModel):
    id: str
    title: str
    source: str
    passage: str
    score: float
    capabilities: list[str]


class SearchResult(BaseModel):
    query: str
    capability: str | None = None
    results: list[Hit]


class AgentInfo(BaseModel):
    name: str
    display_name: str
    description: str
    domain: str
    keywords: list[str]
    capabilities: list[str]
    tools: list[str]
    version: str
    documents: int
    passages: int
    knowledge_sources: list[dict[str, Any]]


# The bounds the tools advertise in their input schemas, as the MCP manifest declares them.
Query = Annotated[str, Field(min_length=1, max_length=MAX_QUERY, description="What to search for")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="How many passages to return")]


def _check(query: str, limit: int) -> None:
    if not query.strip():
        raise ToolError("query must not be empty")
    if len(query) > MAX_QUERY:
        raise ToolError(f"query is longer than {MAX_QUERY} characters")
    if not 1 <= limit <= MAX_LIMIT:
        raise ToolError(f"limit must be between 1 and {MAX_LIMIT}")


def build_server(home: Path | None = None) -> MCPServer:
    home = home or agent_home()
    cfg = load_config(home)
    kb = KnowledgeBase.load(home, cfg)
    server = MCPServer(
        spec.NAME,
        title=spec.DISPLAY_NAME,
        description=spec.DESCRIPTION,
        version=spec.VERSION,
        instructions=f"{spec.DISPLAY_NAME}: search its {spec.DOMAIN} knowledge with search_knowledge, "
        "or a capability tool for knowledge scoped to that capability.",
    )

    def search(query: str, limit: int, capability: str | None) -> SearchResult:
        _check(query, limit)
        hits = kb.search(query, limit, capability)
        return SearchResult(query=query, capability=capability, results=[Hit(**h) for h in hits])

    @server.tool(description=f"Search the {spec.DOMAIN} knowledge base of {spec.DISPLAY_NAME}; returns ranked passages with their source.")
    def search_knowledge(query: Query, limit: Limit = 5) -> SearchResult:
        return search(query, limit, None)

    tools = ["search_knowledge", "get_agent_info", *spec.CAPABILITIES]

    @server.tool(description="Describe this agent: identity, capabilities, tools and knowledge base size.")
    def get_agent_info() -> AgentInfo:
        return AgentInfo(
            name=spec.NAME,
            display_name=spec.DISPLAY_NAME,
            description=spec.DESCRIPTION,
            domain=spec.DOMAIN,
            keywords=list(spec.KEYWORDS),
            capabilities=list(spec.CAPABILITIES),
            tools=tools,
            version=spec.VERSION,
            documents=len(kb.documents),
            passages=len(kb.passages),
            knowledge_sources=list(section(cfg, "knowledge").get("sources") or []),
        )

    def capability_tool(capability: str):
        def tool(query: Query, limit: Limit = 5) -> SearchResult:
            return search(query, limit, capability)

        return tool

    # Names come from spec.py, checked as snake_case identifiers when the agent was created.
    for capability in spec.CAPABILITIES:
        server.add_tool(
            capability_tool(capability),
            name=capability,
            description=f"Search the knowledge tagged with the `{capability}` capability.",
        )

    @server.custom_route("/health", methods=["GET"])
    async def health(request: Request) -> JSONResponse:
        return JSONResponse(
            {"status": "ok", "agent": spec.NAME, "version": spec.VERSION, "documents": len(kb.documents)}
        )

    return server


def main(argv: list[str] | None = None) -> int:
    cfg_server: dict[str, Any] = {}
    try:
        cfg_server = section(load_config(), "server")
    except Exception:  # the server reports a bad config itself, below
        pass
    parser = argparse.ArgumentParser(prog=spec.NAME, description="MCP server of this PromptCraft agent.")
    parser.add_argument(
        "--transport",
        choices=["stdio", "streamable-http"],
        default=os.environ.get("AGENT_TRANSPORT") or cfg_server.get("transport", "stdio"),
    )
    parser.add_argument("--host", default=os.environ.get("AGENT_HOST") or cfg_server.get("host", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("AGENT_PORT") or cfg_server.get("port", 8000)))
    args = parser.parse_args(argv)
    if args.transport not in ("stdio", "streamable-http"):
        parser.error(f"unknown transport {args.transport!r}")
    server = build_server()
    if args.transport == "stdio":
        server.run()
    else:
        server.run("streamable-http", host=args.host, port=args.port)
    return 0
