"""`python -m <agent>` starts the MCP server, like the console script."""

from .server import main

raise SystemExit(main())
