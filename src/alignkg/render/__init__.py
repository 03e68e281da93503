"""Rendering: a neighbourhood as a self-contained interactive HTML page.

pyvis, networkx and jinja2 are imported on first use of the page functions, so the
command line can use `labels` without paying for them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["KIND_STYLES", "RenderError", "build_network", "render_page"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from alignkg.render import pyvis_page

        return getattr(pyvis_page, name)
    raise AttributeError(f"module 'alignkg.render' has no attribute {name!r}")
