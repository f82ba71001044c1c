"""khplan: structured data, coverage, comparison and checks for Vietnamese administrative plans."""

__version__ = "0.1.0"

__all__ = ["__version__", "parse_file", "parse_text"]


def parse_text(text, *, path="<text>", fmt="txt"):
    """Parse plan text (already decoded) into a ``khplan.plan/v1`` dict."""
    from .parse import parse_text as _parse_text

    return _parse_text(text, path=path, fmt=fmt)


def parse_file(path, **options):
    """Read a plan file of any supported format and parse it into a ``khplan.plan/v1`` dict."""
    from .parse import parse_file as _parse_file

    return _parse_file(path, **options)
