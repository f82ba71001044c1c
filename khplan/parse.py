"""The parse engine: extracted text -> ``khplan.plan/v1`` record with spans."""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections import Counter
from functools import lru_cache

import regex as re

from . import bodies as B
from .dates import find_date
from .outline import Node, Outline, Section, build_outline, sections_data
from .refs import find_citations
from .textmodel import Clean, Document, Paragraph, is_caps
from .vn import fold

SCHEMA = "khplan.plan/v1"


_HYPHEN = re.compile(r"\s*-\s*")
_LOPSIDED_HYPHEN = re.compile(r"\S-\s|\s-\S")  # "Lao động -Thương binh": spaced on one side only


class _Ctx:
    """What the extractors share: the document, the outline, the lexicon and the warnings."""

    def __init__(self, doc: Document, outline: Outline, locate=None):
        self.doc = doc
        self.outline = outline
        self.locate = locate
        self.warnings: list[dict] = []
        self.date: _dt.date | None = None
        self.year: int | None = None
        self._lex = None
        self._unknown_seen: set[str] = set()
        self.plan_function: str | None = None  # the plan's dominant function, for bodies outside tasks
        self.duty_text: dict[int, Clean] = {}  # id(duty dict) -> its clean text with offsets

    @property
    def lex(self):
        if self._lex is None:
            from .lexicon import default_lexicon

            self._lex = default_lexicon()
        return self._lex

    def span(self, start: int, end: int) -> dict:
        return self.doc.span(start, end, self.locate)

    def span_of(self, c: Clean) -> dict:
        s, e = c.span()
        return self.span(s, e)

    def span_paras(self, paras: list[Paragraph]) -> dict | None:
        paras = [p for p in paras if p.content.text]
        if not paras:
            return None
        return self.span(min(p.start for p in paras), max(p.end for p in paras))

    def warn(self, code: str, message: str, span: dict | None) -> None:
        self.warnings.append({"code": code, "message": message, "span": span})

    # -- bodies --------------------------------------------------------------------------
    def body(self, name: Clean, note: str | None = None, function: str | None = None) -> dict:
        text = _WS.sub(" ", name.text).strip()
        text = _HYPHEN.sub(" - ", text) if _LOPSIDED_HYPHEN.search(text) else text
        m = self.lex.resolve_body(
            text, on=self.date or (_dt.date(self.year, 12, 31) if self.year else None), function=function or self.plan_function
        )
        out = m.to_output(text)
        out["span"] = self.span_of(name)
        if note:
            out["note"] = note
        if m.match == "none" and fold(text) not in self._unknown_seen:
            self._unknown_seen.add(fold(text))
            self.warn("unknown_body", f"body not in the lexicon: {text}", out["span"])
        return out

    def is_body(self, name: str) -> bool:
        """Whether ``name`` is a body the lexicon knows (exactly or by alias)."""
        return self.lex.resolve_body(name).match in ("exact", "alias")

    def bodies(self, c: Clean, function: str | None = None) -> list[dict]:
        out, seen = [], set()
        for name, note in B.split_bodies(c, self.is_body):
            b = self.body(name, note, function)
            k = b.get("canonical") or fold(b["name"])
            if k in seen:
                continue
            seen.add(k)
            out.append(b)
        return out


# --- small helpers -----------------------------------------------------------------------


def _joined(paras: list[Paragraph]) -> Clean:
    pieces: list[Clean] = []
    for p in paras:
        c = p.content
        if pieces:
            pieces.append(Clean(" ", [pieces[-1].end_offset], pieces[-1].end_offset + 1))
        if p.marker is not None and p is not paras[0]:
            # Keep the marker of sub-items in the running text: "a) …; b) …".
            at = c.offsets[0] if c.offsets else c.end_offset
            pieces.append(Clean(p.marker.text + " ", [at] * (len(p.marker.text) + 1), at))
        pieces.append(c)
    return Clean.concat(pieces)


def _text(paras: list[Paragraph]) -> str:
    return _joined(paras).text


_WS = re.compile(r"\s+")


def _norm_ws(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _first_sentence(text: str, limit: int = 300) -> str:
    text = text.strip()
    m = re.search(r"(?<=[^\d\s]{2})\.\s+(?=\p{Lu})", text)
    if m and m.start() < limit:
        return text[: m.start()].strip()
    if len(text) <= limit:
        return text.rstrip(".:;").strip()
    cut = text.rfind(";", 0, limit)
    if cut > 40:
        return text[:cut].strip()
    cut = text.rfind(",", 0, limit)
    return (text[:cut] if cut > 40 else text[:limit]).strip() + " …"


@lru_cache(maxsize=1)
def _labels() -> dict[str, list[tuple[str, str]]]:
    """Task-line labels, longest first, as (folded variant, kind)."""
    data = sections_data()
    out = {}
    for group in ("task_labels", "objective_labels"):
        pairs = []
        for kind, variants in data[group].items():
            for v in variants:
                pairs.append((fold(v), kind))
        pairs.sort(key=lambda p: -len(p[0]))
        out[group] = pairs
    return out


def _label(c: Clean, group: str = "task_labels") -> tuple[str, Clean] | None:
    """A labelled line "Cơ quan chủ trì: Sở Y tế" -> ("lead", "Sở Y tế")."""
    text = c.text
    colon = text.find(":")
    head = text if colon < 0 else text[:colon]
    if len(head) > 60:
        return None
    fh = fold(head).strip(" .*")
    for variant, kind in _labels()[group]:
        if fh == variant or (group == "objective_labels" and fh.startswith(variant + " ")):
            rest = c.sub(colon + 1).strip() if colon >= 0 else Clean("", [], c.end_offset)
            return kind, rest
    return None


@lru_cache(maxsize=1)
def _inline_label_rx():
    variants = sorted({v for vs in sections_data()["task_labels"].values() for v in vs}, key=len, reverse=True)
    alt = "|".join(re.escape(v).replace("\\ ", r"\s+") for v in variants)
    return re.compile(r"(?:^|(?<=[;.,(]\s*)|(?<=\s-\s*))(?P<label>" + alt + r")\s*:\s*", re.IGNORECASE)


def _inline_labels(c: Clean) -> list[tuple[str, Clean]]:
    """ "Chủ trì: Sở Y tế; phối hợp: Sở Tư pháp; thời gian: 2026" -> [(lead, …), (coordinating, …), (deadline, …)]."""
    hits = list(_inline_label_rx().finditer(c.text))
    if not hits:
        return []
    kinds = {fold(v): k for k, vs in sections_data()["task_labels"].items() for v in vs}
    out = []
    for i, m in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else len(c.text)
        value = c.sub(m.end(), end).strip(" ;,.-()")
        kind = kinds.get(fold(re.sub(r"\s+", " ", m.group("label"))))
        if kind:
            out.append((kind, value))
    return out


_RESP_LABEL = re.compile(r"^\s*(?:Thực\s+hiện|Phân\s+công\s+thực\s+hiện|Trách\s+nhiệm\s+thực\s+hiện|Đơn\s+vị\s+thực\s+hiện|Cơ\s+quan\s+thực\s+hiện)\s*:\s*", re.IGNORECASE)
_LEAD_COORD = re.compile(
    r"^(?P<lead>.+?)\s+(?:là\s+cơ\s+quan\s+)?chủ\s+trì\b\s*(?:thực\s+hiện\s*)?[,;]?\s*"
    r"(?:(?:và\s+)?phối\s+hợp(?:\s+(?:với|cùng))?\s+(?P<coord>.+))?$",
    re.IGNORECASE | re.DOTALL,
)
_LEAD_THEN_COORD = re.compile(
    r"^(?P<lead>.+?)\s+phối\s+hợp(?:\s+(?:với|cùng))\s+(?P<coord>.+)$", re.IGNORECASE | re.DOTALL
)
_CHU_TRI_SENTENCE = re.compile(
    r"(?:^|[.;(]\s*|giao\s+|Giao\s+)(?P<lead>(?:Sở|Phòng|Trạm|Đoàn|Ủy\s+ban|UBND|Công\s+an|Bộ|Ban|Hội|Tỉnh\s+Đoàn|Thanh\s+tra|Bảo\s+hiểm|"
    r"Chi\s+nhánh|Trung\s+tâm|Văn\s+phòng|Đài|Báo|Cục|Liên\s+đoàn)[^.;:]{0,120}?)\s+chủ\s+trì\b\s*,?\s*"
    r"(?:(?:và\s+)?phối\s+hợp(?:\s+với)?\s+(?P<coord>[^.;]+?))?(?=\s+(?:triển\s+khai|thực\s+hiện|tổ\s+chức|xây\s+dựng|tham\s+mưu|hướng\s+dẫn)\b|[.;]|$)",
)


def _cut_trailing_clause(c: Clean) -> Clean:
    m = re.search(
        r"\s+(?:triển\s+khai|tổ\s+chức\s+triển\s+khai|thực\s+hiện|theo\s+chức\s+năng|theo\s+hướng\s+dẫn|căn\s+cứ)\b", c.text, re.IGNORECASE
    )
    return c.sub(0, m.start()) if m and m.start() > 0 else c


_LEAD_SEMI_COORD = re.compile(
    r"^(?P<lead>.+?)\s+chủ\s+trì\s*[;,]\s*(?P<coord>.+?)\s+phối\s+hợp\b.*$", re.IGNORECASE | re.DOTALL
)


def parse_responsibility(c: Clean) -> tuple[Clean | None, Clean | None]:
    """"Sở X chủ trì, phối hợp với Y, Z triển khai thực hiện" -> (lead "Sở X", coordinating "Y, Z")."""
    text = c.text
    m = _LEAD_SEMI_COORD.match(text)
    if m and not re.match(r"\s*(?:và\s+)?phối\s+hợp", text[m.end("lead"):].split("trì", 1)[-1].lstrip(" ;,")):
        return c.sub(m.start("lead"), m.end("lead")), c.sub(m.start("coord"), m.end("coord"))
    m = _LEAD_COORD.match(text)
    if m:
        lead = c.sub(m.start("lead"), m.end("lead"))
        coord = c.sub(m.start("coord"), m.end("coord")) if m.group("coord") else None
        return lead, (_cut_trailing_clause(coord) if coord is not None else None)
    m = _LEAD_THEN_COORD.match(text)
    if m:
        return c.sub(m.start("lead"), m.end("lead")), _cut_trailing_clause(c.sub(m.start("coord"), m.end("coord")))
    return _cut_trailing_clause(c), None


# --- identity ----------------------------------------------------------------------------

_NUMBER_LINE = re.compile(r"(?<![\p{L}])Số\s*:?\s*(?P<num>[^|\n]*?/\s*[\p{Lu}Đ][\p{L}Đđ0-9&\-\s/]*?)(?=\s{2,}|\s*\||\s*$|\s+[\p{Lu}][\p{Ll}])", re.VERSION1)
_DATE_LINE = re.compile(
    r"(?P<place>[\p{Lu}][\p{L}.\- ]{1,40}?)\s*,\s*ngày\s*"
    r"(?:(?P<d>\d{1,2})?\s*(?:[-/]\s*)?tháng\s*(?P<m>\d{1,2})?\s*(?:[-/]\s*)?năm\s*(?P<y>\d{4})"
    r"|(?P<d2>\d{1,2})\s*[/.-]\s*(?P<m2>\d{1,2})\s*[/.-]\s*(?P<y2>\d{4}))",
    re.VERSION1,
)
_ISSUER_LINES = re.compile(r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\b|^UBND\b|^HỘI\s+ĐỒNG\s+NHÂN\s+DÂN\b|^(?:TỈNH|HUYỆN|THÀNH)\s+ỦY\b|^BAN\s+", re.IGNORECASE)
_MOTTO = re.compile(r"CỘNG\s+HÒA|CỘNG\s+HOÀ|Độc\s+lập\s*-\s*Tự\s+do", re.IGNORECASE)
_LEVEL_WORD = re.compile(r"^(TỈNH|THÀNH\s+PHỐ|XÃ|PHƯỜNG|ĐẶC\s+KHU|HUYỆN|QUẬN|THỊ\s+XÃ)\s+(.+)$", re.IGNORECASE)


def _title_case_place(s: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split())


def extract_identity(ctx: _Ctx) -> dict:
    o = ctx.outline
    # Header cells: a two-column header table flattened with "|" holds several fields a line.
    cells: list[Clean] = []
    for p in o.header:
        c = p.content
        start = 0
        for i, ch in enumerate(c.text + "|"):
            if ch == "|":
                part = c.sub(start, i).strip()
                if part.text:
                    cells.append(part)
                start = i + 1
    ident: dict = {
        "type": o.doc_type,
        "number": None,
        "issuer": None,
        "province": None,
        "place": None,
        "date": None,
        "year": None,
        "title": None,
        "signer": {"name": None, "title": None, "authority": None},
        "recipients": [],
    }
    extra: dict = {}
    # Number.
    for c in cells:
        m = _NUMBER_LINE.search(c.text)
        if m:
            raw = m.group("num").strip()
            compact = re.sub(r"\s+", "", raw)
            extra["number_span"] = ctx.span_of(c.sub(m.start(), m.end()))
            if re.match(r"^\d", compact):
                ident["number"] = compact
            else:
                extra["number_suffix"] = compact.lstrip("/")
            break
    # Place and date.
    for c in cells:
        m = _DATE_LINE.search(c.text)
        if m:
            ident["place"] = _norm_ws(m.group("place"))
            d, mo, y = m.group("d") or m.group("d2"), m.group("m") or m.group("m2"), m.group("y") or m.group("y2")
            ident["year"] = int(y)
            if d and mo:
                try:
                    ident["date"] = _dt.date(int(y), int(mo), int(d)).isoformat()
                except ValueError:
                    ctx.warn("invalid_date", f"the plan's date does not exist: {m.group(0)}", ctx.span_of(c.sub(m.start(), m.end())))
            extra["date_span"] = ctx.span_of(c.sub(m.start(), m.end()))
            break
    # Title.
    if o.title:
        ident["title"] = _norm_ws(" ".join(p.text for p in o.title))
        extra["title_span"] = ctx.span_paras(o.title)
    # Issuer from the header's first lines ("ỦY BAN NHÂN DÂN" / "TỈNH CAO BẰNG").
    issuer_lines: list[str] = []
    for c in cells:
        t = c.text
        if _MOTTO.search(t) or t.startswith("Số") or _DATE_LINE.search(t) or re.fullmatch(r"[-_=*. ]+", t):
            if issuer_lines:
                break
            continue
        if _ISSUER_LINES.search(t) or (issuer_lines and is_caps(t)):
            issuer_lines.append(t)
    issuer_place = None
    if issuer_lines:
        words = _norm_ws(" ".join(issuer_lines))
        m = re.match(r"^(?:(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN|UBND)\s+(.+)$", words, re.IGNORECASE)
        if m:
            lv = _LEVEL_WORD.match(m.group(1))
            if lv:
                issuer_place = _title_case_place(lv.group(2))
                ident["issuer"] = f"UBND {lv.group(1).lower()} {issuer_place}"
        elif words:
            ident["issuer"] = words if not is_caps(words) else words[:1] + words[1:].lower()
    # Province: issuer line, then the place of the date line, then "tỉnh X" in the title and
    # preamble, then the body. Never guessed: null when the text names none.
    province = None
    candidates: list[str] = []
    if issuer_place:
        candidates.append(issuer_place)
    if ident["place"]:
        candidates.append(ident["place"])
    for cand in candidates:
        pm = ctx.lex.resolve_province(cand)
        if pm is not None:
            province = pm.canonical
            break
    if province is None:
        scopes = [ident["title"] or ""] + [n.text for n in o.preamble]
        for scope in scopes:
            found = ctx.lex.find_provinces(scope)
            if found:
                province = found[0][2]
                break
    if province is None:
        counts: Counter = Counter()
        for p in ctx.doc.paragraphs:
            if p in o.tail:
                continue
            for _, _, name in ctx.lex.find_provinces(p.text):
                counts[name] += 1
        if counts:
            province = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    ident["province"] = province
    # Issuer when the header does not state it: the body says "Ủy ban nhân dân tỉnh ban hành".
    if ident["issuer"] is None:
        scopes = [n.text for n in o.preamble] + [ident["title"] or ""]
        suffix = (extra.get("number_suffix") or ident["number"] or "")
        if any(re.search(r"(?:Ủy|Uỷ)\s+ban\s+nhân\s+dân\s*(?:\(UBND\)\s*)?tỉnh|UBND\s+tỉnh", s) for s in scopes) or "UBND" in suffix or any(
            re.search(r"TM\.\s*(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN", p.text) for p in o.tail
        ):
            ident["issuer"] = f"UBND tỉnh {province}" if province else "UBND tỉnh"
    if ident["year"] is None and ident["date"]:
        ident["year"] = int(ident["date"][:4])
    if ident["year"] is None:
        # No date line. The title may say "năm 2026"; otherwise the submission (Tờ trình) the
        # preamble says the plan answers is dated days before it, so its year is the plan's.
        m = re.search(r"\bnăm\s+(20\d\d|19\d\d)\b", ident["title"] or "")
        if m:
            ident["year"] = int(m.group(1))
            extra["year_source"] = "title"
        else:
            for n in o.preamble:
                for c in find_citations(n.text):
                    if c.kind == "Tờ trình" and c.date:
                        ident["year"] = int(c.date[:4])
                        extra["year_source"] = "submission"
                        break
                if ident["year"] is not None:
                    break
    ctx.year = ident["year"]
    if ident["date"]:
        ctx.date = _dt.date.fromisoformat(ident["date"])
    signer, recipients = _signature_and_recipients(ctx)
    ident["signer"] = signer
    ident["recipients"] = recipients
    ident.update({k: v for k, v in extra.items() if k in ("number_suffix", "year_source")})
    ident["spans"] = {k[:-5]: v for k, v in extra.items() if k.endswith("_span")}
    return ident


_AUTH_LINE = re.compile(r"^(TM|KT|Q|TL|TUQ)\s*\.\s*(.+)$", re.IGNORECASE)
_TITLE_WORDS = {
    "chu tich": "Chủ tịch", "pho chu tich": "Phó Chủ tịch", "giam doc": "Giám đốc", "pho giam doc": "Phó Giám đốc",
    "bi thu": "Bí thư", "pho bi thu": "Phó Bí thư", "truong ban": "Trưởng ban", "pho truong ban": "Phó Trưởng ban",
    "chanh van phong": "Chánh Văn phòng", "pho chanh van phong": "Phó Chánh Văn phòng",
}
_NAME = re.compile(r"^(?:[\p{Lu}][\p{Ll}\p{M}]*)(?:\s+[\p{Lu}][\p{Ll}\p{M}]*){0,5}$")


def _signature_and_recipients(ctx: _Ctx) -> tuple[dict, list[dict]]:
    signer = {"name": None, "title": None, "authority": None}
    recipients: list[dict] = []
    # Lines of the tail, split again by physical line (a signature block is line-oriented).
    lines = []
    for p in ctx.outline.tail:
        for ln in p.lines:
            if ln.content is not None and ln.clean.text:
                lines.append(ln)
    mode = None
    auth_lines: list[str] = []
    for ln in lines:
        t = ln.clean.text.strip()
        if re.match(r"^Nơi\s+nhận\s*:?", t, re.IGNORECASE):
            mode = "recipients"
            continue
        am = _AUTH_LINE.match(t)
        if am and is_caps(t):
            mode = "signature"
            rest = _norm_ws(am.group(2))
            # "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" (lines joined by an extraction): authority + title.
            words = rest.split()
            for k in range(1, len(words)):
                tail = fold(" ".join(words[k:]))
                if tail in _TITLE_WORDS and signer["title"] is None:
                    signer["title"] = _TITLE_WORDS[tail]
                    rest = " ".join(words[:k])
                    break
            auth_lines.append(f"{am.group(1).upper()}. {rest}")
            continue
        if mode == "signature" or (mode is None and is_caps(t) and fold(t) in _TITLE_WORDS):
            f = fold(t)
            if f in _TITLE_WORDS and signer["title"] is None:
                signer["title"] = _TITLE_WORDS[f]
                mode = "signature"
                continue
            if is_caps(t) and re.fullmatch(r"[\p{Lu}\s.]+", t) and signer["title"] is None:
                signer["title"] = t[:1] + t[1:].lower()
                continue
            if _NAME.match(t) and signer["name"] is None and len(t.split()) >= 2 or (
                signer["name"] is None and signer["title"] and _NAME.match(t) and len(t) <= 40
            ):
                signer["name"] = t
                signer["name_span"] = ctx.span_of(ln.clean)
                mode = None
                continue
        if mode == "recipients":
            content = ln.content if ln.marker is not None else ln.clean
            if ln.marker is None and content.text.rstrip().endswith(":"):
                continue  # "Gửi bản giấy:"
            if re.match(r"^Lưu\b", content.text):
                continue  # the archive copy is not a recipient
            entry = _recipient(ctx, content)
            if entry:
                recipients.append(entry)
    if auth_lines:
        # The signing authority is the line nearest the signer ("KT. CHỦ TỊCH"); "TM. …" says
        # on whose behalf.
        direct = [a for a in auth_lines if not a.startswith("TM.")]
        signer["authority"] = direct[-1] if direct else auth_lines[-1]
        tm = [a for a in auth_lines if a.startswith("TM.")]
        if tm:
            signer["on_behalf_of"] = tm[0]
    return signer, recipients


def _recipient(ctx: _Ctx, c: Clean) -> dict | None:
    c = c.strip(" ;.,")
    if not c.text:
        return None
    note = None
    m = re.search(r"\s*\(([^()]*)\)\s*$", c.text)
    name = c
    if m:
        note = m.group(1).strip()
        name = c.sub(0, m.start()).strip(" ;.,")
    if not name.text:
        return None
    out = ctx.body(name, None)
    out.pop("note", None)
    out["note"] = note
    return out


# --- citations and what the plan implements ----------------------------------------------

_IMPLEMENT_VERB = re.compile(
    r"(?:thực\s+hiện|triển\s+khai(?:\s+thực\s+hiện)?|thi\s+hành|cụ\s+thể\s+hóa|cụ\s+thể\s+hoá|quán\s+triệt)\b", re.IGNORECASE
)


def extract_citations(ctx: _Ctx) -> tuple[list[dict], list[dict]]:
    o = ctx.outline
    refs: list[dict] = []
    by_number: dict[str, dict] = {}
    # Every citation anywhere (tail excluded: "Nơi nhận" holds none).
    cited: list[tuple[Paragraph, object]] = []
    for p in ctx.doc.paragraphs:
        if p.kind == "separator" or p in o.tail:
            continue
        for c in find_citations(p.text):
            cited.append((p, c))
            sp = ctx.span_of(p.content.sub(c.start, c.end))
            if not c.date_valid and c.date_text:
                ctx.warn("invalid_citation_date", f"the date of {c.number} does not exist: {c.date_text}", sp)
            if c.number in by_number:
                ref = by_number[c.number]
                ref["mentions"] += 1
                for k in ("date", "issuer", "kind"):
                    if ref[k] is None and getattr(c, k) is not None:
                        ref[k] = getattr(c, k)
                continue
            ref = c.to_ref(sp)
            ref["mentions"] = 1
            by_number[c.number] = ref
            refs.append(ref)
    # The plan's own number in the header is not a citation.
    own = [r for r in refs if any(r["span"]["start"] >= p.start and r["span"]["end"] <= p.end for p in o.header)]
    for r in own:
        refs.remove(r)
        del by_number[r["number"]]
    # What it implements: citations in the title, then citations introduced by an
    # implementing verb in the preamble or in the purpose paragraphs.
    implements: list[dict] = []

    def add(ref: dict, how: str, via: str | None = None):
        if any(i["number"] == ref["number"] for i in implements):
            return
        item = {k: v for k, v in ref.items() if k != "mentions"}
        item["declared_in"] = how
        if via:
            item["via"] = via
        implements.append(item)

    def scan(paras: list[Paragraph], how: str, need_verb: bool):
        for p in paras:
            found = [c for pp, c in cited if pp is p]
            if not found:
                continue
            verbs = [m.end() for m in _IMPLEMENT_VERB.finditer(p.text)]
            first = None  # the first citation taken in this paragraph
            prev_end = None  # end of the last citation taken
            for c in found:
                if c.kind in ("Tờ trình", "Báo cáo", "Hướng dẫn") and how != "title":
                    continue
                ref = by_number.get(c.number)
                if ref is None:
                    continue
                between = p.text[prev_end:c.start] if prev_end is not None else ""
                chained = prev_end is not None and not re.search(r"[.;]\s", between)
                if need_verb and not chained:
                    # The verb must introduce this citation within the same clause.
                    if not any(0 <= c.start - v <= 160 and not re.search(r"[.;]", p.text[v:c.start]) for v in verbs):
                        continue
                if first is not None and chained and re.search(r"\b(?:thực\s+hiện|triển\s+khai)\b", between) and len(between) < 200:
                    # "Kế hoạch 135-KH/TU … thực hiện Chỉ thị 28-CT/TW": carried out through it.
                    add(ref, how, via=first["number"])
                else:
                    add(ref, how)
                if first is None:
                    first = ref
                prev_end = c.end

    scan(o.title, "title", need_verb=False)
    scan([n.para for n in o.preamble], "preamble", need_verb=True)
    if not implements:
        # Some plans name what they carry out only in their purpose ("Tổ chức quán triệt,
        # triển khai thực hiện … các Thông báo …").
        purpose = [n.para for s in o.section_of_kind("purpose", "objectives") for n in s.node.walk()]
        scan(purpose, "purpose", need_verb=True)
    if not implements:
        basis = [n.para for n in o.preamble if re.match(r"^\s*Căn\s+cứ", n.text, re.IGNORECASE)]
        for p in basis:
            for pp, c in cited:
                if pp is p and c.number in by_number:
                    add(by_number[c.number], "basis")
    return implements, refs


# --- targets and objectives --------------------------------------------------------------

_PERIOD = re.compile(r"(?:giai\s+đoạn|thời\s+kỳ)\s*(?P<a>(?:19|20)\d\d)\s*[-–]\s*(?P<b>(?:19|20)\d\d)|(?P<c>(?:19|20)\d\d)\s*[-–]\s*(?P<d>(?:19|20)\d\d)", re.IGNORECASE)
_BY_YEAR = re.compile(r"(?:đến|tới)\s+năm\s+(?P<y>(?:19|20)\d\d)|(?:trong\s+)?năm\s+(?P<y2>(?:19|20)\d\d)", re.IGNORECASE)
_PERCENT = re.compile(r"(?P<value>\d{1,3}(?:[.,]\d+)?)\s*%")
_RATIO = re.compile(r"(?<![\d/])(?P<value>\d{1,4}\s*/\s*\d{1,4})(?![\d/])\s+(?:đơn\s+vị\s+)?(?P<unit>[\p{L}]+(?:\s+(?:thành\s+phố|thị\s+xã))?)")
_COUNT = re.compile(
    r"(?<![\d/.,%])(?P<value>\d{1,6}(?:[.,]\d{3})*)\s+(?P<unit>(?:trẻ\s+em|người\s+khuyết\s+tật|người\s+lao\s+động|lao\s+động|người|"
    r"xã|phường|huyện|thôn|cơ\s+sở|mô\s+hình|lớp|cuộc|hộ\s+gia\s+đình|hộ\s+dân|hộ\s+nghèo|hộ|trường|điểm|câu\s+lạc\s+bộ|"
    r"lượt\s+người|lượt|học\s+sinh|cán\s+bộ|cộng\s+tác\s+viên|giường|ngôi\s+nhà|căn\s+nhà|nhà|tỷ\s+đồng|triệu\s+đồng|doanh\s+nghiệp))\b"
)


def _period(text: str) -> str | None:
    m = _PERIOD.search(text)
    if m:
        a, b = (m.group("a"), m.group("b")) if m.group("a") else (m.group("c"), m.group("d"))
        return f"{a}-{b}"
    m = _BY_YEAR.search(text)
    if m:
        return m.group("y") or m.group("y2")
    return None


def extract_targets(ctx: _Ctx, c: Clean, period: str | None) -> list[dict]:
    out = []
    text = c.text
    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^;]+", text)]
    for s, e in clauses:
        clause = text[s:e]
        for rx, unit in ((_PERCENT, "%"), (_RATIO, None), (_COUNT, None)):
            for m in rx.finditer(clause):
                if rx is _COUNT and re.search(r"(?:năm|ngày|tháng|giai\s+đoạn)\s*$", clause[: m.start()]):
                    continue
                value = re.sub(r"\s+", "", m.group("value"))
                if rx is _PERCENT:
                    v = float(value.replace(",", "."))
                    val: object = int(v) if v.is_integer() else v
                elif rx is _COUNT:
                    val = int(re.sub(r"[.,]", "", value))
                else:
                    val = value
                u = unit or _norm_ws(m.group("unit"))
                # The target's text: the clause from the number to the end of the clause.
                tstart = s + m.start()
                tclean = c.sub(tstart, e).strip(" ,.;:")
                out.append({
                    "value": val,
                    "unit": u,
                    "text": tclean.text,
                    "period": _period(clause) or period,
                    "span": ctx.span_of(tclean),
                })
    return out


def extract_objectives(ctx: _Ctx) -> list[dict]:
    out: list[dict] = []
    plan_period = _period(" ".join(p.text for p in ctx.outline.title))
    for sec in ctx.outline.section_of_kind("purpose", "objectives", "scope"):
        default = {"purpose": "purpose", "objectives": "general", "scope": "scope"}[sec.kind]
        sec_fold = fold(sec.title)
        if sec.kind == "objectives" and "cu the" in sec_fold:
            default = "specific"
        sec_period = _period(sec.title) or plan_period

        def emit(kind: str, paras: list[Paragraph], period: str | None, heading: str | None = None):
            c = _joined(paras)
            if not c.text.strip():
                return
            entry = {"kind": kind, "text": _norm_ws(c.text), "targets": extract_targets(ctx, c, period), "span": ctx.span_of(c)}
            if heading:
                entry["heading"] = heading
            if period:
                entry["period"] = period
            out.append(entry)

        for node in sec.node.children:
            lab = _label(node.para.content, "objective_labels")
            if lab is not None and ":" not in node.text and not node.children:
                lab = None  # "Thời gian thực hiện từ năm 2019 đến năm 2025." is content, not a heading
            if lab is not None:
                kind, rest = lab
                if kind == "viewpoint":
                    kind = "purpose"
                heading = _norm_ws(node.text.split(":")[0])
                period = _period(heading) or sec_period
                if fold(heading).startswith("muc tieu") and kind == "general" and "chung" not in fold(heading) and "tong quat" not in fold(heading):
                    kind = "specific"
                if rest.text:
                    c = rest
                    entry_paras = [Paragraph(node.para.lines, None, c)]
                    emit(kind, entry_paras, period, heading)
                for ch in node.children:
                    emit(kind, ch.paragraphs(), period, heading)
                continue
            if fold(node.text).startswith("muc tieu") and node.text.rstrip().endswith(":"):
                heading = _norm_ws(node.text.rstrip(":"))
                kind = "general" if ("chung" in fold(heading) or "tong quat" in fold(heading)) else "specific"
                for ch in node.children:
                    emit(kind, ch.paragraphs(), _period(heading) or sec_period, heading)
                continue
            emit(default, node.paragraphs(), sec_period)
    return out


# --- tasks -------------------------------------------------------------------------------


def _deadline(c: Clean) -> dict:
    text = _norm_ws(c.text.strip(" .;"))
    d = find_date(text)
    return {"text": text, "date": d.iso if d else None, "period": _period(text) or (re.search(r"(?:19|20)\d\d", text).group(0) if re.search(r"(?:19|20)\d\d", text) else None)}


def _notes_for(ctx: _Ctx, paras: list[Paragraph]) -> list[dict]:
    notes = []
    for p in paras:
        for marker, _off in p.footrefs:
            fp = ctx.outline.footnotes.get(marker)
            if fp is not None:
                notes.append({"marker": marker, "text": _norm_ws(fp.text), "span": ctx.span_of(fp.content)})
    return notes


class _Group:
    def __init__(self):
        self.activities: list[dict] = []
        self.lead: list[dict] = []
        self.coordinating: list[dict] = []


def _union(lists: list[list[dict]]) -> list[dict]:
    out, seen = [], set()
    for lst in lists:
        for b in lst:
            k = b.get("canonical") or fold(b["name"])
            if k not in seen:
                seen.add(k)
                out.append(b)
    return out


def build_task(ctx: _Ctx, node: Node, section: Section, tid: str) -> dict:
    head = node.para.content
    task_text = _joined(node.paragraphs())
    function = ctx.lex.function_of(task_text.text)
    title_text = head.text.rstrip(": ")
    if node.children and (len(head.text) <= 300 or head.text.rstrip().endswith(":")):
        title = _norm_ws(title_text)
    else:
        title = _first_sentence(_norm_ws(title_text))
    task: dict = {
        "id": tid,
        "section": section.title,
        "title": title,
        "text": _norm_ws(task_text.text),
        "activities": [],
        "lead": [],
        "coordinating": [],
        "deadline": None,
        "subtasks": [],
        "span": ctx.span_of(task_text),
    }
    own_lead: list[dict] = []
    own_coord: list[dict] = []
    groups: list[_Group] = [_Group()]
    closed_groups: list[_Group] = []
    outputs: list[str] = []

    def add_activity(n: Node, paras: list[Paragraph] | None = None):
        nested_resp = []
        if paras is None:
            # A "Thực hiện: …" line nested under a bullet closes the group after it.
            paras = [n.para]
            for d in n.walk():
                dc = d.para.content
                if _RESP_LABEL.match(dc.text):
                    nested_resp.append(dc)
                    continue
                dl = _label(dc)
                if dl is not None and dl[0] in ("lead", "coordinating", "deadline", "output"):
                    labelled.extend(_inline_labels(dc) or [dl])
                    continue
                paras.append(d.para)
        else:
            labelled.clear()
        act = _add(paras)
        if act is not None and labelled:
            # Lines under the activity naming its own bodies and time.
            for kind, value in labelled:
                if not value.text:
                    continue
                if kind == "lead":
                    act["lead"] = _union([act["lead"], ctx.bodies(value, function)])
                elif kind == "coordinating":
                    act["coordinating"] = _union([act["coordinating"], ctx.bodies(value, function)])
                elif kind == "deadline":
                    act["deadline"] = _deadline(value)
                elif kind == "output":
                    act["output"] = _norm_ws(value.text)
        labelled.clear()
        for rc in nested_resp:
            responsibility(rc.sub(_RESP_LABEL.match(rc.text).end()))

    labelled: list = []

    def _add(paras: list[Paragraph]):
        c = _joined(paras)
        if not c.text.strip():
            return None
        act = {"text": _norm_ws(c.text), "lead": [], "coordinating": [], "span": ctx.span_of(c)}
        # A sentence inside the activity may name its own lead: "Sở X chủ trì, phối hợp với Y".
        m = _CHU_TRI_SENTENCE.search(c.text)
        if m:
            act["lead"] = ctx.bodies(c.sub(m.start("lead"), m.end("lead")), function)
            if m.group("coord"):
                act["coordinating"] = ctx.bodies(c.sub(m.start("coord"), m.end("coord")), function)
        notes = _notes_for(ctx, paras)
        if notes:
            act["notes"] = notes
        groups[-1].activities.append(act)
        return act

    def responsibility(c: Clean):
        lead_c, coord_c = parse_responsibility(c)
        g = groups[-1]
        g.lead = ctx.bodies(lead_c, function) if lead_c is not None else []
        g.coordinating = ctx.bodies(coord_c, function) if coord_c is not None else []
        closed_groups.append(g)
        groups.append(_Group())

    for child in node.children:
        content = child.para.content
        mk = child.marker
        lab = _label(content)
        resp = _RESP_LABEL.match(content.text)
        if resp:
            responsibility(content.sub(resp.end()))
            continue
        if lab is not None and lab[0] in ("lead", "coordinating", "deadline", "output") and len(_inline_labels(content)) > 1:
            # Several labels on one line: "Chủ trì: Sở Y tế; phối hợp: Sở Tư pháp; thời gian: 2026".
            for kind, value in _inline_labels(content):
                if not value.text:
                    continue
                if kind == "lead":
                    own_lead.extend(ctx.bodies(value, function))
                elif kind == "coordinating":
                    own_coord.extend(ctx.bodies(value, function))
                elif kind == "deadline":
                    task["deadline"] = _deadline(value)
                    task["deadline"]["span"] = ctx.span_of(value)
                elif kind == "output":
                    outputs.append(_norm_ws(value.text))
            continue
        if lab is not None:
            kind, rest = lab
            if kind == "activities":
                if rest.text:
                    add_activity(child, [Paragraph(child.para.lines, None, rest)])
                for gc in child.children:
                    if _RESP_LABEL.match(gc.para.content.text):
                        responsibility(gc.para.content.sub(_RESP_LABEL.match(gc.para.content.text).end()))
                    else:
                        add_activity(gc)
            elif kind == "lead":
                more = [rest] + [gc.para.content for gc in child.children]
                for cc in more:
                    if cc.text:
                        lc, cc2 = parse_responsibility(cc) if re.search(r"chủ\s+trì", cc.text) else (cc, None)
                        own_lead.extend(ctx.bodies(lc, function))
                        if cc2 is not None:
                            own_coord.extend(ctx.bodies(cc2, function))
            elif kind == "coordinating":
                for cc in [rest] + [gc.para.content for gc in child.children]:
                    if cc.text:
                        own_coord.extend(ctx.bodies(cc, function))
            elif kind == "deadline":
                if rest.text:
                    task["deadline"] = _deadline(rest)
                    task["deadline"]["span"] = ctx.span_of(rest)
            elif kind == "output":
                if rest.text:
                    outputs.append(_norm_ws(rest.text))
            elif kind == "responsibility":
                responsibility(rest)
            elif kind == "funding":
                task["funding_note"] = _norm_ws(rest.text)
            continue
        if mk is not None and mk.kind == "num" and child.children and not all(
            (gc.marker is None) for gc in child.children
        ):
            task["subtasks"].append(build_task(ctx, child, section, f"{tid}.{mk.value.split('.')[-1]}"))
            continue
        if mk is None:
            # Running text under the item: part of the task; it may name the lead.
            m = _CHU_TRI_SENTENCE.search(content.text)
            if m and not groups[-1].activities:
                own_lead.extend(ctx.bodies(content.sub(m.start("lead"), m.end("lead")), function))
                if m.group("coord"):
                    own_coord.extend(ctx.bodies(content.sub(m.start("coord"), m.end("coord")), function))
            elif groups[-1].activities and child.para.text[:1].islower():
                pass  # continuation of the previous activity (already in the task text)
            continue
        add_activity(child)

    # Groups: activities before a responsibility line take that line's bodies.
    trailing = groups[-1]
    for g in closed_groups:
        for a in g.activities:
            if not a["lead"]:
                a["lead"] = list(g.lead)
            if not a["coordinating"]:
                a["coordinating"] = list(g.coordinating)
    if own_lead or own_coord:
        for g in closed_groups + [trailing]:
            for a in g.activities:
                if not a["lead"]:
                    a["lead"] = list(own_lead)
                if not a["coordinating"]:
                    a["coordinating"] = list(own_coord)
    task["activities"] = [a for g in closed_groups + [trailing] for a in g.activities]
    # The item's heading sentence may itself say who leads ("… do Sở X chủ trì").
    if not own_lead and not closed_groups:
        m = _CHU_TRI_SENTENCE.search(head.text)
        if m:
            own_lead = ctx.bodies(head.sub(m.start("lead"), m.end("lead")), function)
            if m.group("coord"):
                own_coord = ctx.bodies(head.sub(m.start("coord"), m.end("coord")), function)
    task["lead"] = _union([own_lead] + [g.lead for g in closed_groups] + [a["lead"] for a in task["activities"]] + [s["lead"] for s in task["subtasks"]])
    task["coordinating"] = _union([own_coord] + [g.coordinating for g in closed_groups] + [a["coordinating"] for a in task["activities"]] + [s["coordinating"] for s in task["subtasks"]])
    lead_keys = {b.get("canonical") or fold(b["name"]) for b in task["lead"]}
    task["coordinating"] = [b for b in task["coordinating"] if (b.get("canonical") or fold(b["name"])) not in lead_keys]
    if task["deadline"] is None or not task["lead"]:
        # Labels written inside the item's own text: "… (thời gian thực hiện: Quý II/2026)",
        # "…; cơ quan chủ trì: Sở Y tế".
        for kind, value in _inline_labels(head):
            if not value.text:
                continue
            if kind == "deadline" and task["deadline"] is None:
                task["deadline"] = _deadline(value)
                task["deadline"]["span"] = ctx.span_of(value)
            elif kind == "lead" and not task["lead"]:
                task["lead"] = ctx.bodies(value, function)
            elif kind == "coordinating" and not task["coordinating"]:
                task["coordinating"] = ctx.bodies(value, function)
    if outputs:
        task["output"] = "; ".join(outputs)
    notes = _notes_for(ctx, [node.para] + [n.para for n in node.walk() if n.marker is None or n.marker.kind == "num"])
    if notes:
        task["notes"] = notes
    task["function"] = function
    return task


_TABLE_COLS = {
    "stt": ["stt", "tt", "so tt", "so thu tu"],
    "content": ["noi dung", "nhiem vu", "noi dung nhiem vu", "ten nhiem vu", "hoat dong", "noi dung cong viec", "nhiem vu, giai phap", "noi dung hoat dong", "cong viec"],
    "lead": ["co quan chu tri", "don vi chu tri", "chu tri", "co quan thuc hien", "don vi thuc hien", "co quan, don vi chu tri"],
    "coordinating": ["co quan phoi hop", "don vi phoi hop", "phoi hop", "co quan, don vi phoi hop"],
    "deadline": ["thoi gian thuc hien", "thoi gian", "thoi han", "thoi gian hoan thanh", "tien do", "thoi han hoan thanh"],
    "output": ["san pham", "ket qua", "san pham dau ra", "hinh thuc van ban", "ket qua dau ra"],
}


def _cells(p: Paragraph) -> list[Clean]:
    c = p.content
    out, start = [], None
    for i, ch in enumerate(c.text):
        if ch == "|":
            if start is not None:
                out.append(c.sub(start, i).strip())
            start = i + 1
    return out


def _table_columns(cells: list[Clean]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for i, cell in enumerate(cells):
        f = fold(cell.text).strip(" .:")
        for key, names in _TABLE_COLS.items():
            if key in cols:
                continue
            if f in names or any(f.startswith(n) for n in names if len(n) > 4):
                cols[key] = i
                break
    if "content" in cols and ("lead" in cols or "coordinating" in cols):
        return cols
    return None


def tasks_from_tables(ctx: _Ctx) -> list[tuple[Paragraph, dict]]:
    """Rows of task tables (STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian | Sản phẩm)."""
    out = []
    paras = ctx.doc.paragraphs
    i = 0
    section_of = {}
    current = None
    sec_ids = {id(s.node.para): s for s in ctx.outline.sections}
    for p in paras:
        if id(p) in sec_ids:
            current = sec_ids[id(p)]
        section_of[id(p)] = current
    while i < len(paras):
        p = paras[i]
        if p.kind != "table":
            i += 1
            continue
        cols = _table_columns(_cells(p))
        if cols is None:
            i += 1
            continue
        header_sec = section_of.get(id(p))
        sid = header_sec.id if header_sec and header_sec.kind == "tasks" else "PL"
        group = None
        n = 0
        i += 1
        while i < len(paras) and paras[i].kind in ("table", "separator"):
            row = paras[i]
            i += 1
            if row.kind == "separator":
                continue
            cells = _cells(row)
            if len(cells) <= cols["content"]:
                continue
            get = lambda k: cells[cols[k]] if k in cols and cols[k] < len(cells) else None  # noqa: E731
            content = get("content")
            stt = get("stt")
            if content is None or not content.text:
                continue
            lead_c, coord_c = get("lead"), get("coordinating")
            if stt is not None and re.fullmatch(r"[IVXL]+\.?|[A-Z]\.?", stt.text.strip()) and not (lead_c and lead_c.text):
                group = stt.text.strip(". ")
                continue
            n += 1
            num = stt.text.strip(". ") if stt is not None and stt.text.strip(". ") else str(n)
            tid = f"{sid}.{group}.{num}" if group else f"{sid}.{num}"
            function = ctx.lex.function_of(content.text)
            full = _joined([row])
            task = {
                "id": tid,
                "section": header_sec.title if header_sec else None,
                "title": _first_sentence(_norm_ws(content.text.replace(" / ", " "))),
                "text": _norm_ws(content.text.replace(" / ", " ")),
                "activities": [],
                "lead": ctx.bodies(lead_c, function) if lead_c is not None and lead_c.text else [],
                "coordinating": ctx.bodies(coord_c, function) if coord_c is not None and coord_c.text else [],
                "deadline": None,
                "subtasks": [],
                "span": ctx.span_of(full),
            }
            parts = [part for part in re.split(r"\s+/\s+", content.text) if part.strip()]
            if len(parts) > 1:
                off = 0
                for part in parts[1:]:
                    k = content.text.find(part, off)
                    off = k + len(part)
                    pc = content.sub(k, k + len(part)).strip(" -+")
                    task["activities"].append({"text": _norm_ws(pc.text), "lead": list(task["lead"]), "coordinating": list(task["coordinating"]), "span": ctx.span_of(pc)})
                task["title"] = _norm_ws(parts[0]).strip(" :")
            dl = get("deadline")
            if dl is not None and dl.text:
                task["deadline"] = _deadline(dl)
                task["deadline"]["span"] = ctx.span_of(dl)
            outp = get("output")
            if outp is not None and outp.text:
                task["output"] = _norm_ws(outp.text.replace(" / ", "; "))
            task["function"] = function
            task["source"] = "table"
            out.append((row, task))
    return out


def extract_tasks(ctx: _Ctx) -> list[dict]:
    tasks: list[dict] = []
    used: set[str] = set()
    for sec in ctx.outline.section_of_kind("tasks"):
        items = [n for n in sec.node.children if n.marker is not None and n.marker.kind != "bullet" or (n.marker and n.marker.kind == "bullet")]
        numbered = [n for n in items if n.marker.kind == "num"]
        lettered = [n for n in items if n.marker.kind in ("letter", "upletter")]
        chosen = numbered or lettered or [n for n in items if n.marker.kind == "bullet"]
        bullet_no = 0
        for n in chosen:
            if n.marker.kind == "bullet":
                bullet_no += 1
                tid = f"{sec.id}.{bullet_no}"
            elif n.marker.value.startswith(sec.id + "."):
                tid = n.marker.value  # "2.1" under a section numbered "2."
            else:
                tid = f"{sec.id}.{n.marker.value}"
            if tid in used:
                tid = f"{tid}#{len(used)}"
            used.add(tid)
            tasks.append(build_task(ctx, n, sec, tid))
    for _row, task in tasks_from_tables(ctx):
        if task["id"] in used:
            task["id"] = f"{task['id']}#{len(used)}"
        used.add(task["id"])
        tasks.append(task)
    return tasks


# --- assignments -------------------------------------------------------------------------

_REPORT_ITEM = re.compile(r"^(?:công\s+tác\s+)?(?:chế\s+độ\s+)?(?:thông\s+tin\s*,?\s*)?báo\s+cáo\b|^chế\s+độ\s+thông\s+tin", re.IGNORECASE)
_DUTY_BODY = re.compile(r"^(?:Đề\s+nghị|Giao|Yêu\s+cầu)\s+|^(?=(?:Sở|Ủy\s+ban|UBND|Công\s+an|Hội|Tỉnh\s+Đoàn|Ban|Bảo\s+hiểm|Chi\s+nhánh|Báo|Đài|Trung\s+tâm|Liên\s+đoàn)\b[^:]{0,100}:)")


def extract_assignments(ctx: _Ctx) -> tuple[list[dict], list[tuple[Node, str]]]:
    assignments: list[dict] = []
    report_items: list[tuple[Node, str]] = []
    for sec in ctx.outline.section_of_kind("organisation"):
        items = [n for n in sec.node.children if n.marker is not None]
        top = [n for n in items if n.marker.kind == "num"] or [n for n in items if n.marker.kind in ("letter", "upletter")] or items
        for n in top:
            head = n.para.content
            if _REPORT_ITEM.match(head.text):
                report_items.append((n, "organisation"))
                continue
            named_children = [ch for ch in n.children if ch.marker is not None and _DUTY_BODY.match(ch.para.content.text)]
            if len(n.children) >= 2 and len(named_children) == len(n.children):
                # "1. Các sở, ngành:" + "a) Sở Y tế: …", "b) Công an tỉnh: …": each point is the
                # assignment of the body it names.
                base = n.marker.value if n.marker.value.startswith(sec.id + ".") else f"{sec.id}.{n.marker.value}"
                for ch in n.children:
                    assignments.append(_assignment(ctx, ch, f"{base}.{ch.marker.value}"))
                continue
            assignments.append(_assignment(ctx, n, n.marker.value if n.marker.value.startswith(sec.id + ".") else f"{sec.id}.{n.marker.value}"))
    return assignments, report_items


def _assignment(ctx: _Ctx, n: Node, aid: str) -> dict:
    """One item of "Tổ chức thực hiện": the bodies its heading names and its duties."""
    head = n.para.content
    phrase, rest = B.leading_body_phrase(head, ctx.is_body)
    function = ctx.lex.function_of(_text(n.paragraphs()))
    bodies = ctx.bodies(phrase, function) if phrase.text else []
    duties = []
    if rest.text and not (head.text.rstrip().endswith(":") and n.children):
        duties.append({"text": _norm_ws(rest.text), "span": ctx.span_of(rest)})
        ctx.duty_text[id(duties[-1])] = rest
    for ch in n.children:
        c = _joined(ch.paragraphs())
        if not c.text.strip():
            continue
        duty = {"text": _norm_ws(c.text), "span": ctx.span_of(c)}
        ctx.duty_text[id(duty)] = c
        if _DUTY_BODY.match(ch.para.content.text):
            dphrase, _ = B.leading_body_phrase(ch.para.content, ctx.is_body)
            named = ctx.bodies(dphrase, function) if dphrase.text else []
            if named:
                duty["bodies"] = named
                bodies = _union([bodies, named])
        duties.append(duty)
    entry = {"bodies": bodies, "duties": duties, "span": ctx.span_of(_joined(n.paragraphs())), "id": aid}
    if not bodies:
        ctx.warn("assignment_without_body", f"no body found in assignment {aid}", ctx.span_of(head))
    return entry


# --- funding -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _funding_phrases() -> list[tuple[str, str]]:
    import importlib.resources as ir

    import yaml

    data = yaml.safe_load(ir.files("khplan").joinpath("data/funding.yaml").read_text(encoding="utf-8"))
    return [(re.compile(r"(?<![\p{L}])" + re.escape(fold(p)) + r"(?![\p{L}])"), s["id"]) for s in data["sources"] for p in s["phrases"]]


def classify_funding(text: str) -> list[str]:
    f = fold(text)
    found = set()
    for rx, sid in _funding_phrases():
        if sid not in found and rx.search(f):
            found.add(sid)
    order = ["state_budget", "program_integration", "socialization", "aid", "other_lawful"]
    return [s for s in order if s in found]


def extract_funding(ctx: _Ctx) -> dict:
    secs = ctx.outline.section_of_kind("funding")
    paras: list[Paragraph] = []
    for s in secs:
        paras.extend(p for p in s.node.paragraphs()[1:])
    if not paras:
        # A funding clause outside its own section: "Kinh phí thực hiện: …" as an item.
        for s in ctx.outline.sections:
            for n in s.node.walk():
                lab = _label(n.para.content)
                if lab and lab[0] == "funding" and s.kind != "tasks":
                    paras.extend(n.paragraphs())
    if not paras:
        return {"present": False, "text": None, "sources": [], "span": None}
    c = _joined(paras)
    return {"present": True, "text": _norm_ws(c.text), "sources": classify_funding(c.text), "span": ctx.span_of(c)}


# --- reporting ---------------------------------------------------------------------------

_FREQ = [
    ("semiannual", re.compile(r"\b(?:0?6|sáu)\s+tháng\b|\bbán\s+niên\b|\bhằng\s+6\s+tháng|\bsơ\s+kết\s+6\s+tháng", re.IGNORECASE)),
    ("quarterly", re.compile(r"\b(?:hằng|hàng|mỗi)\s+quý\b|\bđịnh\s+kỳ\s+(?:hằng\s+|hàng\s+)?quý\b|\btheo\s+quý\b|\bquý\b", re.IGNORECASE)),
    ("monthly", re.compile(r"\b(?:hằng|hàng|mỗi)\s+tháng\b|\bđịnh\s+kỳ\s+tháng\b", re.IGNORECASE)),
    ("annual", re.compile(r"\b(?:hằng|hàng|mỗi)\s+năm\b|\bđịnh\s+kỳ\s+(?:0?1\s+)?năm\b|\bbáo\s+cáo\s+năm\b|\b0?1\s+năm\b|\bcả\s+năm\b|\btổng\s+kết\s+năm\b|\bbáo\s+cáo\s+công\s+tác\s+\S+(?:\s+\S+)?\s+(?:hằng|hàng)\s+năm", re.IGNORECASE)),
    ("ad_hoc", re.compile(r"\bđột\s+xuất\b|\bkhi\s+có\s+yêu\s+cầu\b|\bnếu\s+có\s+(?:phát\s+sinh|khó\s+khăn|vướng\s+mắc)|\bkịp\s+thời\s+báo\s+cáo\b", re.IGNORECASE)),
]
_DEADLINE = re.compile(
    r"(?:trước|chậm\s+nhất(?:\s+là)?|trước\s+hoặc\s+vào|vào)\s+ngày\s*(?P<d>\d{1,2})\s*(?:/|\s*tháng\s*)(?P<m>\d{1,2})(?:\s*(?:/|\s*năm\s*)(?P<y>\d{2,4}))?",
    re.IGNORECASE,
)
_DEADLINE_DAY = re.compile(
    r"(?:trước|chậm\s+nhất(?:\s+là)?|vào)\s+ngày\s*(?P<d>\d{1,2})(?![\d/])(?:\s+(?:hằng|hàng|của)\s+(?:tháng|quý)[\p{L}\s]{0,20}?(?=[,.;)]|$))?",
    re.IGNORECASE,
)
_REPORT_VERB = re.compile(r"\bbáo\s+cáo\b", re.IGNORECASE)
_TO = re.compile(
    r"(?:\bvề|\bgửi(?:\s+về)?|\bbáo\s+cáo)\s+(?P<to>(?:(?:Ủy|Uỷ)\s+ban|UBND|Sở|Bộ|Thường\s+trực|Ban|Văn\s+phòng|Cục|Tỉnh\s+ủy|HĐND|Hội\s+đồng|Chủ\s+tịch)[^()]*?)"
    r"(?=\s*\(|\s+(?:để|trước|theo|xem\s+xét|tổng\s+hợp|kết\s+quả|định\s+kỳ|hằng|hàng|khi|trong|chậm\s+nhất|về\s+tình\s+hình|qua)\b|[.;:]|$)",
    re.IGNORECASE,
)
_VIA = re.compile(r"\((?:qua|thông\s+qua)\s+(?P<via>[^()]+)\)", re.IGNORECASE)


def _sentences(c: Clean) -> list[Clean]:
    out, start = [], 0
    for m in re.finditer(r"(?<=[^\d/]{2}[.!?])\s+(?=\p{Lu})|\./\.", c.text):
        out.append(c.sub(start, m.start()))
        start = m.end()
    out.append(c.sub(start))
    return [s.strip() for s in out if s.text.strip()]


def _frequencies(text: str) -> list[str]:
    found = []
    for name, rx in _FREQ:
        for m in rx.finditer(text):
            found.append((m.start(), name))
    found.sort()
    out = []
    for _, name in found:
        if name not in out:
            out.append(name)
    # "quý" alone inside "hằng tháng, quý" etc.; "định kỳ 6 tháng, 01 năm" keeps both.
    return out


_SUBJECT = re.compile(
    r"(?:^|Yêu\s+cầu|Đề\s+nghị|,)\s*(?P<who>(?:các|Các|Thủ\s+trưởng|Sở|UBND|(?:Ủy|Uỷ)\s+ban|Chủ\s+tịch|Công\s+an|Bộ|Ban|Hội)[^.]*?)\s+"
    r"(?:chỉ\s+đạo|triển\s+khai|tổ\s+chức|thực\s+hiện|căn\s+cứ|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|xây\s+dựng|định\s+kỳ|theo\s+chức\s+năng)\b"
)


def _subject_bodies(ctx: _Ctx, subject: Clean) -> list[dict]:
    """Who must act in a sentence: its leading bodies, or the bodies after "Yêu cầu"/a clause."""
    phrase, _ = B.leading_body_phrase(subject, ctx.is_body)
    if phrase.text and re.match(r"(?:Các|các|Sở|Ủy|Uỷ|UBND|Công|Chủ\s+tịch|Thủ\s+trưởng|Bộ|Ban|Hội)", phrase.text):
        found = ctx.bodies(phrase)
        if found:
            return found
    m = _SUBJECT.search(subject.text)
    if m:
        return ctx.bodies(subject.sub(m.start("who"), m.end("who")))
    return []


def reporting_from(ctx: _Ctx, c: Clean, default_from: list[dict], *, require_schedule: bool) -> list[dict]:
    out = []
    for s in _sentences(c):
        text = s.text
        if not _REPORT_VERB.search(text):
            continue
        freqs = _frequencies(text)
        deadlines = list(_DEADLINE.finditer(text)) or list(_DEADLINE_DAY.finditer(text))
        periodic = bool(re.search(r"\bđịnh\s+kỳ\b", text, re.IGNORECASE))
        if require_schedule and not (freqs or deadlines or periodic):
            continue
        if not (freqs or deadlines or periodic or _TO.search(text)):
            continue
        to_bodies: list[dict] = []
        m = _TO.search(text, _REPORT_VERB.search(text).start())
        if m:
            to_bodies = ctx.bodies(s.sub(m.start("to"), m.end("to")))
        via = []
        vm = _VIA.search(text)
        if vm:
            via = ctx.bodies(s.sub(vm.start("via"), vm.end("via")))
        # Who reports: the subject of the sentence, or the addressees of "Yêu cầu X …".
        verb = _REPORT_VERB.search(text)
        from_bodies = _subject_bodies(ctx, s.sub(0, verb.start()))
        if not from_bodies:
            from_bodies = list(default_from)
        pieces: list[tuple[str | None, re.Match | None]] = []
        if deadlines:
            prev_end = 0
            for dm in deadlines:
                window = text[prev_end:dm.start()]
                f = _frequencies(window)
                pieces.append((f[-1] if f else None, dm))
                prev_end = dm.end()
            # A frequency named after the only deadline ("trước ngày 30/11 hàng năm").
            if len(deadlines) == 1 and pieces[0][0] is None:
                pieces[0] = (freqs[0] if freqs else None, deadlines[0])
        else:
            pieces.append((freqs[0] if freqs else None, None))
        for freq, dm in pieces:
            deadline = None
            if dm is not None:
                gd = dm.groupdict()
                y = gd.get("y")
                year = int(y) if y and len(y) == 4 else None
                month = int(gd["m"]) if gd.get("m") else None
                deadline = {"day": int(dm.group("d")), "month": month, "year": year, "text": _norm_ws(dm.group(0))}
                if freq is None and year is not None:
                    freq = "once"
            entry = {
                "text": _norm_ws(text),
                "frequency": freq,
                "deadline": deadline,
                "to": to_bodies,
                "from": from_bodies,
                "span": ctx.span_of(s),
            }
            others = [f for f in freqs if f != freq]
            if others:
                entry["also"] = others
            if via:
                entry["via"] = via
            out.append(entry)
    return out


def extract_reporting(ctx: _Ctx, report_items: list[tuple[Node, str]], assignments: list[dict]) -> list[dict]:
    out: list[dict] = []
    for sec in ctx.outline.section_of_kind("reporting"):
        for n in sec.node.children:
            out.extend(reporting_from(ctx, _joined(n.paragraphs()), [], require_schedule=False))
    for n, _where in report_items:
        head = n.para.content
        colon = head.text.find(":")
        body = _joined([Paragraph(n.para.lines, None, head.sub(colon + 1) if colon >= 0 else head)] + [x.para for x in n.walk()])
        out.extend(reporting_from(ctx, body, [], require_schedule=False))
    closing = _joined(ctx.outline.closing) if ctx.outline.closing else None
    if closing is not None:
        # "Yêu cầu Thủ trưởng các cơ quan… Định kỳ hằng năm, báo cáo…": the addressees of the
        # closing paragraph report when the sentence does not say who.
        default_from: list[dict] = []
        for sent in _sentences(closing):
            default_from = _subject_bodies(ctx, sent)
            if default_from:
                break
        out.extend(reporting_from(ctx, closing, default_from, require_schedule=False))
    # Reporting duties inside assignments ("định kỳ hằng năm báo cáo UBND tỉnh").
    for a in assignments:
        for d in a["duties"]:
            c = ctx.duty_text[id(d)]
            for e in reporting_from(ctx, c, a["bodies"], require_schedule=True):
                e["assignment"] = a.get("id")
                out.append(e)
    # De-duplicate identical sentences found twice.
    seen, uniq = set(), []
    for e in out:
        k = (e["span"]["start"], e["frequency"], (e["deadline"] or {}).get("text"))
        if k in seen:
            continue
        seen.add(k)
        uniq.append(e)
    return uniq


# --- the whole plan ----------------------------------------------------------------------


def parse_document(text: str, *, path: str = "<text>", fmt: str = "txt", encoding: str | None = "utf-8",
                   sha256: str | None = None, locate=None, reader_warnings: list[dict] | None = None,
                   lexicon=None) -> dict:
    """The ``khplan.plan/v1`` record of extracted text (NFC, ``\\n`` line ends)."""
    return analyse_document(text, path=path, fmt=fmt, encoding=encoding, sha256=sha256, locate=locate,
                            reader_warnings=reader_warnings, lexicon=lexicon)[0]


def analyse_document(text: str, *, path: str = "<text>", fmt: str = "txt", encoding: str | None = "utf-8",
                     sha256: str | None = None, locate=None, reader_warnings: list[dict] | None = None,
                     lexicon=None) -> tuple[dict, Document, Outline]:
    """The plan record together with the text model and outline it was read from (for callers,
    such as ``check``, that look at the structure again)."""
    doc = Document(text)
    outline = build_outline(doc)
    ctx = _Ctx(doc, outline, locate)
    if lexicon is not None:
        ctx._lex = lexicon
    for w in reader_warnings or []:
        ctx.warn(w.get("code", "reader"), w.get("message", ""), None)
    ctx.plan_function = ctx.lex.function_of(
        " ".join([p.text for p in outline.title] + [n.text for s in outline.section_of_kind("purpose", "objectives") for n in s.node.walk()])
    )
    identity = extract_identity(ctx)
    implements, references = extract_citations(ctx)
    objectives = extract_objectives(ctx)
    tasks = extract_tasks(ctx)
    assignments, report_items = extract_assignments(ctx)
    funding = extract_funding(ctx)
    reporting = extract_reporting(ctx, report_items, assignments)
    unclassified = []
    for sec in outline.sections:
        if sec.kind is None:
            ctx.warn("unclassified_section", f"section heading not recognised: {sec.title}", ctx.span_of(sec.node.para.content))
            body = sec.node.paragraphs()[1:]
            c = _joined(body)
            if c.text:
                unclassified.append({"section": sec.id, "heading": sec.title, "text": _norm_ws(c.text), "span": ctx.span_of(c)})
    if not outline.sections:
        ctx.warn("no_sections", "no numbered sections found; the text is kept unclassified", None)
        rest = [n.para for n in outline.preamble] + outline.closing
        c = _joined(rest)
        if c.text:
            unclassified.append({"section": None, "heading": None, "text": _norm_ws(c.text), "span": ctx.span_of(c)})
    if not tasks:
        ctx.warn("no_tasks", "no task section (nhiệm vụ / giải pháp / nội dung) found", None)
    spans = identity.pop("spans", {})
    document = identity
    document["spans"] = spans
    record = {
        "schema": SCHEMA,
        "source": {
            "path": path,
            "sha256": sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "format": fmt,
            "encoding": encoding,
            "characters": len(text),
            "lines": len(doc.lines),
        },
        "document": document,
        "implements": implements,
        "references": references,
        "objectives": objectives,
        "tasks": tasks,
        "assignments": assignments,
        "funding": funding,
        "reporting": reporting,
        "unclassified": unclassified,
        "function": ctx.plan_function,
        "outline": [
            {"id": s.id, "title": s.title, "kind": s.kind, "span": ctx.span_of(s.node.para.content)} for s in outline.sections
        ],
        "warnings": ctx.warnings,
    }
    return record, doc, outline


def prepare_text(text: str) -> str:
    """Text given by a caller, made like a reader's output: NFC, ``\\n`` line ends, no BOM.

    Lone surrogates (text decoded with errors="surrogateescape") cannot be written out: one
    replacement character each keeps every offset.
    """
    from .readers import finish_text

    return _SURROGATE.sub("\ufffd", finish_text(text))


def parse_text(text: str, *, path: str = "<text>", fmt: str = "txt") -> dict:
    return parse_document(prepare_text(text), path=path, fmt=fmt)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def parse_file(path, *, ocr: bool = False, lexicon=None) -> dict:
    from .readers import read_document

    ex = read_document(path, ocr=ocr)
    return parse_document(
        ex.text,
        path=str(path),
        fmt=ex.format,
        encoding=ex.encoding,
        sha256=ex.sha256,
        locate=ex.locate if ex.locators else None,
        reader_warnings=ex.warnings,
        lexicon=lexicon,
    )
