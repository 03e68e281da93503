"""The errors a user may see: each carries a one-line message and the exit code to use."""


class AlignkgError(Exception):
    exit_code = 1

    def __reduce__(self):
        # Subclasses take other constructor arguments than the message, so rebuild from
        # the message and the attributes: an error raised in a worker process must come
        # back whole (pickling by `self.args` would call __init__ with the wrong ones).
        return _rebuild, (type(self), str(self), dict(self.__dict__))


def _rebuild(cls: type[AlignkgError], message: str, state: dict) -> AlignkgError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
