"""The test OpenID provider (tests/oidc/provider.mjs, npm oidc-provider installed by
scripts/test.sh into .test-tools/) for the benchmarks: started in a work folder, stopped by
its caller."""

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(work, **config):
    """(process, issuer) of a provider configured by `config` (see provider.mjs)."""
    tools = os.environ.get("PC_HYBRID_TEST_TOOLS", str(ROOT / ".test-tools"))
    if not (Path(tools) / "node_modules/oidc-provider").is_dir():
        raise SystemExit("npm oidc-provider is missing: run scripts/test.sh once (it installs .test-tools)")
    cfg = Path(work) / "provider.json"
    cfg.write_text(json.dumps({"keys_file": str(Path(work) / "keys.json"), **config}))
    p = subprocess.Popen(["node", str(ROOT / "tests/oidc/provider.mjs"), str(cfg)], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PC_HYBRID_TEST_TOOLS": tools})
    for line in p.stdout:
        if line.startswith("ready "):
            return p, line.split()[1]
    raise SystemExit("the provider did not start")
