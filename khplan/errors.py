"""Errors that end a command with exit code 2 and a one-line message."""


class KhplanError(Exception):
    """The job could not be done: a one-line, user-facing message; exit code 2."""

    exit_code = 2


class InputError(KhplanError):
    """An input file cannot be read (missing, empty, binary, corrupt, encrypted, too large...)."""


class UsageError(KhplanError):
    """The arguments or the configuration are wrong."""
