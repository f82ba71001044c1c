"""Command-line interface. Heavy modules are imported inside the commands, so start-up is fast."""

from __future__ import annotations

import sys

import typer

from . import __version__

app = typer.Typer(
    name="khplan",
    help="Structured data, coverage, comparison and checks for Vietnamese administrative plans (Kế hoạch).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool):
    if value:
        typer.echo(f"khplan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
):
    """khplan reads plans (.txt, .md, .docx, .pdf) and writes YAML/JSON with spans into the source."""


def _register() -> None:
    from .commands import register_all

    register_all(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every KhplanError becomes one line on stderr and exit code 2."""
    from .errors import KhplanError

    _register()
    try:
        rc = app(args=argv, standalone_mode=False)  # returns the code of typer.Exit
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except KhplanError as exc:
        sys.stderr.write(f"khplan: {exc}\n")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("khplan: aborted\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("khplan: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # usage errors (click's or typer's own) and anything unexpected
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            sys.stderr.write(f"khplan: {exc.format_message()}\n")
            sys.exit(2)
        if type(exc).__name__ == "Exit" and hasattr(exc, "exit_code"):
            sys.exit(exc.exit_code)
        if isinstance(exc, (BrokenPipeError,)):
            sys.exit(0)
        sys.stderr.write(f"khplan: internal error: {type(exc).__name__}: {exc}\n")
        sys.exit(2)
    sys.exit(0)
