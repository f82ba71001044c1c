"""`khplan check`: lint draft plans for CI pipelines and pre-commit hooks."""

from __future__ import annotations

from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def check(
        files: List[str] = typer.Argument(None, help="Plan files (.txt, .md, .docx, .doc, .pdf, .html) or directories."),
        against: List[str] = typer.Option([], "--against", help="Catalog ids (tb432, tb444, ct28) or catalog files to check coverage against (default: the ones the plan implements)."),
        min_coverage: Optional[float] = typer.Option(None, "--min-coverage", help="Coverage below this share (0-1) is a finding (default 0.5)."),
        select: List[str] = typer.Option([], "--select", help="Only these rules: ids (KH101), prefixes (KH1) or names; repeat or separate with commas."),
        ignore: List[str] = typer.Option([], "--ignore", help="Skip these rules: ids, prefixes or names."),
        severity: Optional[str] = typer.Option(None, "--severity", help="Failing threshold: error (default), warning or info."),
        final: Optional[bool] = typer.Option(None, "--final/--draft", help="Check a plan about to be signed: blank number/date and a missing signer become errors."),
        as_of: Optional[str] = typer.Option(None, "--as-of", help="Check the bodies named against this date (YYYY-MM-DD) instead of the plan's date."),
        lang: Optional[str] = typer.Option(None, "--lang", help="Language of the messages: vi (default) or en."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="text (default), json, junit, sarif or github."),
        baseline: Optional[str] = typer.Option(None, "--baseline", help="Baseline file: findings it lists do not fail the check."),
        write_baseline: Optional[str] = typer.Option(None, "--write-baseline", help="Write the current findings to this baseline file and exit 0."),
        output: Optional[str] = typer.Option(None, "-o", "--output", help="Write the report to this file instead of stdout."),
        jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes for many files (0: all cores)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary line."),
        lexicon: List[str] = typer.Option([], "--lexicon", help="Extra lexicon YAML files (aliases of bodies)."),
        ocr: bool = typer.Option(False, "--ocr", help="OCR scanned PDFs with Tesseract (Vietnamese)."),
        list_rules: bool = typer.Option(False, "--list-rules", help="Print the rules and exit."),
    ):
        """Lint draft plans: tasks without a lead body, missing funding or reporting clauses, bodies that no
        longer exist, wrong citations and dates, numbering gaps, low coverage. Exit 0 clean, 1 findings at or
        above the failing severity, 2 could not read or configure."""
        from ..check_run import CliArgs, list_rules_text, run

        if list_rules:
            typer.echo(list_rules_text(lang or "en"), nl=False)
            raise typer.Exit(0)
        args = CliArgs(
            files=list(files or []), against=against, min_coverage=min_coverage, select=select, ignore=ignore,
            severity=severity, final=final, as_of=as_of, lang=lang, fmt=fmt, baseline=baseline,
            write_baseline=write_baseline, output=output, jobs=jobs, quiet=quiet, lexicon=lexicon, ocr=ocr,
        )
        raise typer.Exit(run(args))
