"""`khplan parse`, `khplan validate` and `khplan text`."""

from __future__ import annotations

from typing import List, Optional

import typer


def expand_inputs(paths: list[str], suffixes=(".txt", ".md", ".docx", ".doc", ".pdf", ".html", ".htm")) -> list[str]:
    """Files as given, directories expanded (sorted, recursively) to the plan files they hold."""
    from pathlib import Path

    from ..errors import InputError

    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(str(f) for f in path.rglob("*") if f.is_file() and f.suffix.lower() in suffixes)
            if not found:
                raise InputError(f"{p}: no plan files (.txt, .md, .docx, .pdf, .html) in this directory")
            out.extend(found)
        elif not path.exists():
            raise InputError(f"{p}: no such file")
        else:
            out.append(str(path))
    return out


def register(app: typer.Typer) -> None:
    @app.command()
    def parse(
        files: List[str] = typer.Argument(..., help="Plan files (.txt, .md, .docx, .doc, .pdf, .html) or directories."),
        output: Optional[str] = typer.Option(None, "-o", "--output", help="Output file (one input) or directory (several inputs)."),
        fmt: str = typer.Option("yaml", "--format", "-f", help="yaml or json."),
        ocr: bool = typer.Option(False, "--ocr", help="OCR scanned PDFs with Tesseract (Vietnamese)."),
        lexicon: List[str] = typer.Option([], "--lexicon", help="Extra lexicon YAML files (aliases of bodies)."),
        jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes for many files (0: all cores)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ):
        """Parse plans into structured YAML/JSON (schema khplan.plan/v1), every value with a span."""
        from ..batch import run_parse

        code = run_parse(files, output=output, fmt=fmt, ocr=ocr, lexicon=lexicon, jobs=jobs, quiet=quiet)
        raise typer.Exit(code)

    @app.command()
    def validate(
        files: List[str] = typer.Argument(..., help="YAML/JSON files written by khplan."),
    ):
        """Check khplan output files against their JSON Schema (plan, coverage, comparison)."""
        from ..output import load_yaml
        from ..schemas import validate_data

        bad = 0
        for f in files:
            data = load_yaml(f)
            errors = validate_data(data)
            if errors:
                bad += 1
                for e in errors[:20]:
                    typer.echo(f"{f}: {e}", err=True)
            else:
                typer.echo(f"{f}: ok ({data.get('schema')})")
        raise typer.Exit(1 if bad else 0)

    @app.command()
    def text(
        file: str = typer.Argument(..., help="A plan file."),
        ocr: bool = typer.Option(False, "--ocr", help="OCR scanned PDFs."),
    ):
        """Print the extracted text that spans point into (line numbers and offsets refer to it)."""
        import sys

        from ..readers import read_document

        ex = read_document(file, ocr=ocr)
        sys.stdout.write(ex.text if ex.text.endswith("\n") else ex.text + "\n")
