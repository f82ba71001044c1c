"""Vietnamese dates: "ngày 29 tháng 3 năm 2022", "29/3/2022", "ngày tháng năm 2026" (blank)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import regex as re

# "ngày 29 tháng 3 năm 2022" — day and month may be blank in a draft.
WORDED = re.compile(
    r"ngày\s*(?P<d>\d{1,2})?\s*(?:[-/]\s*)?tháng\s*(?P<m>\d{1,2})?\s*(?:[-/]\s*)?năm\s*(?P<y>\d{4})", re.IGNORECASE
)
NUMERIC = re.compile(r"(?<![\d/])(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{2,4})(?![\d/])")
DAY_MONTH = re.compile(r"(?<![\d/])(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?![\d/])")


@dataclass
class VnDate:
    day: int | None
    month: int | None
    year: int | None
    start: int
    end: int
    text: str

    @property
    def iso(self) -> str | None:
        if self.day and self.month and self.year:
            try:
                return _dt.date(self.year, self.month, self.day).isoformat()
            except ValueError:
                return None
        return None

    @property
    def valid(self) -> bool:
        if self.day is None and self.month is None:
            return self.year is not None
        return self.iso is not None


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def find_date(text: str, pos: int = 0, endpos: int | None = None, *, numeric: bool = True) -> VnDate | None:
    """The first worded or numeric full date in text[pos:endpos]."""
    endpos = len(text) if endpos is None else endpos
    best = None
    for rx in (WORDED, NUMERIC) if numeric else (WORDED,):
        m = rx.search(text, pos, endpos)
        if m and (best is None or m.start() < best.start()):
            best = m
    if best is None:
        return None
    y = best.group("y")
    year = int(y) if len(y) == 4 else None
    return VnDate(_int(best.group("d")), _int(best.group("m")), year, best.start(), best.end(), best.group(0))


def date_after(text: str, pos: int, window: int = 40) -> VnDate | None:
    """A date that directly follows position ``pos`` ("… số 66/KH-UBND ngày 18/02/2019")."""
    m = re.compile(r"\s*,?\s*(?:ban hành\s+)?ngày\s*").match(text, pos)
    if not m:
        return None
    d = find_date(text, pos, min(len(text), pos + window + 20))
    if d is None or d.start > m.end():
        # find_date starts at "ngày" for worded dates; numeric ones start after it.
        if d is not None and d.start <= m.end() + 1:
            return d
        return None
    return d
