"""`khplan catalogs`: the built-in directive catalogs, or the requirements of one catalog."""

from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def catalogs(
        catalog: Optional[str] = typer.Argument(None, help="A catalog id (tb432 …) or a catalog YAML file: list its requirements."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="table, yaml or json (default: table on a terminal, else yaml)."),
    ):
        """The directive catalogs coverage can score against (built-in, or your own file)."""
        import sys

        from ..catalogs import list_catalogs, load_catalog
        from ..errors import UsageError
        from ..output import dumps

        if fmt is None:
            fmt = "table" if sys.stdout.isatty() else "yaml"
        if fmt not in ("table", "yaml", "json"):
            raise UsageError(f"unknown format '{fmt}' (use table, yaml or json)")
        if catalog is None:
            data = list_catalogs()
            if fmt == "table":
                sys.stdout.write(_catalogs_table(data))
            else:
                sys.stdout.write(dumps(data, fmt))
            return
        cat = load_catalog(catalog)
        reqs = [{
            "id": r["id"], "title": r["title"], "verification": r["verification"], "source_point": r["source_point"],
            "weight": r["weight"], "bodies": list(r.get("bodies") or []),
        } for r in cat["requirements"]]
        data = {"id": cat["id"], "title": cat["title"], "version": cat["version"], "status": cat["status"],
                "thresholds": dict(cat["thresholds"]), "requirements": reqs}
        if fmt == "table":
            sys.stdout.write(_requirements_table(data))
        else:
            sys.stdout.write(dumps(data, fmt))


def _console():
    import io
    import shutil
    import sys

    from rich.console import Console

    buf = io.StringIO()
    tty = sys.stdout.isatty()
    return buf, Console(file=buf, force_terminal=tty, no_color=not tty, width=max(100, shutil.get_terminal_size((120, 40)).columns), highlight=False)


def _catalogs_table(data: list[dict]) -> str:
    from rich import box
    from rich.table import Table

    buf, console = _console()
    t = Table(box=box.SIMPLE_HEAD)
    for col in ("id", "document", "title", "version", "status", "requirements", "verification"):
        t.add_column(col)
    for c in data:
        ver = ", ".join(f"{k} {v}" for k, v in c["verification"].items())
        t.add_row(c["id"], c["document"], c["title"], c["version"], c["status"], str(c["requirements"]), ver)
    console.print(t)
    return buf.getvalue()


def _requirements_table(data: dict) -> str:
    from rich import box
    from rich.table import Table

    buf, console = _console()
    console.print(f"{data['id']} v{data['version']} ({data['status']}): {data['title']}")
    t = Table(box=box.SIMPLE_HEAD)
    for col in ("id", "requirement (paraphrase)", "verification", "source", "bodies"):
        t.add_column(col)
    for r in data["requirements"]:
        t.add_row(r["id"], r["title"], r["verification"], r["source_point"], ", ".join(r["bodies"]))
    console.print(t)
    return buf.getvalue()
