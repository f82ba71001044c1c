"""Equivalence: each sample's Word and PDF renderings parse to the same plan as its text form.

The renderings (samples/docx, samples/pdf, samples/tables) are made from the text by
scripts/make_renderings.py with real Word auto-numbering, a header table, footnotes, page
numbers, and PDF through LibreOffice. Compared: identity (type, number, issuer, province,
place, date, year, title folded, signer name and title), tasks (ids, titles folded with
khplan.vn.fold, activity counts, lead and coordinating body names folded, subtasks), bodies of
each assignment and the text of its duties, reporting (frequency and deadline).

Differences that are expected and not compared:
* spans — line numbers and offsets index different extracted texts (the .txt keeps its hard
  wraps and blank-line layout, Word/PDF give one paragraph per line); PDF spans add pages;
* source (path, format, sha256, encoding) and reader warnings;
* the number of duty paragraphs of an assignment: the hard-wrapped Cao Bằng text
  ("8. Sở Thông / tin và Truyền thông / Tăng cường …") runs the body line into the following
  duty, which Word and PDF keep as two paragraphs; the duties' joined text is compared instead;
* recipients' markup: the text form writes a superscript as "^{KH}".
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from khplan.vn import fold

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
STEMS = [p.stem for p in sorted(SAMPLES.glob("*.txt"))]
TABLE_STEM = "lao-cai-2025-he-tre-em"
LEGACY_STEM = "dien-bien-2026-tre-em-khuyet-tat-den-truong"


@lru_cache(maxsize=None)
def plan(path: str) -> dict:
    from khplan import parse_file

    return parse_file(path)


def _names(bodies) -> list[str]:
    return sorted(fold(b["name"]) for b in bodies or [])


def _tasks(tasks) -> list:
    return [
        {
            "id": t["id"],
            "title": fold(t.get("title") or ""),
            "activities": len(t.get("activities") or []),
            "lead": _names(t.get("lead")),
            "coordinating": _names(t.get("coordinating")),
            "deadline": (t.get("deadline") or {}).get("date"),
            "subtasks": _tasks(t.get("subtasks") or []),
        }
        for t in tasks
    ]


def summary(p: dict) -> dict:
    d = p["document"]
    signer = d.get("signer") or {}
    return {
        "identity": {
            **{k: d.get(k) for k in ("type", "number", "issuer", "province", "place", "date", "year")},
            "title": fold(d.get("title") or ""),
            "signer": {k: signer.get(k) for k in ("name", "title", "authority")},
        },
        "tasks": _tasks(p["tasks"]),
        "assignments": [
            {"bodies": _names(a["bodies"]), "duties": re.sub(r"\s+", " ", fold(" ".join(x["text"] for x in a["duties"])))}
            for a in p["assignments"]
        ],
        "reporting": [
            {"frequency": r.get("frequency"), "deadline": json.dumps({k: v for k, v in (r.get("deadline") or {}).items() if k != "span"}, sort_keys=True, ensure_ascii=False)}
            for r in p["reporting"]
        ],
    }


CASES = [(f"{s}.txt", f"{fmt}/{s}.{fmt}") for s in STEMS for fmt in ("docx", "pdf")]
CASES += [(f"tables/{TABLE_STEM}.md", f"tables/{TABLE_STEM}.{fmt}") for fmt in ("docx", "pdf")]
CASES += [(f"legacy/{LEGACY_STEM}.txt", f"legacy/{LEGACY_STEM}.vni.docx")]


@pytest.mark.parametrize("ref,other", CASES, ids=[c[1] for c in CASES])
def test_rendering_parses_like_the_text(ref, other):
    a = summary(plan(str(SAMPLES / ref)))
    b = summary(plan(str(SAMPLES / other)))
    assert b["identity"] == a["identity"]
    assert b["tasks"] == a["tasks"]
    assert b["assignments"] == a["assignments"]
    assert b["reporting"] == a["reporting"]


def test_task_table_plan_has_its_tasks():
    p = plan(str(SAMPLES / "tables" / f"{TABLE_STEM}.docx"))
    assert len(p["tasks"]) == 6
    first = p["tasks"][0]
    assert _names(first["lead"]) == [fold("Sở Văn hóa, Thể thao và Du lịch")]


def test_pdf_spans_carry_pages():
    p = plan(str(SAMPLES / "pdf" / "hung-yen-2026-tb432-tre-em-hcdb.pdf"))
    pages = [t["span"].get("page") for t in p["tasks"]]
    assert all(isinstance(x, int) and x >= 1 for x in pages) and pages == sorted(pages)


def test_tcvn3_text_parses_like_the_original_up_to_case():
    a = summary(plan(str(SAMPLES / "legacy" / f"{LEGACY_STEM}.txt")))
    b = summary(plan(str(SAMPLES / "legacy" / f"{LEGACY_STEM}.tcvn3.txt")))
    # TCVN3 text files have no capital toned letters; fold() ignores case and marks
    assert [t["id"] for t in b["tasks"]] == [t["id"] for t in a["tasks"]]
    assert [t["title"] for t in b["tasks"]] == [t["title"] for t in a["tasks"]]
    assert b["reporting"] == a["reporting"]
