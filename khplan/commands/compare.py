"""`khplan compare`: align tasks across plans, list differences, the coverage matrix."""

from __future__ import annotations

from typing import List, Optional

import typer

FORMATS = ("table", "yaml", "json", "md", "csv", "xlsx", "html")
BINARY_FORMATS = ("xlsx",)
_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".md": "md", ".markdown": "md",
              ".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".txt": "table"}


def pick_format(fmt: str | None, output: str | None, isatty: bool) -> str:
    """--format, else the output file's suffix, else table on a terminal and yaml otherwise."""
    from pathlib import Path

    from ..errors import UsageError

    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise UsageError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})")
    elif output and output != "-":
        fmt = _BY_SUFFIX.get(Path(output).suffix.lower(), "yaml")
    else:
        fmt = "table" if isatty else "yaml"
    if fmt in BINARY_FORMATS and (not output or output == "-"):
        raise UsageError(f"{fmt} is a binary format: write it to a file with -o FILE.{fmt}")
    return fmt


def split_catalogs(files: list[str], against: list[str]) -> tuple[list[str], list[str] | None]:
    """Catalogs from --against (repeated or comma-separated). ``--against tb432 tb444 a.txt``
    puts tb444 among the files: a positional argument that is no existing path but a built-in
    catalog id is taken as a catalog when --against is given."""
    from pathlib import Path

    cats = [c.strip() for a in against for c in a.split(",") if c.strip()]
    if not cats:
        return files, None
    from ..catalogs import builtin_ids

    ids = set(builtin_ids())
    rest = []
    for f in files:
        if f.lower() in ids and not Path(f).exists():
            cats.append(f.lower())
        else:
            rest.append(f)
    out: list[str] = []
    for c in cats:
        if c not in out:
            out.append(c)
    return rest, out


def parse_labels(items: list[str]) -> dict[str, str]:
    from ..errors import UsageError

    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--label {item}: use KEY=LABEL (KEY: the input's position, path, file name or default label)")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def register(app: typer.Typer) -> None:
    @app.command()
    def compare(
        files: List[str] = typer.Argument(..., help="Plans: files (.txt, .md, .docx, .pdf, .html), `khplan parse` YAML/JSON, or directories."),
        against: List[str] = typer.Option([], "--against", help="Catalogs for the coverage matrix: tb432, tb444, ct28 or catalog files (repeat, or separate with commas). Default: the ones the plans implement."),
        label: List[str] = typer.Option([], "--label", help="KEY=LABEL: name a plan (KEY: its position 1..n, path, file name or default label 'Province Year')."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="table, yaml, json, md, csv (the matrix), xlsx or html. Default: table on a terminal, else yaml (or from the -o suffix)."),
        output: Optional[str] = typer.Option(None, "-o", "--output", help="Write the report to this file (required for xlsx)."),
        lang: str = typer.Option("vi", "--lang", help="Language of report labels: vi (default) or en."),
        matrix_only: bool = typer.Option(False, "--matrix-only", help="Only the coverage matrix (no task alignment): for many plans."),
        threshold: Optional[float] = typer.Option(None, "--threshold", help="Lowest score of a task pair (0-1, default 0.22)."),
        jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0: all cores)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
        ocr: bool = typer.Option(False, "--ocr", help="OCR scanned PDFs with Tesseract (Vietnamese)."),
        lexicon: List[str] = typer.Option([], "--lexicon", help="Extra lexicon YAML files (aliases of bodies)."),
    ):
        """Compare plans: task pairs across plans with matched terms, differences (lead bodies with the 2025
        successors, reporting, funding, targets) and the coverage matrix requirement x plan with evidence."""
        import sys

        from ..compare import THRESHOLD, run_compare
        from ..config import effective_lexicon
        from ..errors import UsageError
        from ..output import write_atomic

        if lang not in ("vi", "en"):
            raise UsageError(f"unknown language '{lang}' (use vi or en)")
        thr = THRESHOLD if threshold is None else threshold
        if not 0.0 < thr <= 1.0:
            raise UsageError("--threshold must be between 0 and 1")
        out_fmt = pick_format(fmt, output, sys.stdout.isatty())
        plan_files, catalogs = split_catalogs(list(files), list(against))
        labels = parse_labels(list(label))
        from .parse import expand_inputs

        from ..compare import INPUT_SUFFIXES

        inputs = expand_inputs(plan_files, suffixes=INPUT_SUFFIXES)
        data = run_compare(
            inputs, against=catalogs, labels=labels, matrix_only=matrix_only, threshold=thr,
            jobs=jobs, quiet=quiet, ocr=ocr, lexicon=effective_lexicon(list(lexicon), inputs),
        )
        from ..compare_report import render

        if out_fmt == "table" and (not output or output == "-"):
            from ..compare_report import print_table

            print_table(data, lang)
            raise typer.Exit(0)
        content = render(data, out_fmt, lang)
        if not output or output == "-":
            sys.stdout.write(content)
            sys.stdout.flush()
        else:
            write_atomic(output, content, inputs=inputs)
        raise typer.Exit(0)
