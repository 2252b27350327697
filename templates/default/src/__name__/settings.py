"""Where this agent's files live and how it is configured (config/config.yaml)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml


class ConfigError(Exception):
    """The configuration file is missing or malformed."""


def agent_home() -> Path:
    """AGENT_HOME, else the nearest folder above this package holding config/config.yaml, else the cwd."""
    env = os.environ.get("AGENT_HOME")
    if env:
        return Path(env).resolve()
    for parent in Path(__file__).resolve().parents:
        if (parent / "config" / "config.yaml").is_file():
            return parent
    return Path.cwd()


def load_config(home: Path | None = None) -> dict[str, Any]:
    home = home or agent_home()
    path = home / "config" / "config.yaml"
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: not found (set AGENT_HOME to the agent's folder)") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def section(cfg: dict[str, Any], name: str) -> dict[str, Any]:
    value = cfg.get(name) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"config.yaml: `{name}` must be a mapping")
    return value
