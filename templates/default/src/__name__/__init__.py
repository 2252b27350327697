"""A PromptCraft-Hybrid agent: an MCP server over its own knowledge base."""

from .spec import NAME, VERSION

__version__ = VERSION
__all__ = ["NAME", "VERSION", "__version__"]
