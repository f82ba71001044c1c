"""The outline of a plan: header, title, preamble, Roman-numbered sections and their item trees."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex as re

from .textmodel import Document, Paragraph, from_doc_type, is_caps
from .vn import fold, int_to_roman, roman_to_int


@dataclass
class Node:
    para: Paragraph
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = None

    @property
    def marker(self):
        return self.para.marker

    @property
    def text(self) -> str:
        return self.para.text

    def walk(self):
        """This node's descendants in document order."""
        for ch in self.children:
            yield ch
            yield from ch.walk()

    def paragraphs(self) -> list[Paragraph]:
        return [self.para] + [n.para for n in self.walk()]


@dataclass
class Section:
    id: str  # "II"
    number: int | None
    title: str
    kind: str | None
    node: Node  # heading node; items are its children


@dataclass
class Outline:
    doc: Document
    header: list[Paragraph]
    doc_type: str | None
    title: list[Paragraph]
    preamble: list[Node]
    sections: list[Section]
    closing: list[Paragraph]
    tail: list[Paragraph]  # "Nơi nhận", signature: after the body
    footnotes: dict[str, Paragraph]

    def section_of_kind(self, *kinds: str) -> list[Section]:
        return [s for s in self.sections if s.kind in kinds]


@lru_cache(maxsize=1)
def sections_data() -> dict:
    import importlib.resources as ir

    import yaml

    return yaml.safe_load(ir.files("khplan").joinpath("data/sections.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=4096)
def classify_heading(title: str) -> str | None:
    """The section kind of a heading, from the variants in ``data/sections.yaml``."""
    f = fold(title)
    best = None  # (position, -length, kind)
    for entry in sections_data()["kinds"]:
        for v in entry["variants"]:
            fv = fold(v)
            pos = _find_word(f, fv)
            if pos >= 0:
                cand = (pos, -len(fv), entry["kind"])
                if best is None or cand < best:
                    best = cand
    if best:
        return best[2]
    # Typos ("ĐỐI TƯ QỌNG"): a close match of a variant's words at the start of the heading.
    from rapidfuzz import fuzz

    words = re.sub(r"[^\w\s]", " ", f).split()
    score_best = (0.0, None)
    for entry in sections_data()["kinds"]:
        for v in entry["variants"]:
            fv = fold(v)
            n = len(fv.split())
            if len(fv) < 6:
                continue  # short names are matched exactly or not at all
            s = max(fuzz.ratio(fv, " ".join(words[:n])), fuzz.ratio(fv, " ".join(words[: n + 1])))
            if s > score_best[0]:
                score_best = (s, entry["kind"])
    return score_best[1] if score_best[0] >= 85 else None


def _find_word(hay: str, needle: str) -> int:
    m = re.search(r"(?<![\p{L}\d])" + re.escape(needle) + r"(?![\p{L}\d])", hay)
    return m.start() if m else -1


_SIGNATURE = re.compile(r"^(?:TM|KT|Q|TL|TUQ)\s*\.\s*\S", re.IGNORECASE)
_SIGNER_TITLE = re.compile(r"^(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|GIÁM\s+ĐỐC|BÍ\s+THƯ|TRƯỞNG\s+BAN|CHÁNH\s+VĂN\s+PHÒNG)$")
_RECIPIENTS = re.compile(r"^Nơi\s+nhận\s*:?", re.IGNORECASE)
_INTRO = re.compile(
    r"^(?:Thực\s+hiện|Căn\s+cứ|Triển\s+khai|Trên\s+cơ\s+sở|Thi\s+hành|Cụ\s+thể\s+hóa|Cụ\s+thể\s+hoá|Nhằm|Để|Theo|"
    r"Ngày\s+\d|Tiếp\s+tục|Qua|Xét|Sau\s+khi|Ủy\s+ban\s+nhân\s+dân|UBND)\b",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^(?:Trên\s+đây\s+là|Nhận\s+được|Nhận\s+Kế\s+hoạch|Căn\s+cứ\s+(?:nội\s+dung\s+)?Kế\s+hoạch\s+này\s*,|Yêu\s+cầu|"
    r"Đề\s+nghị\s+(?:các|Thủ\s+trưởng)|Trong\s+quá\s+trình|Quá\s+trình|Ủy\s+ban\s+nhân\s+dân\s+(?:tỉnh|xã|phường|thành\s+phố)\s+yêu\s+cầu|"
    r"UBND\s+(?:tỉnh|xã|phường|thành\s+phố)\s+yêu\s+cầu|Định\s+kỳ|Giao\s+Sở)",
    re.IGNORECASE,
)


_LABEL_LINE = re.compile(
    r"^(?:Thực\s+hiện|Cơ\s+quan\s+chủ\s+trì|Đơn\s+vị\s+chủ\s+trì|Chủ\s+trì|Cơ\s+quan\s+phối\s+hợp|Đơn\s+vị\s+phối\s+hợp|"
    r"Phối\s+hợp|Thời\s+gian(?:\s+thực\s+hiện|\s+hoàn\s+thành)?|Thời\s+hạn|Cơ\s+quan\s+thực\s+hiện|Đơn\s+vị\s+thực\s+hiện|Sản\s+phẩm)\s*:",
    re.IGNORECASE,
)


def _is_section_heading(p: Paragraph, allow_num: bool) -> bool:
    mk = p.marker
    if mk is None:
        # An unnumbered all-capital heading that names a known section.
        return is_caps(p.text) and len(p.text) < 120 and classify_heading(p.text) is not None
    if mk.kind in ("roman", "part"):
        return True
    if mk.kind == "upletter":
        # "A. MỤC ĐÍCH, YÊU CẦU": capital-letter parts used as sections.
        return is_caps(p.text) and classify_heading(p.text) is not None
    if allow_num and mk.kind == "num" and mk.depth == 1:
        return is_caps(p.text) and classify_heading(p.text) is not None
    return False


def _signature(p: Paragraph) -> str:
    mk = p.marker
    if mk is None:
        return "text"
    if mk.kind == "num":
        return f"num{mk.depth}"
    if mk.kind == "bullet":
        return f"bullet{mk.value}"
    return mk.kind


def build_outline(doc: Document) -> Outline:
    paras = [p for p in doc.paragraphs if p.kind != "separator"]
    footnotes: dict[str, Paragraph] = {}
    body: list[Paragraph] = []
    for p in paras:
        if p.footnote is not None:
            footnotes.setdefault(p.footnote, p)
        else:
            body.append(p)

    # The end of the body: the recipients list or the signature block, whichever is first
    # after the last section heading.
    has_roman = any(p.marker and p.marker.kind in ("roman", "part") for p in body)
    end = len(body)
    for i, p in enumerate(body):
        if _RECIPIENTS.match(p.text) or (_SIGNATURE.match(p.text) and is_caps(p.text)) or (
            p.marker is None and _SIGNER_TITLE.match(p.text)
        ):
            later_sections = any(
                q.marker and q.marker.kind in ("roman", "part") for q in body[i + 1:]
            )
            if not later_sections:
                end = i
                break
    tail = body[end:]
    body = body[:end]

    # Document type and title.
    doc_type, type_idx = None, None
    for i, p in enumerate(body[:40]):
        t = from_doc_type(p.text)
        if t and p.marker is None:
            doc_type, type_idx = t, i
            break
    first_section = None
    for i, p in enumerate(body):
        if (type_idx is None or i > type_idx) and _is_section_heading(p, allow_num=not has_roman):
            first_section = i
            break
    if first_section is None:
        first_section = len(body)
    header = body[:type_idx] if type_idx is not None else []
    title: list[Paragraph] = []
    pre_start = (type_idx + 1) if type_idx is not None else 0
    if type_idx is not None:
        j = type_idx + 1
        if j < first_section:
            title.append(body[j])
            j += 1
        # A capitalised title may run over several lines/paragraphs.
        while j < first_section and is_caps(title[-1].text) and is_caps(body[j].text) and not _INTRO.match(body[j].text):
            title.append(body[j])
            j += 1
        pre_start = j
    else:
        # No type line: the header is what precedes the first paragraph that reads as text.
        for i, p in enumerate(body[:first_section]):
            if _INTRO.match(p.text):
                header = body[:i]
                pre_start = i
                break
        else:
            header, pre_start = [], 0

    # Closing paragraphs: unnumbered paragraphs at the very end that speak to the whole plan.
    closing: list[Paragraph] = []
    k = len(body)
    while k > first_section and body[k - 1].marker is None and body[k - 1].kind == "text":
        k -= 1
    run = body[k:]
    for idx, p in enumerate(run):
        if _CLOSING.match(p.text):
            closing = run[idx:]
            body = body[: k + idx]
            break

    # Sections and item trees.
    preamble = [Node(p) for p in body[pre_start:first_section]]
    sections: list[Section] = []
    stack: list[tuple[str, Node]] = []
    for p in body[first_section:]:
        if _is_section_heading(p, allow_num=not has_roman):
            node = Node(p)
            mk = p.marker
            if mk is not None and mk.kind == "upletter":
                sid, number = mk.value, None
            elif mk is not None and mk.kind in ("roman", "part"):
                sid = mk.value if mk.value else str(len(sections) + 1)
                number = roman_to_int(mk.value) if mk.kind == "roman" else None
            elif mk is not None and mk.kind == "num":
                sid, number = mk.value, int(mk.value)
            else:
                number = len(sections) + 1
                sid = int_to_roman(number)
            heading = p.text.strip().rstrip(":")
            sections.append(Section(sid, number, heading, classify_heading(heading), node))
            stack = [("section", node)]
            continue
        node = Node(p)
        sig = _signature(p)
        if sig == "text":
            # A responsibility or label line after a bulleted list ("Thực hiện: …",
            # "Chủ trì: …") speaks for the item that holds the list, not for its last bullet.
            if _LABEL_LINE.match(p.text):
                while len(stack) > 1 and stack[-1][0].startswith("bullet"):
                    stack.pop()
            parent = stack[-1][1]
        else:
            # A marker seen before at an open level closes that level (a sibling);
            # otherwise it opens a new level below the current one.
            level = next((i for i in range(len(stack) - 1, 0, -1) if stack[i][0] == sig), None)
            if level is not None:
                del stack[level:]
            elif sig.startswith("num") and len(stack) > 1:
                # "1.2." closes deeper lettered/bulleted levels opened under "1.1.".
                depth = int(sig[3:])
                while len(stack) > 1 and stack[-1][0].startswith("num") and int(stack[-1][0][3:]) >= depth:
                    stack.pop()
                while len(stack) > 1 and not stack[-1][0].startswith("num"):
                    stack.pop()
                while len(stack) > 1 and stack[-1][0].startswith("num") and int(stack[-1][0][3:]) >= depth:
                    stack.pop()
            parent = stack[-1][1]
            stack.append((sig, node))
        node.parent = parent
        parent.children.append(node)
    return Outline(doc, header, doc_type, title, preamble, sections, closing, tail, footnotes)
