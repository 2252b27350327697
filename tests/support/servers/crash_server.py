"""Fails at start, the way a server with a broken configuration does."""

import sys

sys.stderr.write("crash_server: cannot read config.yaml: no such file\n")
sys.exit(3)
