"""Running `khplan check`: settings (command line over configuration), many files, baselines,
the report and the exit code.

Settings that concern a file's rules (select, ignore, severities, final, as_of, against,
min_coverage) come from the configuration nearest to that file, with the command line on
top; settings of the run (severity threshold, language, format, baseline) from the
configuration of the first input.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field

from .errors import UsageError


@dataclass
class CliArgs:
    files: list[str]
    against: list[str] = field(default_factory=list)
    min_coverage: float | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: str | None = None
    final: bool | None = None
    as_of: str | None = None
    lang: str | None = None
    fmt: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    output: str | None = None
    jobs: int = 0
    quiet: bool = False
    lexicon: list[str] = field(default_factory=list)
    ocr: bool = False


def _split(values: list[str]) -> list[str]:
    out = []
    for v in values:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def _date(value, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"{what}: '{value}' is not a date (YYYY-MM-DD)") from None


def file_options(path: str, args: CliArgs, today: dt.date | None = None):
    """The check options of one file: its configuration, overridden by the command line."""
    from .check import Options, resolve_rule_ids
    from .config import check_config_for

    cfg_path, cfg = check_config_for(path)
    where = cfg_path or "configuration"
    select = _split(args.select) or cfg.get("select")
    ignore = resolve_rule_ids(_split(args.ignore), "--ignore") | resolve_rule_ids(cfg.get("ignore", []), f"{where}: ignore")
    severities = {}
    for rid, sev in (cfg.get("rules") or {}).items():
        for r in resolve_rule_ids([rid], f"{where}: [check.rules]"):
            severities[r] = sev
    min_cov = args.min_coverage if args.min_coverage is not None else cfg.get("min_coverage", 0.5)
    if not 0 <= min_cov <= 1:
        raise UsageError(f"--min-coverage: {min_cov} is not between 0 and 1")
    as_of = _date(args.as_of, "--as-of") if args.as_of else cfg.get("as_of")
    return Options(
        select=resolve_rule_ids(select, "--select" if args.select else f"{where}: select") if select else None,
        ignore=ignore,
        final=args.final if args.final is not None else bool(cfg.get("final", False)),
        as_of=as_of,
        today=today,
        min_coverage=float(min_cov),
        against=list(args.against) or list(cfg.get("against", [])),
        severities=severities,
    )


def _check_one(item) -> dict:
    path, options, lexicon, ocr = item
    from .batch import _cached_lexicon
    from .check import check_file

    lex = _cached_lexicon(tuple(lexicon)) if lexicon else None
    return check_file(path, options=options, lexicon=lex, ocr=ocr)


def run(args: CliArgs, *, today: dt.date | None = None) -> int:
    from .batch import _cached_lexicon, map_files
    from .check import add_fingerprints, apply_baseline, baseline_document, load_baseline
    from .check_report import failing
    from .commands.parse import expand_inputs
    from .config import CHECK_FORMATS, CHECK_SEVERITIES, check_config_for, effective_lexicon
    from .output import dumps, emit, write_atomic

    if not args.files:
        raise UsageError("no files given (khplan check FILE|DIR …)")
    # Inputs: missing files are an error of the run; unreadable ones are reported per file.
    inputs = expand_inputs(args.files)
    _, run_cfg = check_config_for(args.files[0])
    threshold = args.severity or run_cfg.get("severity", "error")
    if threshold not in CHECK_SEVERITIES:
        raise UsageError(f"--severity: '{threshold}' is not one of {', '.join(CHECK_SEVERITIES)}")
    lang = args.lang or run_cfg.get("lang", "vi")
    if lang not in ("vi", "en"):
        raise UsageError(f"--lang: '{lang}' is not vi or en")
    fmt = args.fmt or run_cfg.get("format", "text")
    if fmt not in CHECK_FORMATS:
        raise UsageError(f"--format: '{fmt}' is not one of {', '.join(CHECK_FORMATS)}")
    baseline = args.baseline or run_cfg.get("baseline")
    if args.write_baseline and args.baseline:
        raise UsageError("--baseline and --write-baseline cannot be used together")

    options = [file_options(p, args, today) for p in inputs]
    for cat in sorted({c for o in options for c in o.against}):
        from .catalogs import load_catalog

        load_catalog(cat)  # an unknown id or a bad catalog file stops the run (exit 2)
    accepted = load_baseline(baseline) if baseline and not args.write_baseline else None
    lexicon = effective_lexicon(list(args.lexicon), inputs)
    if lexicon:
        _cached_lexicon(tuple(lexicon))  # a bad lexicon file fails before any work

    results: list[dict | None] = [None] * len(inputs)
    for i, ok, res in map_files(_check_one, [(p, o, lexicon, args.ocr) for p, o in zip(inputs, options)],
                                jobs=args.jobs, label="check", quiet=args.quiet):
        if ok:
            results[i] = res
        else:
            sys.stderr.write(f"khplan: {res}\n")
            results[i] = {"path": inputs[i], "error": res, "findings": []}
    done: list[dict] = [r for r in results if r is not None]

    import os

    root = os.path.dirname(os.path.abspath(args.write_baseline or baseline)) if (args.write_baseline or baseline) else None
    for res in done:
        add_fingerprints(res, root)
    unreadable = any(r.get("error") for r in done)

    if args.write_baseline:
        import json

        doc = baseline_document([r for r in done if not r.get("error")], root)
        write_atomic(args.write_baseline, json.dumps(doc, ensure_ascii=False, indent=2) + "\n", inputs=inputs)
        if not args.quiet:
            n = sum(e["count"] for e in doc["findings"])
            sys.stderr.write(f"khplan: wrote {args.write_baseline} ({n} findings)\n")
        return 2 if unreadable else 0

    if accepted is not None:
        apply_baseline(done, accepted)

    enabled = _enabled_rules(options)
    content = None
    if fmt == "json":
        from .check_report import to_json_data

        settings = _settings(args, threshold, lang, baseline, options)
        content = dumps(to_json_data(done, settings, threshold, lang), "json")
    elif fmt == "junit":
        from .check_report import render_junit

        content = render_junit(done, threshold, lang, enabled)
    elif fmt == "sarif":
        from .check_report import render_sarif

        content = render_sarif(done, lang, enabled, accepted is not None)
    elif fmt == "github":
        from .check_report import render_github

        content = render_github(done, lang)
    else:
        from .check_report import print_rich, render_text

        if args.output in (None, "-") and sys.stdout.isatty():
            from rich.console import Console

            print_rich(done, threshold, lang, args.quiet, Console(highlight=False))
        else:
            content = render_text(done, threshold, lang, args.quiet)
    if content is not None:
        emit(content, args.output, inputs=inputs)

    if unreadable:
        return 2
    return 1 if any(failing(f, threshold) for r in done for f in r.get("findings", [])) else 0


def _enabled_rules(options: list) -> list[str]:
    from .check import RULES

    return [rid for rid in sorted(RULES) if any(o.enabled(rid) for o in options)] or sorted(RULES)


def _settings(args: CliArgs, threshold: str, lang: str, baseline: str | None, options: list) -> dict:
    first = options[0]
    return {
        "severity": threshold,
        "lang": lang,
        "final": first.final,
        "as_of": first.as_of.isoformat() if first.as_of else None,
        "select": sorted(first.select) if first.select is not None else None,
        "ignore": sorted(first.ignore),
        "min_coverage": first.min_coverage,
        "against": list(first.against),
        "baseline": baseline,
    }


def list_rules_text(lang: str = "en") -> str:
    from .check import rules_table

    if lang not in ("vi", "en"):
        raise UsageError(f"--lang: '{lang}' is not vi or en")
    lines = []
    for r in rules_table(lang):
        final = {"en": " ({} with --final)", "vi": " ({} khi --final)"}[lang]
        sev = r["severity"] + (final.format(r["final_severity"]) if r["final_severity"] else "")
        lines.append(f"{r['id']}  {r['name']:<32} {sev:<26} {r['title']}")
    return "\n".join(lines) + "\n"

