"""Output formats of `khplan check`: text, json (``khplan.check/v1``), junit, sarif, github.

Every format is deterministic: the same findings give byte-identical output. Findings that a
baseline accepts are left out of text, junit and github output, kept in json (``baselined:
true``) and in sarif (``baselineState: unchanged``).
"""

from __future__ import annotations

from .check import RANK, RULES, SCHEMA, SEVERITIES


def counts(results: list[dict]) -> dict:
    c = {s: 0 for s in SEVERITIES}
    baselined = 0
    for res in results:
        for f in res.get("findings", []):
            if f.get("baselined"):
                baselined += 1
            else:
                c[f["severity"]] += 1
    return {"error": c["error"], "warning": c["warning"], "info": c["info"], "baselined": baselined}


def failing(f: dict, threshold: str) -> bool:
    return not f.get("baselined") and RANK[f["severity"]] >= RANK[threshold]


def summary(results: list[dict], threshold: str) -> dict:
    c = counts(results)
    n_fail = sum(1 for r in results for f in r.get("findings", []) if failing(f, threshold))
    return {
        "files": len(results),
        "unreadable": sum(1 for r in results if r.get("error")),
        "findings": c["error"] + c["warning"] + c["info"],
        "errors": c["error"],
        "warnings": c["warning"],
        "info": c["info"],
        "baselined": c["baselined"],
        "failing": n_fail,
        "failed": n_fail > 0,
    }


def _message(f: dict, lang: str) -> str:
    return f["messages"][lang]


def _visible(res: dict) -> list[dict]:
    return [f for f in res.get("findings", []) if not f.get("baselined")]


# --- json ------------------------------------------------------------------------------------


def to_json_data(results: list[dict], settings: dict, threshold: str, lang: str) -> dict:
    from . import __version__

    files = []
    for res in results:
        entry = {"path": res["path"]}
        if res.get("error"):
            entry["error"] = res["error"]
            entry["findings"] = []
        else:
            entry.update({k: res[k] for k in ("sha256", "format", "reference_date")})
            entry["findings"] = [_json_finding(f, lang) for f in res["findings"]]
        files.append(entry)
    return {
        "schema": SCHEMA,
        "tool": {"name": "khplan", "version": __version__},
        "settings": settings,
        "files": files,
        "summary": summary(results, threshold),
    }


def _json_finding(f: dict, lang: str) -> dict:
    return {
        "rule": f["rule"],
        "name": f["name"],
        "severity": f["severity"],
        "message": _message(f, lang),
        "messages": f["messages"],
        "line": f["line"],
        "column": f["column"],
        "span": f["span"],
        "subject": f["subject"],
        "fingerprint": f["fingerprint"],
        "baselined": bool(f.get("baselined")),
        "data": f["data"],
    }


# --- text ------------------------------------------------------------------------------------

_WIDTH = 100  # longest source excerpt shown under a finding


def _excerpt(source: str, col: int, length: int) -> tuple[str, int, int]:
    """A window of the source line around the finding: (text, caret column 0-based, caret length)."""
    line = source.replace("\t", " ").rstrip()
    start = col - 1
    length = max(1, min(length, len(line) - start if len(line) > start else 1))
    if len(line) <= _WIDTH:
        return line, start, length
    left = max(0, min(start - 20, len(line) - _WIDTH))
    right = left + _WIDTH
    text = line[left:right]
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(line) else ""
    caret = start - left + len(prefix)
    return prefix + text + suffix, caret, max(1, min(length, right - start))


def _finding_lines(path: str, f: dict, lang: str) -> tuple[str, str, str, str]:
    head = f"{path}:{f['line']}:{f['column']}: {f['rule']} {f['severity']} {_message(f, lang)}"
    page = f["span"].get("page")
    if page:
        head += f" [p. {page}]"
    length = max(1, f["span"]["end"] - f["span"]["start"])
    text, caret, n = _excerpt(f.get("source", ""), f["column"], length)
    gutter = f"{f['line']:>5} | "
    pad = " " * (len(gutter) - 2) + "| "
    mark = " " * caret + "^" + "~" * (n - 1)
    return head, gutter + text, pad + mark, gutter


def render_text(results: list[dict], threshold: str, lang: str, quiet: bool) -> str:
    """Plain text: ``path:line:col: KH101 error message`` with the source line and a caret."""
    out: list[str] = []
    for res in results:
        if res.get("error"):
            continue
        for f in _visible(res):
            head, src, mark, _ = _finding_lines(res["path"], f, lang)
            out.extend([head, src, mark])
    if not quiet:
        out.append(_summary_line(results, threshold, lang))
    return "\n".join(out) + ("\n" if out else "")


_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}


def print_rich(results: list[dict], threshold: str, lang: str, quiet: bool, console) -> None:
    """The text format on a terminal: colours, the span underlined in the source line."""
    from rich.text import Text

    for res in results:
        if res.get("error"):
            continue
        for f in _visible(res):
            t = Text()
            t.append(f"{res['path']}:{f['line']}:{f['column']}: ", style="bold")
            t.append(f["rule"], style="bold magenta")
            t.append(" ")
            t.append(f["severity"], style=_STYLE[f["severity"]])
            t.append(" " + _message(f, lang))
            if f["span"].get("page"):
                t.append(f" [p. {f['span']['page']}]", style="dim")
            console.print(t, soft_wrap=True, highlight=False)
            _, src, mark, gutter = _finding_lines(res["path"], f, lang)
            caret = mark.index("^")
            n = len(mark) - caret
            body = src[len(gutter):]
            s = Text()
            s.append(gutter, style="dim")
            start = caret - len(gutter)
            s.append(body[:start])
            s.append(body[start:start + n], style=_STYLE[f["severity"]].replace("bold ", "underline "))
            s.append(body[start + n:])
            console.print(s, soft_wrap=True, highlight=False)
            console.print(Text(mark, style=_STYLE[f["severity"]]), soft_wrap=True, highlight=False)
    if not quiet:
        console.print(_summary_line(results, threshold, lang), highlight=False)


def _summary_line(results: list[dict], threshold: str, lang: str) -> str:
    s = summary(results, threshold)
    if lang == "vi":
        text = (f"{s['files']} tệp: {s['errors']} lỗi, {s['warnings']} cảnh báo, {s['info']} thông tin")
        if s["baselined"]:
            text += f" ({s['baselined']} đã có trong baseline)"
        if s["unreadable"]:
            text += f"; {s['unreadable']} tệp không đọc được"
        text += f"; {s['failing']} phát hiện từ mức {_VI_SEV[threshold]} trở lên" if s["failing"] else "; đạt"
        return text
    text = f"{s['files']} file{'s' if s['files'] != 1 else ''}: {s['errors']} errors, {s['warnings']} warnings, {s['info']} info"
    if s["baselined"]:
        text += f" ({s['baselined']} in the baseline)"
    if s["unreadable"]:
        text += f"; {s['unreadable']} unreadable"
    text += f"; {s['failing']} at or above {threshold}" if s["failing"] else "; passed"
    return text


_VI_SEV = {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"}


# --- junit -----------------------------------------------------------------------------------


def render_junit(results: list[dict], threshold: str, lang: str, enabled: list[str]) -> str:
    """JUnit XML: one test suite per file, one test case per enabled rule; a case fails when
    the rule has findings at or above the failing severity (the others go to system-out)."""
    from xml.sax.saxutils import escape, quoteattr

    suites = []
    total_tests = total_fail = total_err = 0
    for res in results:
        cases = []
        if res.get("error"):
            total_tests += 1
            total_err += 1
            suites.append(
                f'  <testsuite name={quoteattr(res["path"])} tests="1" failures="0" errors="1">\n'
                f'    <testcase classname={quoteattr(res["path"])} name="read">\n'
                f'      <error message={quoteattr(res["error"])}/>\n'
                f"    </testcase>\n  </testsuite>"
            )
            continue
        fails = 0
        for rid in enabled:
            r = RULES[rid]
            fs = [f for f in _visible(res) if f["rule"] == rid]
            name = f"{rid} {r.name}"
            bad = [f for f in fs if failing(f, threshold)]
            lines = [f"{res['path']}:{f['line']}:{f['column']}: {f['rule']} {f['severity']} {_message(f, lang)}" for f in fs]
            case = f"    <testcase classname={quoteattr(res['path'])} name={quoteattr(name)}"
            if not fs:
                cases.append(case + "/>")
                continue
            inner = []
            if bad:
                fails += 1
                first = _message(bad[0], lang)
                inner.append(f"      <failure message={quoteattr(first)} type={quoteattr(bad[0]['severity'])}>"
                             f"{escape(chr(10).join(lines))}</failure>")
            else:
                inner.append(f"      <system-out>{escape(chr(10).join(lines))}</system-out>")
            cases.append(case + ">\n" + "\n".join(inner) + "\n    </testcase>")
        total_tests += len(enabled)
        total_fail += fails
        suites.append(
            f'  <testsuite name={quoteattr(res["path"])} tests="{len(enabled)}" failures="{fails}" errors="0">\n'
            + "\n".join(cases) + "\n  </testsuite>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="khplan check" tests="{total_tests}" failures="{total_fail}" errors="{total_err}">\n'
        + "\n".join(suites) + ("\n" if suites else "") + "</testsuites>\n"
    )


# --- sarif -----------------------------------------------------------------------------------

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_TEXT_FORMATS = ("txt", "md")


def render_sarif(results: list[dict], lang: str, enabled: list[str], baseline_used: bool) -> str:
    """SARIF 2.1.0 for code-scanning dashboards. Regions are given for text files (where the
    extracted text is the file); for Word/PDF the line of the extracted text is a property."""
    import json

    from . import __version__

    rule_ids = sorted(enabled)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    rules = []
    for rid in rule_ids:
        r = RULES[rid]
        rules.append({
            "id": rid,
            "name": r.name,
            "shortDescription": {"text": r.title[lang]},
            "fullDescription": {"text": r.help or r.title["en"]},
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
            "properties": {"title_vi": r.title["vi"], "title_en": r.title["en"]},
        })
    out_results = []
    notifications = []
    for res in results:
        if res.get("error"):
            notifications.append({"level": "error", "message": {"text": res["error"]},
                                  "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(res["path"])}}}]})
            continue
        for f in res["findings"]:
            if not baseline_used and f.get("baselined"):
                continue
            loc = {"artifactLocation": {"uri": _uri(res["path"])}}
            if res.get("format") in _TEXT_FORMATS:
                length = max(0, f["span"]["end"] - f["span"]["start"])
                loc["region"] = {"startLine": f["line"], "startColumn": f["column"],
                                 "endLine": f["line"], "endColumn": f["column"] + max(1, length),
                                 "snippet": {"text": f.get("source", "")}}
            item = {
                "ruleId": f["rule"],
                "ruleIndex": index.get(f["rule"], 0),
                "level": _SARIF_LEVEL[f["severity"]],
                "message": {"text": _message(f, lang)},
                "locations": [{"physicalLocation": loc,
                               "properties": {"extractedLine": f["line"], "page": f["span"].get("page")}}],
                "partialFingerprints": {"khplan/v1": f["fingerprint"]},
            }
            if baseline_used:
                item["baselineState"] = "unchanged" if f.get("baselined") else "new"
            out_results.append(item)
    run = {
        "tool": {"driver": {"name": "khplan", "version": __version__, "informationUri": "https://khplan.invalid/",
                            "rules": rules}},
        "results": out_results,
        "columnKind": "unicodeCodePoints",
    }
    if notifications:
        run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": notifications}]
    doc = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [run]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


_URI_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:._-~")


def _uri(path: str) -> str:
    """A relative URI reference for a path (RFC 3986 percent-encoding of UTF-8)."""
    out = []
    for ch in path.replace("\\", "/"):
        if ch in _URI_SAFE:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


# --- github ----------------------------------------------------------------------------------

_GH_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def render_github(results: list[dict], lang: str) -> str:
    """Workflow commands (``::error file=…,line=…,col=…::message``) that annotate the files."""
    out = []
    for res in results:
        if res.get("error"):
            out.append(f"::error file={_gh_escape(res['path'], True)},title=khplan::{_gh_escape(res['error'])}")
            continue
        for f in _visible(res):
            props = [f"file={_gh_escape(res['path'], True)}", f"line={f['line']}", f"col={f['column']}"]
            if f["span"]["end"] > f["span"]["start"]:
                props.append(f"endColumn={f['column'] + f['span']['end'] - f['span']['start']}")
            props.append(f"title={_gh_escape(f['rule'] + ' ' + f['name'], True)}")
            out.append(f"::{_GH_LEVEL[f['severity']]} {','.join(props)}::{_gh_escape(_message(f, lang))}")
    return "\n".join(out) + ("\n" if out else "")
