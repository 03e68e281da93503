"""The errors a user may see: each carries a one-line message and the exit code to use."""


class AlignkgError(Exception):
    exit_code = 1
