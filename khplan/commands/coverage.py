"""`khplan coverage`: score plans against directive catalogs (``khplan.coverage/v1``)."""

from __future__ import annotations

from typing import List, Optional

import typer

PLAN_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".pdf", ".html", ".htm", ".yaml", ".yml", ".json")


def register(app: typer.Typer) -> None:
    @app.command()
    def coverage(
        plans: List[str] = typer.Argument(..., help="Plans: files written by `khplan parse` (.yaml/.json) or plan files (.txt, .docx, .pdf …), or directories."),
        against: List[str] = typer.Option([], "--against", "-a", help="Catalog: a built-in id (tb432, tb444, ct28) or a catalog YAML file; repeatable. Default: the catalogs the plan implements."),
        fmt: Optional[str] = typer.Option(None, "--format", "-f", help="table, yaml or json (default: table on a terminal, else yaml)."),
        output: Optional[str] = typer.Option(None, "-o", "--output", help="Output file (one plan), or directory (several plans: one file per plan and catalog)."),
        jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes for many plans (0: all cores)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, no summary line."),
    ):
        """Which requirements of a directive a plan takes up: covered / partial / missing, with the plan's sentences as evidence."""
        code = run(plans, against=against, fmt=fmt, output=output, jobs=jobs, quiet=quiet)
        raise typer.Exit(code)


# --------------------------------------------------------------------------------------------


def run(plans: list[str], *, against: list[str], fmt: str | None, output: str | None, jobs: int, quiet: bool) -> int:
    import os
    import sys
    from pathlib import Path

    from ..batch import map_files
    from ..catalogs import load_catalog
    from ..errors import UsageError
    from ..output import emit
    from .parse import expand_inputs

    if fmt is None:
        fmt = "table" if output is None and sys.stdout.isatty() else "yaml"
    if fmt not in ("table", "yaml", "json"):
        raise UsageError(f"unknown format '{fmt}' (use table, yaml or json)")
    for a in against:
        load_catalog(a)  # a bad catalog stops here, before any work, with one line
    inputs = expand_inputs(plans, suffixes=PLAN_SUFFIXES)
    outdir = None
    if output and (len(inputs) > 1 or output.endswith(("/", os.sep)) or Path(output).is_dir()):
        # Like `khplan parse`: several plans need an output directory (one file per plan and catalog).
        outdir = Path(output)
        if outdir.exists() and not outdir.is_dir():
            raise UsageError(f"{outdir}: several plans need an output directory")
        outdir.mkdir(parents=True, exist_ok=True)
    want = "dict" if fmt == "table" else fmt
    items = [(f, tuple(against), want) for f in inputs]
    if len(inputs) == 1:
        docs = cover_one(items[0])  # errors propagate: exit 2 with one line
        if outdir is not None:
            _write_docs(outdir, docs, fmt, set(), inputs)
        elif docs:
            emit(_render_many([c for _, _, c in docs], fmt), output, inputs=inputs)
        return 0
    # Many plans: results are written as they come (a directory: one file each; stdout: in the
    # order of the inputs, through a small reorder buffer), so memory stays flat.
    taken: set[str] = set()
    waiting: dict[int, list] = {}
    next_i = 0
    written = 0
    failed = 0
    out = _Stream(fmt) if outdir is None else None
    for i, ok, res in map_files(cover_one, items, jobs=jobs, label="coverage", quiet=quiet):
        if not ok:
            failed += 1
            sys.stderr.write(f"khplan: {res}\n")
            res = []
        else:
            written += 1
        if outdir is not None:
            _write_docs(outdir, res, fmt, taken, inputs)
            continue
        waiting[i] = res
        while next_i in waiting:
            for _, _, content in waiting.pop(next_i):
                out.write(content)
            next_i += 1
    if out is not None:
        out.close()
    if failed or not quiet:
        sys.stderr.write(f"khplan: {written} plans covered, {failed} failed\n")
    return 1 if failed else 0


def _write_docs(outdir, docs, fmt: str, taken: set, inputs) -> None:
    from ..output import write_atomic

    for path, cid, content in docs:
        name = _output_name(path, cid, "json" if fmt == "json" else "txt" if fmt == "table" else "yaml", taken)
        write_atomic(outdir / name, _render_one(content, fmt), inputs=inputs)


class _Stream:
    """Coverage documents to stdout one after the other: a YAML stream (``---``), a JSON
    array, or tables."""

    def __init__(self, fmt: str):
        import sys

        self.fmt = fmt
        self.out = sys.stdout
        self.n = 0
        self.color = sys.stdout.isatty()

    def write(self, content) -> None:
        if self.fmt == "json":
            self.out.write(("[\n" if self.n == 0 else ",\n") + content.rstrip("\n"))
        elif self.fmt == "yaml":
            self.out.write("---\n" + content)
        else:
            self.out.write(("\n" if self.n else "") + render_table(content, color=self.color))
        self.n += 1
        self.out.flush()

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.n else "[]\n")
        self.out.flush()


def cover_one(item) -> list[tuple[str, str, object]]:
    """Score one plan against the given catalogs (or its own): [(plan path, catalog id,
    content)], content a dict (want "dict") or serialised YAML/JSON."""
    path, against, want = item
    from ..coverage import default_catalogs, load_plan, score_plan
    from ..errors import UsageError
    from ..output import dumps

    plan = load_plan(path)
    cats = [_catalog(a) for a in against]
    if not cats:
        found = default_catalogs(plan)
        if not found:
            from ..catalogs import builtin_ids

            raise UsageError(f"{path}: the plan implements none of the built-in catalogs ({', '.join(builtin_ids())}); "
                             "name one with --against")
        cats = [_catalog(cid) for cid, _ in found]
    out = []
    for cat in cats:
        result = score_plan(plan, cat)
        out.append((path, cat["id"], result if want == "dict" else dumps(result, want)))
    return out


_CATALOGS: dict = {}


def _catalog(ref: str) -> dict:
    """Catalogs by id or path, loaded once per process."""
    if ref not in _CATALOGS:
        from ..catalogs import load_catalog

        _CATALOGS[ref] = load_catalog(ref)
    return _CATALOGS[ref]


def _output_name(path: str, cid: str, ext: str, taken: set[str]) -> str:
    from pathlib import Path

    stem = Path(path).name
    for suffix in (".yaml", ".yml", ".json"):
        stem = stem.removesuffix(suffix)
    stem = Path(stem).stem if Path(stem).suffix.lower() in (".txt", ".md", ".docx", ".doc", ".pdf", ".html", ".htm") else stem
    name = f"{stem}.{cid}.coverage.{ext}"
    i = 2
    while name in taken:
        name = f"{stem}-{i}.{cid}.coverage.{ext}"
        i += 1
    taken.add(name)
    return name


def _render_one(content, fmt: str) -> str:
    if fmt == "table":
        return render_table(content, color=False)
    return content


def _render_many(contents: list, fmt: str) -> str:
    if fmt == "table":
        import sys

        color = sys.stdout.isatty()
        return "\n".join(render_table(c, color=color) for c in contents)
    if len(contents) == 1:
        return contents[0]
    if fmt == "json":
        import json

        return json.dumps([json.loads(c) for c in contents], ensure_ascii=False, indent=2) + "\n"
    return "".join("---\n" + c for c in contents)


# --------------------------------------------------------------------------------------------
# The terminal table

STATUS_STYLE = {"covered": "bold green", "partial": "yellow", "missing": "bold red"}
STATUS_LABEL = {"covered": "covered", "partial": "partial", "missing": "missing"}


def evidence_ref(e: dict) -> str:
    """Where a piece of evidence is: "II.3", "II.3 (2)" (second activity), "IV.1 (4)" (fourth
    duty of the assignment), "mục tiêu 1", "báo cáo"."""
    kind, task, n = e.get("kind"), e.get("task"), e.get("activity")
    if kind == "objective":
        return f"mục tiêu {n}" if n else "mục tiêu"
    if kind == "reporting" and not task:
        return "báo cáo"
    ref = task or "-"
    return f"{ref} ({n})" if n else ref


def render_table(result: dict, *, color: bool = True, width: int | None = None) -> str:
    """A readable rich table of one coverage result: status in colour, the evidence lines
    (where, matched terms, the start of the passage) and the bodies the directive names."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    import shutil

    console = Console(file=buf, force_terminal=color, no_color=not color, width=width or max(100, shutil.get_terminal_size((140, 40)).columns),
                      highlight=False, soft_wrap=False)
    plan, cat, summ = result["plan"], result["catalog"], result["summary"]
    where = " · ".join(str(x) for x in (plan.get("province"), plan.get("number"), plan.get("year")) if x)
    console.print(Text(f"{plan.get('path') or ''}" + (f"  ({where})" if where else ""), style="bold"))
    if plan.get("title"):
        console.print(Text(plan["title"]))
    partial_note = " — danh mục chưa đầy đủ (partial)" if cat.get("status") == "partial" else ""
    console.print(Text(f"{cat['title']} [{cat['id']} v{cat['version']}]{partial_note}", style="dim"))
    line = Text()
    line.append(f"{summ['covered']} covered", style=STATUS_STYLE["covered"])
    line.append(" · ")
    line.append(f"{summ['partial']} partial", style=STATUS_STYLE["partial"])
    line.append(" · ")
    line.append(f"{summ['missing']} missing", style=STATUS_STYLE["missing"])
    line.append(f" of {summ['requirements']} · score {summ['score']:.0%}")
    console.print(line)
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=True, pad_edge=False)
    table.add_column("yêu cầu", no_wrap=True)
    table.add_column("nội dung (diễn giải)", ratio=3)
    table.add_column("kết quả", no_wrap=True)
    table.add_column("căn cứ trong kế hoạch", ratio=5)
    table.add_column("cơ quan", ratio=2)
    for r in result["requirements"]:
        title = Text(r["title"])
        if r.get("verification") and r["verification"] != "VERIFIED":
            title.append(f"\n[{r['verification']}]", style="magenta")
        status = Text(f"{STATUS_LABEL[r['status']]}\n{r['score']:.2f}", style=STATUS_STYLE[r["status"]])
        ev = Text()
        for k, e in enumerate(r.get("evidence") or []):
            if k:
                ev.append("\n")
            ev.append(evidence_ref(e), style="bold")
            if e.get("span") and e["span"].get("line"):
                ev.append(f" l.{e['span']['line']}", style="dim")
            ev.append(": ")
            ev.append(", ".join(e.get("matched") or []), style="cyan")
            snippet = " ".join((e.get("text") or "").split())
            ev.append("\n  " + (snippet[:140] + "…" if len(snippet) > 140 else snippet), style="dim")
        bodies = Text()
        for k, b in enumerate(r.get("bodies") or []):
            if k:
                bodies.append("\n")
            if b.get("role"):
                mark = "✓ " + ("chủ trì" if b["role"] == "lead" else "phối hợp")
                bodies.append(f"{mark}: ", style="green")
                bodies.append(b["name"])
                if b.get("match") == "successor":
                    bodies.append(f" (= {b.get('as')})", style="dim")
            else:
                bodies.append("✗ ", style="red")
                bodies.append(b["name"], style="dim")
        table.add_row(r["id"], title, status, ev, bodies)
    console.print(table)
    return buf.getvalue()
