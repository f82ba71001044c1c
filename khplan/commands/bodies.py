"""`khplan bodies`: resolve a body name against the lexicon, or list the lexicon."""

from __future__ import annotations

import datetime as _dt
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def bodies(
        names: List[str] = typer.Argument(None, help='Body names to resolve, e.g. "Sở LĐ-TB&XH".'),
        list_all: bool = typer.Option(False, "--list", help="Print the whole lexicon."),
        on: Optional[str] = typer.Option(None, "--on", help="The plan's date (YYYY-MM-DD): picks the body valid then."),
        function: Optional[str] = typer.Option(None, "--function", help="Function of the task (children, labour, …): picks the successor."),
        lexicon: List[str] = typer.Option([], "--lexicon", help="Extra lexicon YAML files."),
        fmt: str = typer.Option("yaml", "--format", "-f", help="yaml or json."),
    ):
        """Resolve body names (canonical name, level, successor after the 2025 reorganisation)."""
        import sys

        from ..config import effective_lexicon
        from ..errors import UsageError
        from ..lexicon import Lexicon, default_lexicon
        from ..output import dumps

        extra = effective_lexicon(lexicon, [])
        lex = Lexicon.load(extra=extra) if extra else default_lexicon()
        date = None
        if on:
            try:
                date = _dt.date.fromisoformat(on)
            except ValueError:
                raise UsageError(f"--on: not a date: {on!r} (use YYYY-MM-DD)") from None
        if list_all:
            out = []
            for e in lex.bodies():
                out.append({
                    "id": e.id, "canonical": e.canonical, "level": e.level, "kind": e.kind, "generic": e.generic,
                    "valid_from": e.valid_from.isoformat() if e.valid_from else None,
                    "valid_to": e.valid_to.isoformat() if e.valid_to else None,
                    "successors": [{"function": s.function, "body": lex.body(s.body).canonical} for s in e.successors],
                    "aliases": list(e.aliases),
                })
            sys.stdout.write(dumps(out, fmt))
            return
        if not names:
            raise UsageError("give one or more body names, or --list")
        results = []
        for name in names:
            m = lex.resolve_body(name, on=date, function=function)
            item = m.to_output(name)
            item["score"] = round(m.score, 3)
            if m.id is not None:
                entry = lex.body(m.id)
                item["valid_from"] = entry.valid_from.isoformat() if entry.valid_from else None
                item["valid_to"] = entry.valid_to.isoformat() if entry.valid_to else None
                item["successors"] = [{"function": s.function, "body": lex.body(s.body).canonical} for s in entry.successors]
                item["aliases"] = list(entry.aliases)
            results.append(item)
        sys.stdout.write(dumps(results if len(results) > 1 else results[0], fmt))
        if any(r["match"] == "none" for r in results):
            raise typer.Exit(1)
