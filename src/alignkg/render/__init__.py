"""Rendering: a neighbourhood as a self-contained interactive HTML page."""

from __future__ import annotations

from alignkg.render.pyvis_page import KIND_STYLES, RenderError, build_network, render_page

__all__ = ["KIND_STYLES", "RenderError", "build_network", "render_page"]
