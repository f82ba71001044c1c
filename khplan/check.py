"""`khplan check`: lint a draft plan, with findings that point at the line they concern.

A rule is data: an id (``KH101``), a name (``task-without-lead``), a default severity, message
templates in Vietnamese and English (one pair per variant of the finding), and a function that
reads the parsed plan (``khplan.plan/v1``) and the outline of the extracted text and yields
findings. Every finding has a span ``{line, start, end, page}`` into the extracted text (the
text ``khplan text FILE`` prints) and a *subject*: the normalised text it is about, which makes
its fingerprint stable when lines move (see :func:`fingerprint`).

Rule families: ``KH0`` the file, ``KH1`` tasks and responsibilities, ``KH2`` funding and
reporting, ``KH3`` bodies and provinces that no longer exist, ``KH4`` citations and dates,
``KH5`` numbering, ``KH6`` coverage of the directives the plan implements, ``KH7`` the
identity of a draft (number, date, signer).

The reference date (for "does this body still exist") is ``--as-of`` when given, else the
plan's date, else within the plan's year (today if that is this year, 31 December if it is
past, 1 January if it is to come), else today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import regex as re

from .vn import fold, letter_index

SCHEMA = "khplan.check/v1"
BASELINE_SCHEMA = "khplan.check-baseline/v1"
SEVERITIES = ("info", "warning", "error")
RANK = {s: i for i, s in enumerate(SEVERITIES)}
LANGS = ("vi", "en")


# --- rules as data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str  # default severity of its findings
    title: dict  # {"vi": …, "en": …}: what the rule checks, in a few words
    messages: dict  # variant -> {"vi": template, "en": template}
    check: Callable[["Context"], Iterable["Finding"]]
    final_severity: str | None = None  # severity under --final, when it differs
    help: str = ""  # why it matters (English), for SARIF and `--list-rules`

    def message(self, variant: str, lang: str, data: dict) -> str:
        tmpl = self.messages.get(variant) or self.messages["default"]
        if lang == "vi":  # Vietnamese text writes dates day/month/year
            data = {k: _vn_date(v) for k, v in data.items()}
        return tmpl[lang].format_map(_Fmt(data))


class _Fmt(dict):
    def __missing__(self, key):  # a template never fails on a missing value
        return "?"


def _vn_date(v):
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        y, m, d = v.split("-")
        return f"{d}/{m}/{y}"
    return v


RULES: dict[str, Rule] = {}


def rule(id: str, name: str, severity: str, title: tuple[str, str], messages: dict, *,
         final_severity: str | None = None, help: str = ""):
    """Register the decorated function as the check of rule ``id``.

    ``messages`` maps a variant name to a (vi, en) pair of templates; "default" is required.
    """

    def deco(fn):
        msgs = {k: {"vi": v[0], "en": v[1]} for k, v in messages.items()}
        RULES[id] = Rule(id, name, severity, {"vi": title[0], "en": title[1]}, msgs, fn, final_severity, help)
        return fn

    return deco


@dataclass
class Finding:
    rule: str
    span: dict | None
    subject: str  # what the finding is about, as written (normalised for the fingerprint)
    variant: str = "default"
    severity: str | None = None  # None: the rule's severity
    data: dict = field(default_factory=dict)


def resolve_rule_ids(patterns: Iterable[str], option: str) -> set[str]:
    """Rule ids matched by ids, id prefixes ("KH1", "KH20") or names ("task-without-lead")."""
    from .errors import UsageError

    out: set[str] = set()
    for p in patterns:
        p = p.strip()
        if not p:
            continue
        if p.upper() == "ALL":
            out |= set(RULES)
            continue
        hit = {r for r in RULES if r.startswith(p.upper())} | {r.id for r in RULES.values() if r.name == p.lower()}
        if not hit:
            raise UsageError(f"{option}: unknown rule '{p}' (ids like KH101, prefixes like KH1, or names like task-without-lead)")
        out |= hit
    return out


# --- options and context -----------------------------------------------------------------


@dataclass
class Options:
    select: set[str] | None = None  # None: every rule
    ignore: set[str] = field(default_factory=set)
    final: bool = False
    as_of: dt.date | None = None
    today: dt.date | None = None
    min_coverage: float = 0.5
    against: list[str] = field(default_factory=list)
    severities: dict[str, str] = field(default_factory=dict)  # rule id -> severity or "off"

    def enabled(self, rule_id: str) -> bool:
        if self.severities.get(rule_id) == "off":
            return False
        if self.select is not None and rule_id not in self.select:
            return False
        return rule_id not in self.ignore


class Context:
    """What the rules share: the plan record, the extracted text and its outline, the lexicon."""

    def __init__(self, plan: dict, text: str, options: Options, lexicon=None, locate=None, doc=None, outline=None):
        if doc is None or outline is None:
            from .outline import build_outline
            from .textmodel import Document

            doc = Document(text)
            outline = build_outline(doc)
        self.plan = plan
        self.text = text
        self.options = options
        self.doc = doc  # the parser's text model and outline, when the caller has them
        self.outline = outline
        self.locate = locate
        self._lex = lexicon
        self.today = options.today or dt.date.today()
        self.reference_date, self.reference_source = self._reference_date()
        self._plan_function: str | None | bool = False

    @property
    def plan_function(self) -> str | None:
        """The function the plan as a whole is about (from its title, else its tasks)."""
        if self._plan_function is False:
            title = self.plan["document"].get("title") or ""
            fn = self.lex.function_of(title) if title else None
            if fn is None:
                fn = self.lex.function_of(" ".join(t["title"] for t in self.plan["tasks"]))
            self._plan_function = fn
        return self._plan_function  # type: ignore[return-value]

    @property
    def lex(self):
        if self._lex is None:
            from .lexicon import default_lexicon

            self._lex = default_lexicon()
        return self._lex

    def _reference_date(self) -> tuple[dt.date, str]:
        if self.options.as_of is not None:
            return self.options.as_of, "option"
        d = self.plan["document"]
        if d.get("date"):
            return dt.date.fromisoformat(d["date"]), "plan"
        year = d.get("year")
        if isinstance(year, int) and 1900 < year < 2200:
            if year == self.today.year:
                return self.today, "year"
            if year < self.today.year:
                return dt.date(year, 12, 31), "year"
            return dt.date(year, 1, 1), "year"
        return self.today, "today"

    def plan_date_bound(self) -> tuple[dt.date, str]:
        """The latest date the plan can bear: its date; else the end of the year its date line
        states (not later than today); else today."""
        d = self.plan["document"]
        if d.get("date"):
            return dt.date.fromisoformat(d["date"]), d["date"]
        year = d.get("year")
        if isinstance(year, int) and "year_source" not in d and 1900 < year <= self.today.year:
            end = min(dt.date(year, 12, 31), self.today)
            return end, str(year)
        return self.today, self.today.isoformat()

    # spans
    def span(self, start: int, end: int) -> dict:
        return self.doc.span(start, end, self.locate)

    def head(self, span: dict | None) -> dict | None:
        """``span`` cut to its first line (what a caret can underline)."""
        if not span:
            return None
        line = self.doc.lines[self.doc.line_of(span["start"]) - 1]
        end = min(span["end"], line.end) if span["end"] > span["start"] else span["end"]
        out = dict(span)
        out["end"] = max(end, span["start"])
        out["line"] = line.no
        return out

    def line_span(self, line_no: int) -> dict:
        line = self.doc.lines[max(0, min(line_no, len(self.doc.lines)) - 1)]
        t = line.raw
        lead = len(t) - len(t.lstrip())
        return self.span(line.start + lead, line.start + len(t.rstrip()))

    def para_span(self, p) -> dict:
        return self.head(self.span(p.start, p.end))

    def fallback_span(self) -> dict:
        """Where a finding about the whole plan points: its title, else its first line of text."""
        sp = self.plan["document"].get("spans", {}).get("title")
        if sp:
            return self.head(sp)
        for ln in self.doc.lines:
            if ln.clean.text:
                return self.line_span(ln.no)
        return self.span(0, 0)

    def section_span(self, *kinds: str) -> dict | None:
        for s in self.outline.sections:
            if s.kind in kinds:
                return self.para_span(s.node.para)
        return None


# --- helpers -------------------------------------------------------------------------------


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", fold(text or "")).strip()[:160]


def _bkey(b: dict) -> str:
    return b.get("canonical") or fold(b["name"])


def _flat_tasks(tasks: list[dict]) -> Iterator[dict]:
    for t in tasks:
        yield t
        yield from _flat_tasks(t.get("subtasks") or [])


def _bodies_of_task(t: dict, kinds=("lead",)) -> Iterator[dict]:
    for k in kinds:
        yield from t.get(k) or []
    for a in t.get("activities") or []:
        for k in kinds:
            yield from a.get(k) or []
    for s in t.get("subtasks") or []:
        yield from _bodies_of_task(s, kinds)


def _is_generic(b: dict) -> bool:
    return bool(b.get("generic"))


def _short(text: str, n: int = 70) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= n else text[: n - 1].rstrip(" ,;:") + "…"


def _join(items: list[str], n: int = 5) -> str:
    items = list(items)
    return ", ".join(items[:n]) + (f" (+{len(items) - n})" if len(items) > n else "")


# --- KH0: the file -------------------------------------------------------------------------


def looks_like_a_plan(ctx: Context) -> bool:
    o = ctx.outline
    return bool(o.doc_type or o.sections or ctx.plan["tasks"])


@rule("KH001", "not-a-plan", "info",
      ("Tệp không phải là kế hoạch", "The file is not a plan"),
      {"default": ("Tệp không giống một kế hoạch (không có dòng \"KẾ HOẠCH\", không có các mục đánh số La Mã); bỏ qua",
                   "The file does not look like a plan (no \"KẾ HOẠCH\" line, no Roman-numbered sections); not checked")},
      help="Files that are not plans (a README in a folder of drafts) are skipped rather than flooded with findings.")
def _not_a_plan(ctx: Context):
    if not looks_like_a_plan(ctx):
        yield Finding("KH001", ctx.fallback_span(), "")


# --- KH1: tasks and responsibilities ---------------------------------------------------------


@rule("KH100", "no-tasks", "warning",
      ("Không có phần nhiệm vụ", "No task section"),
      {"default": ("Không tìm thấy phần nhiệm vụ, giải pháp (mục \"Nhiệm vụ\", \"Giải pháp\" hoặc \"Nội dung\")",
                   "No task section found (\"Nhiệm vụ\", \"Giải pháp\" or \"Nội dung\")")},
      help="A plan says what is to be done in a section of tasks or solutions; without it nothing can be assigned.")
def _no_tasks(ctx: Context):
    if not ctx.plan["tasks"]:
        yield Finding("KH100", ctx.fallback_span(), "")


def leads_in_tasks(ctx: Context) -> bool:
    """Whether the plan names lead bodies in its tasks (at least half of them do). A lone
    lead among many tasks is more likely a "… chủ trì" phrase inside a task's text: such a
    plan assigns its work in "Tổ chức thực hiện"."""
    tasks = ctx.plan["tasks"]
    led = sum(1 for t in tasks if t["lead"])
    return bool(led) and led * 2 >= len(tasks)


def _task_head(ctx: Context, t: dict) -> dict | None:
    return ctx.head(t.get("span"))


@rule("KH101", "task-without-lead", "error",
      ("Nhiệm vụ không có cơ quan chủ trì", "Task without a lead body"),
      {"default": ("Nhiệm vụ {task} không nêu cơ quan chủ trì (các nhiệm vụ khác có nêu)",
                   "Task {task} names no lead body (other tasks do)"),
       "subtask": ("Nhiệm vụ {task} không nêu cơ quan chủ trì (các nhiệm vụ cùng cấp đều nêu)",
                   "Task {task} names no lead body (its sibling tasks do)"),
       "no_organisation": ("Nhiệm vụ {task} không có cơ quan chủ trì, và Kế hoạch không có mục \"Tổ chức thực hiện\" giao nhiệm vụ",
                           "Task {task} names no lead body, and no \"Tổ chức thực hiện\" section assigns it"),
       "organisation_only": ("Các nhiệm vụ không nêu cơ quan chủ trì; việc giao chủ trì chỉ dựa vào mục \"Tổ chức thực hiện\" ({count} cơ quan được phân công)",
                             "The tasks name no lead body; who leads them rests on \"Tổ chức thực hiện\" alone ({count} bodies have duties there)")},
      help="Every task needs a body that answers for it: named in the task (\"Cơ quan chủ trì\", \"Thực hiện: X chủ trì\") "
           "or, in plans that assign work only in \"Tổ chức thực hiện\", there (then one information finding says so). "
           "When the other tasks name a lead, a task without one is an omission.")
def _task_without_lead(ctx: Context):
    tasks = ctx.plan["tasks"]
    if not tasks:
        return
    if leads_in_tasks(ctx):
        for t in tasks:
            if not t["lead"]:
                yield Finding("KH101", _task_head(ctx, t), t["title"], data={"task": t["id"]})
            else:
                yield from _subtasks_without_lead(ctx, t)
        return
    keys = {_bkey(b) for a in ctx.plan["assignments"] for b in a["bodies"]}
    if not keys:
        for t in tasks:
            yield Finding("KH101", _task_head(ctx, t), t["title"], "no_organisation", data={"task": t["id"]})
        return
    # The genre's other convention: tasks without bodies, one item per body in "Tổ chức
    # thực hiện". Matching tasks to duties by wording is too unreliable to judge each task.
    yield Finding("KH101", ctx.section_span("tasks") or ctx.fallback_span(), "", "organisation_only",
                  severity="info", data={"count": len(keys)})


def _subtasks_without_lead(ctx: Context, t: dict):
    subs = t.get("subtasks") or []
    if not subs or not any(s["lead"] for s in subs):
        return
    for s in subs:
        if not s["lead"]:
            yield Finding("KH101", _task_head(ctx, s), s["title"], "subtask", severity="warning", data={"task": s["id"]})
        else:
            yield from _subtasks_without_lead(ctx, s)


@rule("KH102", "generic-lead", "info",
      ("Chủ trì chỉ là nhóm chung", "Lead is only a group"),
      {"default": ("Nhiệm vụ {task} chỉ giao chủ trì cho nhóm chung ({bodies}); nên nêu cụ thể cơ quan chủ trì",
                   "Task {task} is led only by a group ({bodies}); name the body that leads it")},
      help="\"Các sở, ban, ngành\" cannot answer for a task; one body should lead and the others coordinate.")
def _generic_lead(ctx: Context):
    for t in _flat_tasks(ctx.plan["tasks"]):
        if t["lead"] and all(_is_generic(b) for b in t["lead"]):
            yield Finding("KH102", _task_head(ctx, t), t["title"],
                          data={"task": t["id"], "bodies": _join([b["name"] for b in t["lead"]], 3)})


@rule("KH103", "activities-without-lead", "warning",
      ("Hoạt động không có cơ quan chủ trì", "Activities without a lead body"),
      {"default": ("{count} hoạt động của nhiệm vụ {task} không có dòng \"Thực hiện:\" nêu cơ quan chủ trì (hoạt động khác có)",
                   "{count} activities of task {task} have no \"Thực hiện:\" line naming a lead body (others do)")},
      help="In plans that close each group of activities with \"Thực hiện: X chủ trì …\", activities after the last such "
           "line have nobody in charge.")
def _activities_without_lead(ctx: Context):
    heads = _responsibility_first(ctx)
    for t in _flat_tasks(ctx.plan["tasks"]):
        acts = t.get("activities") or []
        led = [a for a in acts if a["lead"]]
        unled = [a for a in acts if not a["lead"]]
        if t.get("span") and t["span"]["start"] in heads:
            continue  # "Thực hiện: …" opens the groups here: who leads what is not clear
        if led and unled:
            yield Finding("KH103", ctx.head(unled[0]["span"]), unled[0]["text"], data={"task": t["id"], "count": len(unled)})


_RESP_LINE = re.compile(r"^\W*(?:Thực\s+hiện|Cơ\s+quan\s+(?:chủ\s+trì\s+)?thực\s+hiện|Đơn\s+vị\s+thực\s+hiện)\s*:", re.IGNORECASE)


def _responsibility_first(ctx: Context) -> set[int]:
    """Start offsets of task items whose first line below the heading is "Thực hiện: …"."""
    out = set()
    for s in ctx.outline.section_of_kind("tasks"):
        for n in s.node.walk():
            kids = [c for c in n.children if c.para.text]
            if kids and _RESP_LINE.match(kids[0].para.text) and len(kids) > 1:
                out.add(n.para.start)
    return out


def _organisation_text(ctx: Context) -> str:
    parts = []
    for s in ctx.outline.section_of_kind("organisation"):
        parts.extend(p.text for p in s.node.paragraphs())
    return " ".join(parts)


def _mentioned(ctx: Context, b: dict, folded_text: str) -> bool:
    names = {fold(b["name"])}
    if b.get("canonical"):
        names.add(fold(b["canonical"]))
    if b.get("id"):
        try:
            names.update(fold(a) for a in ctx.lex.body(b["id"]).aliases)
        except KeyError:
            pass
    for n in names:
        if len(n) >= 4 and re.search(r"(?<![a-z0-9])" + re.escape(n) + r"(?![a-z0-9])", folded_text):
            return True
    return False


_GROUP_KINDS = (
    (re.compile(r"\b(?:co quan|don vi|dia phuong|cac cap)\b"), None),  # every body
    (re.compile(r"\b(?:so|nganh|ban)\b"), {"department", "agency", "unit", "committee", "media", "judicial"}),
    (re.compile(r"\b(?:doan the|chinh tri - xa hoi|chinh tri xa hoi|to chuc thanh vien)\b"), {"mass_org"}),
)


def _group_covers(group: dict, b: dict) -> bool:
    """Whether an item for a group ("Các sở, ban, ngành …") in "Tổ chức thực hiện" speaks to
    body ``b`` as well."""
    f = fold(group.get("canonical") or group["name"])
    kinds: set[str] = set()
    for rx, ks in _GROUP_KINDS:
        if rx.search(f):
            if ks is None:
                return True
            kinds |= ks
    return b.get("kind") in kinds


@rule("KH111", "lead-not-in-organisation", "warning",
      ("Cơ quan chủ trì vắng trong \"Tổ chức thực hiện\"", "Lead body absent from \"Tổ chức thực hiện\""),
      {"default": ("{body} chủ trì nhiệm vụ {tasks} nhưng không có trong mục \"Tổ chức thực hiện\"",
                   "{body} leads task {tasks} but is absent from \"Tổ chức thực hiện\""),
       "group": ("{body} chủ trì nhiệm vụ {tasks} nhưng trong \"Tổ chức thực hiện\" chỉ có mục chung \"{group}\" (dòng {line})",
                 "{body} leads task {tasks} but \"Tổ chức thực hiện\" only has the general item \"{group}\" (line {line})")},
      help="A body that leads tasks should find its duties in \"Tổ chức thực hiện\", where each body reads what it must do. "
           "When only a general item (\"Các sở, ban, ngành …\") speaks to it, the finding is information.")
def _lead_not_in_organisation(ctx: Context):
    assignments = ctx.plan["assignments"]
    if not assignments:
        return
    org_keys = {_bkey(b) for a in assignments for b in a["bodies"]}
    for a in assignments:
        for d in a["duties"]:
            org_keys.update(_bkey(b) for b in d.get("bodies", []))
    groups = [b for a in assignments for b in a["bodies"] if _is_generic(b)]
    org_text = fold(_organisation_text(ctx))
    seen: dict[str, tuple[dict, list[str]]] = {}
    for t in ctx.plan["tasks"]:
        for b in _bodies_of_task(t):
            if _is_generic(b):
                continue
            k = _bkey(b)
            if k in org_keys:
                continue
            entry = seen.setdefault(k, (b, []))
            if t["id"] not in entry[1]:
                entry[1].append(t["id"])
    for k, (b, tids) in seen.items():
        if _mentioned(ctx, b, org_text):
            continue
        data = {"body": b["name"], "tasks": ", ".join(tids)}
        group = next((g for g in groups if _group_covers(g, b)), None)
        if group is not None:
            data.update(group=group["name"], line=group["span"]["line"] if group.get("span") else "?")
            yield Finding("KH111", b.get("span"), b["name"], "group", severity="info", data=data)
        else:
            yield Finding("KH111", b.get("span"), b["name"], data=data)


@rule("KH112", "organisation-body-without-task", "info",
      ("Cơ quan được phân công nhưng không có nhiệm vụ", "Assigned body without a task"),
      {"default": ("{body} được phân công trong \"Tổ chức thực hiện\" nhưng không chủ trì hay phối hợp nhiệm vụ nào",
                   "{body} has duties in \"Tổ chức thực hiện\" but neither leads nor coordinates any task")},
      help="In plans whose tasks name their bodies, a body with duties but no task may point at a task that was left out.")
def _organisation_body_without_task(ctx: Context):
    tasks = ctx.plan["tasks"]
    if not leads_in_tasks(ctx):
        return
    task_keys = {_bkey(b) for t in tasks for b in _bodies_of_task(t, ("lead", "coordinating"))}
    task_text = fold(" ".join(t["text"] for t in tasks))
    seen = set()
    for a in ctx.plan["assignments"]:
        for b in a["bodies"]:
            k = _bkey(b)
            if _is_generic(b) or not b.get("canonical") or k in task_keys or k in seen:
                continue
            seen.add(k)
            if _mentioned(ctx, b, task_text):
                continue
            yield Finding("KH112", b.get("span"), b["name"], data={"body": b["name"]})


@rule("KH113", "no-organisation-section", "warning",
      ("Không có mục \"Tổ chức thực hiện\"", "No \"Tổ chức thực hiện\" section"),
      {"default": ("Không có mục \"Tổ chức thực hiện\" phân công trách nhiệm cho từng cơ quan",
                   "No \"Tổ chức thực hiện\" section assigning each body its duties")},
      help="\"Tổ chức thực hiện\" is where each body finds its duties; plans of the genre always have it.")
def _no_organisation(ctx: Context):
    if ctx.plan["tasks"] and not ctx.outline.section_of_kind("organisation") and not ctx.plan["assignments"]:
        yield Finding("KH113", ctx.section_span("tasks") or ctx.fallback_span(), "")


# --- KH2: funding and reporting --------------------------------------------------------------

_FUNDING_WORDS = re.compile(r"\b(?:kinh\s+phí|ngân\s+sách)\b", re.IGNORECASE)


@rule("KH201", "no-funding", "error",
      ("Không có nội dung kinh phí", "No funding clause"),
      {"default": ("Không có nội dung kinh phí thực hiện (mục \"Kinh phí thực hiện\")",
                   "No funding clause (\"Kinh phí thực hiện\")"),
       "mentioned": ("Không có nội dung kinh phí thực hiện (mục \"Kinh phí thực hiện\"); kinh phí chỉ được nhắc qua (dòng {lines})",
                     "No funding clause (\"Kinh phí thực hiện\"); funding is only mentioned in passing (line {lines})")},
      help="A plan says where its money comes from (state budget by level, programme integration, socialisation …), "
           "usually in a section \"Kinh phí thực hiện\".")
def _no_funding(ctx: Context):
    f = ctx.plan["funding"]
    if f["present"] or any(t.get("funding_note") for t in _flat_tasks(ctx.plan["tasks"])):
        return
    lines = []
    for s in ctx.outline.sections:
        if s.kind in ("tasks", "organisation"):
            for p in s.node.paragraphs()[1:]:
                if _FUNDING_WORDS.search(p.text):
                    lines.append(str(p.first_line))
    anchor = ctx.section_span("organisation", "reporting") or ctx.fallback_span()
    if lines:
        yield Finding("KH201", anchor, "", "mentioned", data={"lines": ", ".join(lines[:3])})
    else:
        yield Finding("KH201", anchor, "")


@rule("KH202", "funding-without-source", "warning",
      ("Kinh phí không nêu nguồn", "Funding names no source"),
      {"default": ("Mục kinh phí không nêu nguồn kinh phí (ngân sách nhà nước, lồng ghép chương trình, xã hội hóa …)",
                   "The funding clause names no source (state budget, programme integration, socialisation …)")},
      help="\"Kinh phí thực hiện theo quy định\" does not tell a department what to put in its budget estimate.")
def _funding_without_source(ctx: Context):
    f = ctx.plan["funding"]
    if f["present"] and not f["sources"]:
        yield Finding("KH202", ctx.head(f["span"]) or ctx.section_span("funding"), f.get("text") or "")


def _reporting(ctx: Context) -> list[dict]:
    """The plan's reporting obligations; a "Chế độ báo cáo" section the parser could not read
    any obligation from still counts as a (vague) clause."""
    rep = ctx.plan["reporting"]
    if rep:
        return rep
    for s in ctx.outline.section_of_kind("reporting"):
        paras = [p for p in s.node.paragraphs()[1:] if p.text]
        if paras:
            return [{"text": " ".join(p.text for p in paras), "frequency": None, "deadline": None, "to": [],
                     "span": ctx.span(paras[0].start, paras[-1].end)}]
    return []


@rule("KH211", "no-reporting", "error",
      ("Không có chế độ báo cáo", "No reporting clause"),
      {"default": ("Không có quy định chế độ báo cáo (ai báo cáo, gửi cơ quan nào, khi nào)",
                   "No reporting clause (who reports, to whom, when)")},
      help="Without a reporting clause nobody gathers the results: plans say who reports to whom, how often and by when.")
def _no_reporting(ctx: Context):
    if not _reporting(ctx):
        anchor = ctx.section_span("organisation") or ctx.fallback_span()
        yield Finding("KH211", anchor, "")


def _reporting_anchor(ctx: Context, rep: list[dict]) -> dict:
    return ctx.head(rep[0]["span"]) if rep and rep[0].get("span") else ctx.fallback_span()


@rule("KH212", "reporting-without-deadline", "warning",
      ("Báo cáo không có thời hạn", "Reporting without a deadline"),
      {"default": ("Chế độ báo cáo không nêu thời hạn gửi báo cáo (ví dụ \"trước ngày 15/12 hằng năm\")",
                   "The reporting clause gives no deadline (e.g. \"trước ngày 15/12 hằng năm\")")},
      help="A report \"định kỳ hằng năm\" with no date cannot be chased; give the day the report is due.")
def _reporting_without_deadline(ctx: Context):
    rep = _reporting(ctx)
    if rep and not any(r.get("deadline") for r in rep):
        yield Finding("KH212", _reporting_anchor(ctx, rep), rep[0]["text"])


@rule("KH213", "reporting-without-frequency", "warning",
      ("Báo cáo không có kỳ báo cáo", "Reporting without a frequency"),
      {"default": ("Chế độ báo cáo không nêu kỳ báo cáo (hằng năm, 6 tháng, hằng quý …) hay thời điểm báo cáo",
                   "The reporting clause gives no frequency (annual, six-monthly, quarterly …) or date")},
      help="Only ad hoc reporting (\"khi có yêu cầu\") leaves the results of the plan unreported.")
def _reporting_without_frequency(ctx: Context):
    rep = _reporting(ctx)
    if rep and not any((r.get("frequency") not in (None, "ad_hoc")) or r.get("deadline") for r in rep):
        yield Finding("KH213", _reporting_anchor(ctx, rep), rep[0]["text"])


@rule("KH214", "reporting-without-recipient", "warning",
      ("Báo cáo không có nơi nhận", "Reporting without a recipient"),
      {"default": ("Chế độ báo cáo không nêu cơ quan nhận báo cáo (gửi về đâu)",
                   "The reporting clause names no recipient (where reports go)")},
      help="Reports must go somewhere: name the body that receives and consolidates them.")
def _reporting_without_recipient(ctx: Context):
    rep = _reporting(ctx)
    if rep and not any(r.get("to") for r in rep):
        yield Finding("KH214", _reporting_anchor(ctx, rep), rep[0]["text"])


# --- KH3: bodies and provinces that no longer exist -----------------------------------------


def _body_mentions(ctx: Context) -> Iterator[tuple[dict, str | None]]:
    """Every body the plan names in a structured place, with the function of its context
    (the task's; for the other places, the plan's)."""
    plan = ctx.plan
    pf = ctx.plan_function

    def task_bodies(t):
        fn = t.get("function") or pf
        for k in ("lead", "coordinating"):
            for b in t.get(k) or []:
                yield b, fn
        for a in t.get("activities") or []:
            for k in ("lead", "coordinating"):
                for b in a.get(k) or []:
                    yield b, fn
        for s in t.get("subtasks") or []:
            yield from task_bodies(s)

    for t in plan["tasks"]:
        yield from task_bodies(t)
    for a in plan["assignments"]:
        fn = ctx.lex.function_of(" ".join(d["text"] for d in a["duties"])) or pf
        for b in a["bodies"]:
            yield b, fn
        for d in a["duties"]:
            for b in d.get("bodies", []):
                yield b, fn
    for r in plan["reporting"]:
        for k in ("to", "from", "via"):
            for b in r.get(k) or []:
                yield b, pf
    for b in plan["document"].get("recipients") or []:
        yield b, pf


_BODY_HEAD = re.compile(
    r"(?<![\p{L}\d])(?=(?:[Ss]ở|Bộ|Ủy\s+ban|Uỷ\s+ban|UBND|UB|Ban|Phòng|Cục|Tổng\s+cục|Chi\s+cục|Công\s+an|Hội\s+đồng|HĐND)\s)",
    re.VERSION1,
)
_PHRASE_STOP = re.compile(r"[;.:()\[\]\n“”\"]|\s(?:chủ\s+trì|phối\s+hợp|là|có|để|về|theo|tại|trong|thực\s+hiện|triển\s+khai|tổng\s+hợp|xem\s+xét)\s")
_TRAILING_WORDS = {"va", "voi", "cung", "cac", "cua", "nhu", "hoac", "-", "&"}
_ISSUER_GAP = re.compile(r"^\s*,?\s*(?:của|do)\s+(?:(?:Bộ\s+trưởng|Thủ\s+trưởng|Chủ\s+tịch|Giám\s+đốc|Trưởng\s+ban)\s+)?$")


def _free_mentions(ctx: Context, taken: list[tuple[int, int]]) -> Iterator[tuple[dict, str | None]]:
    """Bodies named in running text that the parser does not list: each place a body name
    starts, the longest phrase the lexicon knows exactly or by alias. Only the parts that give
    orders are read (tasks, funding, "Tổ chức thực hiện", reporting, the closing paragraph):
    a review of past results may name the bodies of the time. The issuer of a cited document
    ("… ngày 28/02/2022 của Bộ …") is history too."""
    from .refs import find_citations

    o = ctx.outline
    paras = [p for s in o.sections if s.kind in ("tasks", "funding", "organisation", "reporting")
             for p in s.node.paragraphs()[1:]] + list(o.closing)
    for p in paras:
        if p.kind != "text" or p.footnote is not None:
            continue
        text = p.text
        cites = [(c.start, c.end) for c in find_citations(text)]
        fn = None
        pos = 0
        for m in _BODY_HEAD.finditer(text):
            start = m.start()
            if start < pos or any(a <= start < b for a, b in cites):
                continue
            before = [e for s_, e in cites if e <= start]
            if before and _ISSUER_GAP.match(text[max(before):start]):
                continue
            stop = _PHRASE_STOP.search(text, start)
            end = stop.start() if stop else len(text)
            words = [w for w in re.finditer(r"\S+", text[start:end])][:12]
            found = None
            for k in range(len(words), 0, -1):
                if fold(words[k - 1].group(0)).strip(",") in _TRAILING_WORDS:
                    continue
                cand_end = start + words[k - 1].end()
                cand = text[start:cand_end].rstrip(" ,-")
                bm = ctx.lex.resolve_body(cand)
                if bm.match in ("exact", "alias") and bm.id and not bm.generic:
                    found = (cand, bm, start, start + len(cand))
                    break
            if found is None:
                continue
            cand, bm, s0, e0 = found
            pos = e0
            src = ctx.span(*p.content.span(s0, e0))
            if any(a < src["end"] and src["start"] < b for a, b in taken):
                continue
            if fn is None:
                fn = ctx.lex.function_of(text) or ctx.plan_function or ""
            yield {"name": cand, "id": bm.id, "span": src}, fn or None


@rule("KH301", "body-no-longer-exists", "error",
      ("Cơ quan không còn tồn tại", "Body that no longer exists"),
      {"default": ("{body} không còn tồn tại vào ngày {date} (hoạt động đến {valid_to}); nay là {successor}",
                   "{body} no longer exists on {date} (it existed until {valid_to}); now {successor}"),
       "no_successor": ("{body} không còn tồn tại vào ngày {date} (hoạt động đến {valid_to})",
                        "{body} no longer exists on {date} (it existed until {valid_to})"),
       "not_yet": ("{body} chưa được thành lập vào ngày {date} (thành lập từ {valid_from})",
                   "{body} did not exist yet on {date} (it exists from {valid_from})")},
      help="After the 2025 reorganisation (merged ministries and departments, no district level, 34 provinces) a plan "
           "must name the bodies that exist on its date; the successor that took over the function is suggested.")
def _body_no_longer_exists(ctx: Context):
    on = ctx.reference_date
    seen: list[tuple[int, int]] = []
    structured = list(_body_mentions(ctx))
    taken = [(b["span"]["start"], b["span"]["end"]) for b, _ in structured if b.get("span")]
    for b, fn in structured + list(_free_mentions(ctx, taken)):
        sp = b.get("span")
        bid = b.get("id")
        if not bid or not sp:
            continue
        where = (sp["start"], sp["end"])
        if where in seen:
            continue
        try:
            entry = ctx.lex.body(bid)
        except KeyError:
            continue
        if entry.is_valid_on(on):
            continue
        seen.append(where)
        data = {"body": re.sub(r"\s+", " ", b["name"]), "date": on.isoformat(),
                "valid_to": entry.valid_to.isoformat() if entry.valid_to else None,
                "valid_from": entry.valid_from.isoformat() if entry.valid_from else None}
        if entry.valid_from is not None and on < entry.valid_from:
            yield Finding("KH301", ctx.head(sp), b["name"], "not_yet", data=data)
            continue
        fns = {x.function for x in entry.successors}
        if fn not in fns and ctx.plan_function in fns:
            fn = ctx.plan_function  # the context says nothing this body's successors depend on
        s = ctx.lex.successor_of(bid, fn)
        succ = s.canonical if s is not None else b.get("successor")
        if succ:
            data["successor"] = succ
            yield Finding("KH301", ctx.head(sp), b["name"], data=data)
        else:
            yield Finding("KH301", ctx.head(sp), b["name"], "no_successor", data=data)


@rule("KH302", "province-no-longer-exists", "error",
      ("Tỉnh đã hợp nhất", "Merged province"),
      {"default": ("{province} không còn là đơn vị hành chính cấp tỉnh riêng vào ngày {date} (đến {valid_to}); nay thuộc {current}",
                   "{province} is no longer a province of its own on {date} (until {valid_to}); now part of {current}")},
      help="63 provinces became 34 on 1 July 2025; a plan issued after that names the merged province.")
def _province_no_longer_exists(ctx: Context):
    name = ctx.plan["document"].get("province")
    if not name:
        return
    pm = ctx.lex.resolve_province(name)
    if pm is None or not pm.former or not pm.id:
        return
    unit = ctx.lex.province(pm.id)
    if unit.valid_to is None or ctx.reference_date <= unit.valid_to:
        return
    span = None
    for p in ctx.outline.header + ctx.outline.title + [n.para for n in ctx.outline.preamble]:
        hits = ctx.lex.find_provinces(p.text)
        if hits:
            s, e, _ = hits[0]
            span = ctx.head(ctx.span(*p.content.span(s, e)))
            break
        if fold(name) in fold(p.text):
            i = fold(p.text).find(fold(name))
            span = ctx.head(ctx.span(*p.content.span(i, i + len(name))))
            break
    yield Finding("KH302", span or ctx.fallback_span(), name,
                  data={"province": name, "current": pm.current, "date": ctx.reference_date.isoformat(),
                        "valid_to": unit.valid_to.isoformat()})


# --- KH4: citations and dates ----------------------------------------------------------------

_LAW_KINDS = {"Luật", "Bộ luật", "Hiến pháp", "Pháp lệnh"}


@dataclass
class _Cite:
    number: str
    kind: str | None
    raw: str
    source: str  # the number as it stands in the text
    date: str | None
    date_text: str | None
    date_valid: bool
    span: dict
    number_span: dict


def _citations(ctx: Context) -> list[_Cite]:
    """Citations in the body of the plan (header and "Nơi nhận" excluded), in text order."""
    cached = getattr(ctx, "_citations_cache", None)
    if cached is not None:
        return cached
    from .refs import CITATION, find_citations

    o = ctx.outline
    skip = {id(p) for p in o.header + o.tail}
    out = []
    for p in ctx.doc.paragraphs:
        if p.kind == "separator" or id(p) in skip:
            continue
        for c in find_citations(p.text):
            m = CITATION.match(p.text, c.start)
            ns, ne = (m.start("number"), m.end("number")) if m else (c.start, c.end)
            out.append(_Cite(c.number, c.kind, c.raw, p.text[ns:ne], c.date, c.date_text, c.date_valid,
                             ctx.span(*p.content.span(c.start, c.end)), ctx.span(*p.content.span(ns, ne))))
    ctx._citations_cache = out
    return out


@rule("KH401", "citation-without-date", "warning",
      ("Trích dẫn không có ngày", "Citation without a date"),
      {"default": ("Trích dẫn {citation} không ghi ngày ban hành (\"… số {number} ngày …\")",
                   "Citation {citation} gives no date (\"… số {number} ngày …\")")},
      help="A document is cited by kind, number, date and issuer the first time it is named.")
def _citation_without_date(ctx: Context):
    by_number: dict[str, list[_Cite]] = {}
    for c in _citations(ctx):
        by_number.setdefault(c.number, []).append(c)
    for number, cites in by_number.items():
        if any(c.date_text for c in cites):
            continue
        if any(c.kind in _LAW_KINDS for c in cites) or re.search(r"/QH\d*$|/UBTVQH", number):
            continue
        c = cites[0]
        yield Finding("KH401", ctx.head(c.span), number, data={"citation": _short(c.raw, 60), "number": number})


_NO_NUMBER = re.compile(
    r"(?P<cite>(?<![\p{L}])(?P<kind>Quyết\s+định|Nghị\s+định|Nghị\s+quyết|Thông\s+tư|Thông\s+báo(?:\s+kết\s+luận)?|Chỉ\s+thị|"
    r"Kế\s+hoạch|Công\s+văn|Văn\s+bản|Kết\s+luận|Hướng\s+dẫn|Công\s+điện)"
    r"(?P<blank>\s+số\s*:?\s*(?:/\s*[\p{Lu}Đ][\p{L}Đđ&\-/]*)?)?\s*,?\s*ngày\s*\d{1,2}\s*(?:/|tháng)\s*\d{1,2}\s*(?:/|năm)\s*\d{2,4})"
    r"(?=\s*(?:của|do)\s)",
    re.VERSION1,
)


@rule("KH402", "citation-without-number", "warning",
      ("Trích dẫn không có số, ký hiệu", "Citation without a number"),
      {"default": ("Trích dẫn \"{citation}\" không ghi số, ký hiệu văn bản",
                   "Citation \"{citation}\" gives no document number")},
      help="\"Quyết định ngày 29/10/2018 của Thủ tướng\" cannot be found without its number.")
def _citation_without_number(ctx: Context):
    o = ctx.outline
    skip = {id(p) for p in o.header + o.tail}
    for p in ctx.doc.paragraphs:
        if p.kind == "separator" or id(p) in skip:
            continue
        for m in _NO_NUMBER.finditer(p.text):
            sp = ctx.span(*p.content.span(m.start("cite"), m.end("cite")))
            yield Finding("KH402", ctx.head(sp), m.group("cite"), data={"citation": _short(m.group("cite"), 60)})


_PARTY_CODES = re.compile(r"^(?P<n>\d+)/(?P<k>[A-ZĐ]{1,4})-(?P<i>TW|TU|VPTW|HU|ĐU|BCSĐ|BTGTW|BTCTW|BDVTW|UBKTTW)$")


def _number_problems(ctx: Context, number: str, source: str, plan_year: int | None) -> list[tuple[str, str, dict]]:
    out = []
    if re.search(r"\d\s+/|/\s+|\s+-|-\s+", source):
        out.append(("spacing", "info", {"raw": re.sub(r"\s+", " ", source), "number": number}))
    m = re.match(r"^\d+[a-z]?/(\d{4})/", number)
    if m:
        y = int(m.group(1))
        top = max(plan_year or 0, ctx.today.year) + 1
        if y < 1945 or y > top:
            out.append(("year", None, {"number": number, "year": str(y)}))
    pm = _PARTY_CODES.match(number)
    if pm:
        out.append(("party", None, {"number": number, "suggest": f"{pm.group('n')}-{pm.group('k')}/{pm.group('i')}"}))
    return out


@rule("KH403", "malformed-number", "warning",
      ("Số, ký hiệu sai thể thức", "Malformed document number"),
      {"default": ("Số, ký hiệu {number} sai thể thức", "Document number {number} is malformed"),
       "spacing": ("Số, ký hiệu \"{raw}\" có khoảng trắng thừa; viết liền: {number}",
                   "Document number \"{raw}\" has stray spaces; write {number}"),
       "year": ("Số, ký hiệu {number} có năm {year} không hợp lý", "Document number {number} has an implausible year ({year})"),
       "party": ("Văn bản của Đảng đánh số theo dạng {suggest}, không phải {number}",
                 "Party documents are numbered like {suggest}, not {number}")},
      help="Numbers follow fixed shapes: N/YYYY/CODE for legal documents, N/CODE-ISSUER for state bodies, "
           "N-CODE/ISSUER for Party documents.")
def _malformed_number(ctx: Context):
    year = ctx.plan["document"].get("year")
    seen = set()
    for c in _citations(ctx):
        for variant, sev, data in _number_problems(ctx, c.number, c.source, year):
            if (c.number, variant) in seen:
                continue
            seen.add((c.number, variant))
            yield Finding("KH403", ctx.head(c.number_span), c.number, variant, severity=sev, data=data)
    # The plan's own number.
    d = ctx.plan["document"]
    sp = d.get("spans", {}).get("number")
    if d.get("number") and sp:
        raw = ctx.text[sp["start"]:sp["end"]]
        m = re.search(r"Số\s*:?\s*(\S.*)$", raw)
        source = m.group(1) if m else raw
        for variant, sev, data in _number_problems(ctx, d["number"], source, year):
            yield Finding("KH403", ctx.head(sp), d["number"], variant, severity=sev, data=data)


@rule("KH404", "impossible-date", "error",
      ("Ngày không tồn tại", "Date that does not exist"),
      {"default": ("Ngày \"{date}\" của {number} không tồn tại", "The date \"{date}\" of {number} does not exist"),
       "plan": ("Ngày ban hành \"{date}\" không tồn tại", "The plan's date \"{date}\" does not exist")},
      help="A date such as 31/4 or 30/9/021 is a typo that makes the cited document impossible to find.")
def _impossible_date(ctx: Context):
    seen = set()
    for c in _citations(ctx):
        if c.date_text and not c.date_valid and (c.number, c.date_text) not in seen:
            seen.add((c.number, c.date_text))
            yield Finding("KH404", ctx.head(c.span), f"{c.number} {c.date_text}",
                          data={"date": re.sub(r"\s+", " ", c.date_text), "number": c.number})
    for w in ctx.plan["warnings"]:
        if w["code"] == "invalid_date" and w.get("span"):
            sp = w["span"]
            raw = re.sub(r"\s+", " ", ctx.text[sp["start"]:sp["end"]])
            yield Finding("KH404", ctx.head(sp), raw, "plan", data={"date": raw})


@rule("KH405", "citation-after-plan", "error",
      ("Văn bản viện dẫn có ngày sau Kế hoạch", "Cited document dated after the plan"),
      {"default": ("{number} ghi ngày {cited}, sau ngày của Kế hoạch ({plan_date})",
                   "{number} is dated {cited}, after the plan ({plan_date})")},
      help="A plan cannot cite a document issued after it; the date (or the year) is mistyped.")
def _citation_after_plan(ctx: Context):
    bound, shown = ctx.plan_date_bound()
    seen = set()
    for c in _citations(ctx):
        if not c.date or c.number in seen:
            continue
        d = dt.date.fromisoformat(c.date)
        if d > bound:
            seen.add(c.number)
            yield Finding("KH405", ctx.head(c.span), c.number,
                          data={"number": c.number, "cited": d.strftime("%d/%m/%Y"), "plan_date": shown})


@rule("KH406", "number-date-mismatch", "warning",
      ("Năm trong số hiệu khác năm ban hành", "Number year differs from the date"),
      {"default": ("Năm trong số hiệu {number} ({year}) khác năm ban hành ghi kèm ({date})",
                   "The year in {number} ({year}) differs from the date given with it ({date})")},
      help="In N/YYYY/CODE the year is the year of issue: one of the two is mistyped.")
def _number_date_mismatch(ctx: Context):
    seen = set()
    for c in _citations(ctx):
        m = re.match(r"^\d+[a-z]?/(\d{4})/", c.number)
        if not m or not c.date or c.number in seen:
            continue
        if int(m.group(1)) != int(c.date[:4]):
            seen.add(c.number)
            yield Finding("KH406", ctx.head(c.span), c.number,
                          data={"number": c.number, "year": m.group(1), "date": dt.date.fromisoformat(c.date).strftime("%d/%m/%Y")})


# --- KH5: numbering ------------------------------------------------------------------------


def _marker_span(ctx: Context, p) -> dict:
    line = p.lines[0]
    c = line.clean
    n = len(p.marker.text) if p.marker else 0
    s, e = c.span(0, max(1, min(n, len(c.text))))
    return ctx.span(s, e)


def _seq_key(p) -> tuple[str, int | None, str] | None:
    """(list kind, position in its sequence, label) of a numbered item; None for bullets."""
    mk = p.marker
    if mk is None:
        return None
    if mk.kind == "num":
        last = mk.value.split(".")[-1]
        return (f"num{mk.depth}", int(last) if last.isdigit() else None, mk.value)
    if mk.kind == "letter":
        idx = letter_index(mk.value)
        return ("letter", idx, mk.value)
    if mk.kind == "upletter":
        return ("upletter", ord(mk.value.upper()) - ord("A"), mk.value)
    return None


_VN = "abcdđeghiklmnopqrstuvxy"
_LATIN = "abcdefghijklmnopqrstuvwxyz"


def _label(kind: str, value: str) -> str:
    return f"{value})" if kind == "letter" else f"{value}."


def _expected_between(kind: str, prev: int, cur: int, label: str = "") -> list[str]:
    if kind == "letter":
        return [f"{_VN[i]})" for i in range(prev + 1, min(cur, len(_VN)))]
    if kind == "upletter":
        return [f"{chr(ord('A') + i)}." for i in range(prev + 1, cur)]
    prefix = label.rsplit(".", 1)[0] + "." if "." in label else ""
    return [f"{prefix}{i}" for i in range(prev + 1, cur)]


@rule("KH501", "numbering-gap", "warning",
      ("Đánh số bị nhảy", "Numbering gap"),
      {"default": ("Đánh số bị nhảy: sau {prev} là {item} (thiếu {missing})",
                   "Numbering skips: {item} follows {prev} ({missing} missing)"),
       "start": ("Danh sách bắt đầu bằng {item} (thiếu {missing})", "The list starts at {item} ({missing} missing)"),
       "parent": ("Mục {item} nằm dưới mục {parent}", "Item {item} sits under item {parent}"),
       "section": ("Đánh số mục bị nhảy: sau mục {prev} là mục {item}", "Section numbering skips: {item} follows {prev}")},
      help="A skipped number usually means an item was deleted or moved; cross-references to later items go wrong.")
def _numbering_gap(ctx: Context):
    yield from (f for f in _numbering(ctx) if f.rule == "KH501")


@rule("KH502", "numbering-duplicate", "warning",
      ("Số thứ tự bị lặp", "Duplicate number"),
      {"default": ("Số thứ tự {item} bị lặp (đã có ở dòng {first})", "{item} is used twice in the same list (first on line {first})")},
      help="Two items with the same number make references ambiguous.")
def _numbering_duplicate(ctx: Context):
    yield from (f for f in _numbering(ctx) if f.rule == "KH502")


@rule("KH503", "lettering-skips-dd", "warning",
      ("Thứ tự chữ cái bỏ qua \"đ\"", "Lettering skips \"đ\""),
      {"default": ("Danh sách chữ cái bỏ qua \"đ\": sau d) phải là đ), không phải {item}",
                   "Lettered list skips \"đ\": in Vietnamese lettering d) is followed by đ), not {item}"),
       "latin": ("Chữ \"{item}\" không dùng trong thứ tự chữ cái tiếng Việt: sau {prev} là {expected}",
                 "\"{item}\" is not Vietnamese lettering: after {prev} comes {expected}")},
      help="Vietnamese lists are lettered a b c d đ e g h i k …: đ is included, f j w z are not.")
def _lettering(ctx: Context):
    yield from (f for f in _numbering(ctx) if f.rule == "KH503")


def _numbering(ctx: Context) -> list[Finding]:
    cache = getattr(ctx, "_numbering_cache", None)
    if cache is not None:
        return cache
    out: list[Finding] = []
    # Roman-numbered sections.
    prev = None
    for s in ctx.outline.sections:
        mk = s.node.para.marker
        if mk is None or mk.kind != "roman" or s.number is None:
            continue
        if prev is not None:
            if s.number == prev[0]:
                out.append(Finding("KH502", _marker_span(ctx, s.node.para), f"section {s.id}",
                                   data={"item": f"{s.id}.", "first": prev[2]}))
            elif s.number > prev[0] + 1:
                out.append(Finding("KH501", _marker_span(ctx, s.node.para), f"section {s.id} {_norm(s.title)}", "section",
                                   data={"item": f"{s.id}.", "prev": f"{prev[1]}."}))
        prev = (s.number, s.id, s.node.para.first_line)
    for s in ctx.outline.sections:
        _check_children(ctx, s.node, None, out)
    ctx._numbering_cache = out
    return out


def _check_children(ctx: Context, node, parent_value: str | None, out: list[Finding]) -> None:
    runs: dict[str, list] = {}
    for ch in node.children:
        k = _seq_key(ch.para)
        if k is not None:
            runs.setdefault(k[0], []).append((ch.para, k))
    for kind, items in runs.items():
        _check_run(ctx, kind, items, parent_value, out)
    for ch in node.children:
        mk = ch.para.marker
        _check_children(ctx, ch, mk.value if mk is not None and mk.kind == "num" else parent_value, out)


def _check_run(ctx: Context, kind: str, items: list, parent_value: str | None, out: list[Finding]) -> None:
    # Hierarchical numbers must continue their parent: "2.1" under "2".
    if kind.startswith("num") and kind != "num1" and parent_value is not None:
        for p, (_, _, label) in items:
            prefix = label.rsplit(".", 1)[0]
            if prefix != parent_value and not parent_value.endswith("." + prefix) and prefix.count(".") == parent_value.count("."):
                out.append(Finding("KH501", _marker_span(ctx, p), f"{label} {_norm(p.text)[:60]}", "parent",
                                   data={"item": label, "parent": parent_value}))
    if kind == "letter":
        _check_letters(ctx, items, out)
        return
    prev = None  # (index, label, line)
    seen: dict[int, int] = {}
    for p, (_, idx, label) in items:
        if idx is None:
            continue
        shown = _label(kind, label) if kind == "upletter" else label
        start = 1 if kind.startswith("num") else 0
        if prev is not None and idx == start and prev[0] != start:
            seen = {}  # a new list under the same parent (after a heading-like paragraph)
            prev = None
        subject = f"{label} {_norm(p.text)[:60]}"
        if prev is None:
            if idx > start and idx - start <= 3:
                out.append(Finding("KH501", _marker_span(ctx, p), subject, "start",
                                   data={"item": shown, "missing": ", ".join(_expected_between(kind, start - 1, idx, label))}))
        elif idx in seen:
            out.append(Finding("KH502", _marker_span(ctx, p), subject, data={"item": shown, "first": seen[idx]}))
        elif idx > prev[0] + 1:
            out.append(Finding("KH501", _marker_span(ctx, p), subject,
                               data={"item": shown, "prev": prev[1], "missing": ", ".join(_expected_between(kind, prev[0], idx, label))}))
        seen.setdefault(idx, p.first_line)
        prev = (idx, shown, p.first_line)


def _check_letters(ctx: Context, items: list, out: list[Finding]) -> None:
    """Letters: Vietnamese order a b c d đ e g h i k …; "e" right after "d" skips đ; f j w z are
    Latin lettering."""
    prev = None  # (vn index, letter)
    seen: dict[str, int] = {}
    for p, (_, idx, letter) in items:
        letter = letter.lower()
        subject = f"{letter} {_norm(p.text)[:60]}"
        span = _marker_span(ctx, p)
        if prev is not None and letter == "a" and prev[1] != "a":
            prev, seen = None, {}
        if idx is None:  # f, j, w, z: reported; the list goes on from the letter before it
            after = prev[1] if prev else None
            nxt = _VN[prev[0] + 1] if prev and prev[0] + 1 < len(_VN) else "a"
            out.append(Finding("KH503", span, subject, "latin",
                               data={"item": f"{letter})", "prev": f"{after})" if after else "-", "expected": f"{nxt})"}))
            continue
        if prev is None:
            if idx > 0 and idx <= 3:
                out.append(Finding("KH501", span, subject, "start",
                                   data={"item": f"{letter})", "missing": ", ".join(_expected_between("letter", -1, idx))}))
        elif letter in seen:
            out.append(Finding("KH502", span, subject, data={"item": f"{letter})", "first": seen[letter]}))
        elif prev[1] == "d" and letter == "e":
            out.append(Finding("KH503", span, subject, data={"item": "e)"}))
        elif idx > prev[0] + 1:
            out.append(Finding("KH501", span, subject,
                               data={"item": f"{letter})", "prev": f"{prev[1]})",
                                     "missing": ", ".join(_expected_between("letter", prev[0], idx))}))
        seen.setdefault(letter, p.first_line)
        prev = (idx, letter)


# --- KH6: coverage ---------------------------------------------------------------------------


def _normalise_number(n: str) -> str:
    return re.sub(r"\s+", "", n or "").upper()


def catalogs_for(plan: dict, against: list[str]) -> list[tuple[str, dict | None]]:
    """The catalogs to score the plan against: those given, else the built-in catalogs of the
    documents the plan says it implements. (id or path, the implements ref it answers or None)."""
    if against:
        return [(a, None) for a in against]
    import importlib

    try:
        coverage = importlib.import_module("khplan.coverage")
        return list(coverage.default_catalogs(plan))
    except (ModuleNotFoundError, AttributeError):
        pass
    try:
        from .catalogs import builtin_ids, load_catalog
    except ImportError:
        return []
    by_number = {}
    for cid in builtin_ids():
        cat = load_catalog(cid)
        by_number[_normalise_number(cat.get("document", {}).get("number", ""))] = cid
    out = []
    for ref in plan.get("implements") or []:
        cid = by_number.get(_normalise_number(ref.get("number", "")))
        if cid and cid not in [c for c, _ in out]:
            out.append((cid, ref))
    return out


def _coverage_engine():
    """The coverage scorer ``score_plan(plan, catalog) -> khplan.coverage/v1``, or None when
    khplan.coverage is not part of this installation."""
    import importlib

    try:
        coverage = importlib.import_module("khplan.coverage")
    except ModuleNotFoundError as exc:
        if exc.name in ("khplan.coverage",):
            return None
        raise
    return getattr(coverage, "score_plan", None)


@rule("KH600", "coverage-unavailable", "info",
      ("Không đánh giá được mức độ bao quát", "Coverage engine unavailable"),
      {"default": ("Chưa có công cụ đánh giá mức độ bao quát; bỏ qua đối chiếu với {catalogs}",
                   "Coverage engine unavailable; the check against {catalogs} is skipped")},
      help="Reported only when this installation has no coverage engine.")
def _coverage_unavailable(ctx: Context):
    yield from (f for f in _coverage(ctx) if f.rule == "KH600")


@rule("KH601", "coverage-below-threshold", "warning",
      ("Mức độ bao quát thấp", "Coverage below the threshold"),
      {"default": ("Kế hoạch mới bao quát {score} yêu cầu của {catalog} (ngưỡng {threshold}); còn thiếu: {missing}",
                   "The plan covers {score} of {catalog} (threshold {threshold}); missing: {missing}")},
      help="The plan should take up what the directive it implements requires; the missing requirements are named.")
def _coverage_below(ctx: Context):
    yield from (f for f in _coverage(ctx) if f.rule == "KH601")


@rule("KH602", "requirement-missing", "info",
      ("Yêu cầu chưa được đáp ứng", "Requirement not taken up"),
      {"default": ("Chưa thấy nội dung đáp ứng yêu cầu {requirement} của {catalog}: {title}",
                   "Nothing takes up requirement {requirement} of {catalog}: {title}")},
      help="One finding per requirement of the directive that no task, activity or duty takes up.")
def _requirement_missing(ctx: Context):
    yield from (f for f in _coverage(ctx) if f.rule == "KH602")


def _coverage(ctx: Context) -> list[Finding]:
    cache = getattr(ctx, "_coverage_cache", None)
    if cache is not None:
        return cache
    out: list[Finding] = []
    ctx._coverage_cache = out
    wanted = [r for r in ("KH600", "KH601", "KH602") if ctx.options.enabled(r)]
    if not wanted:
        return out
    cats = catalogs_for(ctx.plan, ctx.options.against)
    if not cats:
        return out
    engine = _coverage_engine()
    if engine is None:
        names = ", ".join(c for c, _ in cats)
        out.append(Finding("KH600", ctx.fallback_span(), names, data={"catalogs": names}))
        return out
    for cid, ref in cats:
        result = engine(ctx.plan, cid)
        cat = result.get("catalog", {})
        label = cat.get("id") or str(cid)
        anchor = ctx.head(ref["span"]) if ref and ref.get("span") else ctx.fallback_span()
        reqs = result.get("requirements", [])
        missing = [r for r in reqs if r.get("status") == "missing"]
        score = float(result.get("summary", {}).get("score", 0.0))
        if score < ctx.options.min_coverage:
            out.append(Finding("KH601", anchor, label,
                               data={"catalog": label, "score": f"{score:.0%}", "threshold": f"{ctx.options.min_coverage:.0%}",
                                     "missing": _join([r["id"] for r in missing], 8) or "-"}))
        for r in missing:
            out.append(Finding("KH602", anchor, f"{label} {r['id']}",
                               data={"catalog": label, "requirement": r["id"], "title": _short(r.get("title", ""), 90)}))
    return out


# --- KH7: identity of a draft ----------------------------------------------------------------


def _signature_span(ctx: Context) -> dict:
    for p in ctx.outline.tail:
        for ln in p.lines:
            if re.match(r"^\s*(?:TM|KT|Q|TL|TUQ)\s*\.", ln.clean.text):
                return ctx.line_span(ln.no)
    last = [ln for ln in ctx.doc.lines if ln.clean.text]
    return ctx.line_span(last[-1].no) if last else ctx.span(0, 0)


@rule("KH701", "blank-number", "info",
      ("Chưa có số Kế hoạch", "No plan number"),
      {"default": ("Chưa điền số Kế hoạch (\"Số: /{suffix}\" để trống)", "The plan number is blank (\"Số: /{suffix}\")"),
       "absent": ("Không có dòng số, ký hiệu của Kế hoạch", "The plan has no number line")},
      final_severity="error",
      help="A draft leaves the number blank for the office to fill in; a final plan must carry it (use --final).")
def _blank_number(ctx: Context):
    d = ctx.plan["document"]
    if d.get("number"):
        return
    sp = d.get("spans", {}).get("number")
    if sp:
        yield Finding("KH701", ctx.head(sp), "", data={"suffix": d.get("number_suffix") or "KH-UBND"})
    else:
        yield Finding("KH701", ctx.fallback_span(), "", "absent")


@rule("KH702", "blank-date", "info",
      ("Chưa có ngày ban hành", "No date"),
      {"default": ("Chưa điền ngày ban hành (\"ngày … tháng … năm\" để trống)", "The date is blank (\"ngày … tháng … năm\")"),
       "absent": ("Không có dòng địa danh, ngày tháng năm ban hành", "The plan has no place-and-date line")},
      final_severity="error",
      help="A draft leaves the date blank until signature; a final plan must carry it (use --final).")
def _blank_date(ctx: Context):
    d = ctx.plan["document"]
    if d.get("date") or any(w["code"] == "invalid_date" for w in ctx.plan["warnings"]):
        return
    sp = d.get("spans", {}).get("date")
    if sp:
        yield Finding("KH702", ctx.head(sp), "")
    else:
        yield Finding("KH702", ctx.fallback_span(), "", "absent")


@rule("KH703", "missing-signer", "info",
      ("Chưa có người ký", "No signer"),
      {"default": ("Chưa có họ tên người ký", "The signer's name is missing"),
       "absent": ("Không có phần chữ ký (thẩm quyền, chức vụ, họ tên người ký)", "No signature block (authority, title, name)")},
      final_severity="error",
      help="The signature block names the authority, the title and the person who signs.")
def _missing_signer(ctx: Context):
    s = ctx.plan["document"].get("signer") or {}
    if s.get("name"):
        return
    if s.get("title") or s.get("authority"):
        yield Finding("KH703", _signature_span(ctx), "")
    else:
        yield Finding("KH703", _signature_span(ctx), "", "absent")


# --- running the rules -----------------------------------------------------------------------


def run_rules(ctx: Context) -> list[dict]:
    """Apply the enabled rules; findings as dicts (without path-dependent fingerprints)."""
    opts = ctx.options
    findings: list[Finding] = []
    plan_like = looks_like_a_plan(ctx)
    for rid in sorted(RULES):
        r = RULES[rid]
        if not opts.enabled(rid):
            continue
        if rid != "KH001" and not plan_like:
            continue
        findings.extend(r.check(ctx))
    out = []
    seen = set()
    for f in findings:
        r = RULES[f.rule]
        sev = f.severity or r.severity
        if opts.final and r.final_severity:
            sev = r.final_severity
        if f.rule in opts.severities:
            sev = opts.severities[f.rule]
        span = f.span or ctx.fallback_span()
        line = ctx.doc.lines[span["line"] - 1]
        col = span["start"] - line.start + 1
        key = (f.rule, span["start"], span["end"], f.variant, _norm(f.subject))
        if key in seen:
            continue
        seen.add(key)
        data = {k: v for k, v in f.data.items() if v is not None}
        out.append({
            "rule": f.rule,
            "name": r.name,
            "severity": sev,
            "variant": f.variant,
            "messages": {lang: r.message(f.variant, lang, data) for lang in LANGS},
            "line": span["line"],
            "column": col,
            "span": {"line": span["line"], "start": span["start"], "end": span["end"], "page": span.get("page")},
            "subject": _norm(f.subject),
            "data": data,
        })
    out.sort(key=lambda x: (x["line"], x["column"], x["rule"], x["span"]["end"], x["subject"]))
    return out


def check_text(text: str, *, path: str = "<text>", options: Options | None = None, lexicon=None) -> dict:
    """Check plan text (already extracted): a file result of ``khplan.check/v1``."""
    from .parse import analyse_document, prepare_text

    text = prepare_text(text)
    plan, doc, outline = analyse_document(text, path=path, lexicon=lexicon)
    return _result(plan, text, path, options or Options(), lexicon, None, doc, outline)


def check_file(path: str, *, options: Options | None = None, lexicon=None, ocr: bool = False) -> dict:
    """Read, parse and check one file: a file result of ``khplan.check/v1``."""
    from .parse import analyse_document
    from .readers import read_document

    ex = read_document(path, ocr=ocr)
    locate = ex.locate if ex.locators else None
    plan, doc, outline = analyse_document(ex.text, path=str(path), fmt=ex.format, encoding=ex.encoding, sha256=ex.sha256,
                                          locate=locate, reader_warnings=ex.warnings, lexicon=lexicon)
    return _result(plan, ex.text, str(path), options or Options(), lexicon, locate, doc, outline)


def _result(plan: dict, text: str, path: str, options: Options, lexicon, locate, doc=None, outline=None) -> dict:
    ctx = Context(plan, text, options, lexicon, locate, doc, outline)
    findings = run_rules(ctx)
    for f in findings:
        line = ctx.doc.lines[f["line"] - 1]
        f["source"] = line.raw
    return {
        "path": path,
        "sha256": plan["source"]["sha256"],
        "format": plan["source"]["format"],
        "reference_date": {"date": ctx.reference_date.isoformat(), "source": ctx.reference_source},
        "findings": findings,
    }


# --- fingerprints and baselines --------------------------------------------------------------


def path_key(path: str, root: str | None) -> str:
    """The path a fingerprint uses: relative to ``root`` (the baseline's folder) when given,
    else relative to the current folder; always with forward slashes."""
    import os

    ap = os.path.abspath(path)
    base = os.path.abspath(root) if root else os.getcwd()
    try:
        rel = os.path.relpath(ap, base)
    except ValueError:  # another drive
        rel = ap
    return rel.replace(os.sep, "/")


def fingerprint(rule_id: str, path: str, subject: str) -> str:
    """Stable under line shifts: rule id + path + the normalised text of the finding's subject."""
    h = hashlib.sha256(f"{rule_id}\x00{path}\x00{subject}".encode("utf-8")).hexdigest()
    return h[:20]


def add_fingerprints(result: dict, root: str | None) -> None:
    pk = path_key(result["path"], root)
    for f in result.get("findings", []):
        f["fingerprint"] = fingerprint(f["rule"], pk, f["subject"])


def load_baseline(path: str) -> dict[str, int]:
    """Fingerprint -> how many findings with it the baseline accepts."""
    import json

    from .errors import UsageError

    try:
        raw = open(path, encoding="utf-8").read()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such baseline file (write one with --write-baseline)") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the baseline ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: malformed baseline (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA or not isinstance(data.get("findings"), list):
        raise UsageError(f"{path}: not a khplan baseline (expected 'schema': '{BASELINE_SCHEMA}')")
    counts: dict[str, int] = {}
    for item in data["findings"]:
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise UsageError(f"{path}: malformed baseline entry: {str(item)[:80]}")
        n = item.get("count", 1)
        counts[item["fingerprint"]] = counts.get(item["fingerprint"], 0) + (n if isinstance(n, int) and n > 0 else 1)
    return counts


def apply_baseline(results: list[dict], accepted: dict[str, int]) -> None:
    """Mark findings the baseline accepts (``baselined: true``): per fingerprint, as many as the
    baseline counted, in text order."""
    left = dict(accepted)
    for res in results:
        for f in res.get("findings", []):
            fp = f["fingerprint"]
            if left.get(fp, 0) > 0:
                left[fp] -= 1
                f["baselined"] = True
            else:
                f["baselined"] = False


def baseline_document(results: list[dict], root: str | None) -> dict:
    entries: dict[str, dict] = {}
    for res in results:
        pk = path_key(res["path"], root)
        for f in res.get("findings", []):
            e = entries.get(f["fingerprint"])
            if e is None:
                entries[f["fingerprint"]] = {"fingerprint": f["fingerprint"], "rule": f["rule"], "path": pk,
                                             "subject": f["subject"], "count": 1}
            else:
                e["count"] += 1
    items = sorted(entries.values(), key=lambda e: (e["path"], e["rule"], e["subject"], e["fingerprint"]))
    return {"schema": BASELINE_SCHEMA, "findings": items}


def rules_table(lang: str = "en") -> list[dict]:
    return [{"id": r.id, "name": r.name, "severity": r.severity, "final_severity": r.final_severity,
             "title": r.title[lang], "help": r.help} for r in (RULES[k] for k in sorted(RULES))]
