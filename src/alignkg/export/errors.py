"""The one error of the exporters: a one-line message for the user and its exit code."""

from __future__ import annotations

from alignkg.errors import AlignkgError


class ExportError(AlignkgError):
    """A bad option (exit code 2) or an output that cannot be written (exit code 1)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
