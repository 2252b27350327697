"""Reads MCP requests on stdin and never answers: a server that hangs in `initialize`."""

import sys
import time

for _line in sys.stdin:
    time.sleep(0.01)
time.sleep(3600)
