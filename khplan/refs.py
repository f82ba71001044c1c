"""Citations of legal and administrative documents ("Thông báo số 432-TB/VPTW ngày 26/11/2025").

A citation is recognised by its number, whose shape the genre fixes: ``N/YYYY/CODE``
(laws, decrees, circulars), ``N/CODE-ISSUER`` (decisions, plans, letters of state bodies)
or ``N-CODE/ISSUER`` (Party documents). The kind comes from the words before the number,
or from the code inside it; the issuer from the words "của …" after it, or from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex as re

from .dates import date_after
from .vn import fold

KINDS = [
    "Thông tư liên tịch", "Thông báo kết luận", "Thông báo", "Thông tư", "Nghị quyết liên tịch", "Nghị quyết",
    "Nghị định", "Quyết định", "Chỉ thị", "Kết luận", "Kế hoạch liên tịch", "Kế hoạch", "Công văn", "Văn bản",
    "Chương trình hành động", "Chương trình phối hợp", "Chương trình", "Đề án", "Hướng dẫn", "Tờ trình", "Báo cáo",
    "Bộ luật", "Luật", "Pháp lệnh", "Lệnh", "Công điện", "Quy chế", "Quy định", "Hiến pháp",
]
_KIND_RX = "|".join(re.escape(k) for k in KINDS)
# The document number. Letters include Vietnamese capitals (QĐ, NĐ, LĐTBXH, KGVX, TTr).
_CODE = r"[A-ZĐ][A-ZĐa-zđ0-9&]*(?:-[A-ZĐ][A-ZĐa-zđ0-9&]*)*"
NUMBER = (
    r"(?P<number>\d{1,5}[a-z]?\s*"
    r"(?:/\s*\d{4}\s*/\s*" + _CODE + r"(?:\s*-\s*" + _CODE + r")?"  # 56/2017/NĐ-CP, 102/2016/QH13
    r"|/\s*" + _CODE + r"(?:\s*-\s*" + _CODE + r")?(?:\s*/\s*" + _CODE + r")?"  # 1438/QĐ-TTg, 66 /KH- UBND
    r"|-\s*" + _CODE + r"\s*/\s*" + _CODE + r"(?:\s*-\s*" + _CODE + r")?"  # 432-TB/VPTW, 28-CT/TW
    r"))"
)
CITATION = re.compile(
    r"(?:(?P<kind>" + _KIND_RX + r")\b(?:\s+(?:số|Số))?\s*:?\s*|(?<![\p{L}\d])(?:[Ss]ố)\s*:?\s*)" + NUMBER + r"(?![\p{L}\d])",
    re.IGNORECASE | re.VERSION1,
)
_OF = re.compile(
    r"\s*(?:ngày\s*(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|\d{1,2}\s*tháng\s*\d{1,2}\s*năm\s*\d{4})\s*)?,?\s*của\s+"
    r"(?P<issuer>(?:Bộ trưởng\s+)?[\p{Lu}Đ][^,;:()\n]*?)"
    r"(?=\s+(?:về|thực hiện|triển khai|phê duyệt|ban hành|quy định|hướng dẫn|thông báo|tại|tiếp tục|đối với|v/v|V/v)\b|[,;:(.\n]|$)"
)


@lru_cache(maxsize=1)
def _issuer_codes() -> dict:
    import importlib.resources as ir

    import yaml

    data = yaml.safe_load(ir.files("khplan").joinpath("data/issuers.yaml").read_text(encoding="utf-8"))
    return data


def normalise_number(raw: str) -> str:
    return re.sub(r"\s+", "", raw)


def _parts(number: str) -> list[str]:
    return [p for p in re.split(r"[/\-]", number) if p and not p.isdigit()]


def kind_from_number(number: str) -> str | None:
    codes = _issuer_codes()["kind"]
    parts = _parts(number)
    for p in parts:
        if p in codes:
            return codes[p]
        if re.fullmatch(r"QH\d+", p):
            return "Luật"
    return None


def issuer_from_number(number: str) -> str | None:
    codes = _issuer_codes()["suffix"]
    parts = _parts(number)
    for p in reversed(parts):
        if p in codes:
            return codes[p]
        m = re.fullmatch(r"(QH|UBTVQH)\d+", p)
        if m:
            return codes[m.group(1)]
    return None


_CANON_KIND = {fold(k): k for k in KINDS}

_EXTRA_ISSUERS = [
    "Ủy ban nhân dân tỉnh", "Ủy ban nhân dân thành phố", "UBND tỉnh", "UBND thành phố", "Ban Thường vụ Tỉnh ủy",
    "Ban Chấp hành Trung ương", "Ban Chấp hành Đảng bộ tỉnh", "Ban Bí thư", "Bộ Chính trị", "Hội đồng nhân dân tỉnh",
    "HĐND tỉnh", "Thường trực Tỉnh ủy", "Quốc hội", "Chính phủ", "Thủ tướng Chính phủ",
]


@lru_cache(maxsize=1)
def _known_issuers() -> list[tuple[str, int]]:
    names = set(_issuer_codes()["suffix"].values()) | set(_EXTRA_ISSUERS)
    return sorted(((fold(n), len(n.split())) for n in names), key=lambda p: -len(p[0]))


def trim_issuer(issuer: str) -> str:
    """Cut what follows a known issuer name: "Chính phủ Quy định chi tiết…" -> "Chính phủ"."""
    f = fold(issuer)
    words = issuer.split()
    for known, n in _known_issuers():
        if f == known:
            return issuer
        if f.startswith(known + " "):
            nxt = words[n] if n < len(words) else ""
            # Keep a province or place name that completes the issuer ("… tỉnh Cao Bằng").
            if nxt[:1].isupper() and known.endswith(("tinh", "thanh pho")):
                k = n
                while k < len(words) and k < n + 4 and words[k][:1].isupper():
                    k += 1
                return " ".join(words[:k])
            return " ".join(words[:n])
    return issuer


@dataclass
class Citation:
    kind: str | None
    number: str
    issuer: str | None
    date: str | None
    date_text: str | None
    raw: str
    start: int
    end: int
    date_valid: bool = True

    def to_ref(self, span: dict) -> dict:
        return {
            "kind": self.kind,
            "number": self.number,
            "issuer": self.issuer,
            "date": self.date,
            "raw": self.raw,
            "span": span,
        }


_HAS_NUMBER = __import__("re").compile(r"\d\s*[/-]\s*(?:\d{4}\s*/\s*)?[A-ZĐ]")


def find_citations(text: str) -> list[Citation]:
    """All citations in ``text`` (a clean paragraph), in order."""
    out: list[Citation] = []
    if not _HAS_NUMBER.search(text):
        return out
    for m in CITATION.finditer(text):
        number = normalise_number(m.group("number"))
        if "/" not in number:
            continue
        kind_word = m.group("kind")
        kind = _CANON_KIND.get(fold(kind_word)) if kind_word else None
        if kind is None:
            kind = kind_from_number(number)
        if kind in ("Văn bản", "Công văn") and kind_word is None:
            kind = "Công văn"
        end = m.end()
        date = date_after(text, end)
        iso, dtext, valid = None, None, True
        if date is not None:
            iso, dtext, valid = date.iso, date.text, date.valid
            end = date.end
        issuer = None
        of = _OF.match(text, m.end())
        if of:
            issuer = of.group("issuer").strip()
            issuer = re.sub(r"^Bộ trưởng\s+", "", issuer)
            issuer = trim_issuer(issuer)
        if not issuer:
            issuer = issuer_from_number(number)
        out.append(Citation(kind, number, issuer, iso, dtext, text[m.start():end].strip(), m.start(), end, valid))
    return out
