#!/usr/bin/env python3
"""Synthetic corpus of plans for benchmarks and robustness tests.

Makes K realistic plans by recombining and perturbing the sections of the five sample plans:

* a frame (header, title, preamble, closing and signature) from one sample, and for each part
  of the genre (objectives, scope, tasks, funding, organisation, reporting) a section taken
  from any sample that has one; optional parts are sometimes dropped;
* Roman sections renumbered, task/assignment items shuffled, dropped or duplicated and
  renumbered (sub-items "1.2." follow their item);
* body names swapped among a list of real body names (before and after the 2025
  reorganisation), the province swapped among real provinces, number and date changed;
* lines re-wrapped at about 80 characters, old/new tone placement (hoà/hòa), Markdown
  decorations, CRLF, NFD, UTF-8 with BOM, UTF-16 with and without BOM; .txt, .md or .docx.

Everything is deterministic from ``--seed``: document i is made from ``Random(f"{seed}:{i}")``,
so a corpus can be regenerated (or extended) exactly. The corpus is never committed
(``corpus/`` is git-ignored).

    python scripts/make_corpus.py --seed 1 --count 2000 --out corpus/c1 [--formats txt,md,docx]

Library use (bench, tests): ``generate(seed, i, formats)`` -> ``Plan(name, data, meta)``.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import textwrap
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT))

from khplan.vn import int_to_roman  # noqa: E402

# --- real names ---------------------------------------------------------------------------

BODIES = [
    # provincial departments before the 2025 reorganisation
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Thông tin và Truyền thông",
    "Sở Nội vụ",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và Môi trường",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Khoa học và Công nghệ",
    "Ban Dân tộc tỉnh",
    # after the reorganisation
    "Sở Nông nghiệp và Môi trường",
    "Sở Dân tộc và Tôn giáo",
    # other provincial bodies
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh",
    "Ngân hàng Chính sách xã hội chi nhánh tỉnh",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Hội Liên hiệp Phụ nữ tỉnh",
    "Tỉnh đoàn",
    "Hội Nông dân tỉnh",
    "Hội Chữ thập đỏ tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Hội Bảo trợ người khuyết tật và trẻ mồ côi tỉnh",
]
# Local-government bodies swap among themselves (a commune plan says "xã", a 2019 one "huyện").
LOCAL_BODIES = [
    "Ủy ban nhân dân các huyện, thành phố",
    "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Ủy ban nhân dân xã, phường",
    "Ủy ban nhân dân các xã, phường, thị trấn",
    "UBND các huyện, thành phố",
    "UBND các xã, phường",
]
PROVINCES = [
    "Hà Giang", "Tuyên Quang", "Lào Cai", "Yên Bái", "Lai Châu", "Điện Biên", "Sơn La", "Hòa Bình",
    "Lạng Sơn", "Cao Bằng", "Bắc Kạn", "Thái Nguyên", "Phú Thọ", "Vĩnh Phúc", "Bắc Giang", "Bắc Ninh",
    "Quảng Ninh", "Hải Dương", "Hưng Yên", "Thái Bình", "Nam Định", "Hà Nam", "Ninh Bình", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên",
    "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng",
    "Bình Phước", "Tây Ninh", "Bình Dương", "Đồng Nai", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh",
    "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau",
]
SAMPLE_PROVINCES = ["Cao Bằng", "Bắc Kạn", "Hưng Yên", "Hung Yên", "Thái Nguyên"]

# --- reading the samples into parts ----------------------------------------------------------

_ROMAN_HEAD = re.compile(r"^(?P<pre>\s*(?:#{1,6}\s*)?(?:\*\*)?)(?P<num>[IVX]{1,4})\.(?P<rest>\s*\S.*)$")
_ITEM = re.compile(r"^(?P<pre>(?:\*\*)?)(?P<num>\d{1,2})\.(?!\d)(?P<rest>\s+\S.*)$")
_CLOSING = re.compile(r"^\s*(?:\*\*)?\s*(?:Nơi nhận|Trên đây là|Nhận Kế hoạch|TM\.|KT\.)")
_KINDS = [
    ("tasks", re.compile(r"NHIỆM VỤ|GIẢI\s*PHÁP|NỘI DUNG|GIẢI$")),
    ("objectives", re.compile(r"MỤC ĐÍCH|MỤC TIÊU|YÊU CẦU")),
    ("scope", re.compile(r"ĐỐI TƯ|PHẠM VI")),
    ("funding", re.compile(r"KINH PHÍ")),
    ("organisation", re.compile(r"TỔ CHỨC")),
    ("reporting", re.compile(r"BÁO CÁO")),
]
ORDER = ["objectives", "scope", "tasks", "funding", "organisation", "reporting"]
# Probability that an optional part is left out of a plan.
DROP = {"objectives": 0.05, "scope": 0.6, "tasks": 0.0, "funding": 0.2, "organisation": 0.05, "reporting": 0.35}


@dataclass
class Section:
    kind: str
    source: str
    heading: list[str]  # the heading line(s) as written
    body: list[str]


@dataclass
class Sample:
    name: str
    head: list[str]
    sections: list[Section]
    tail: list[str]
    hard_wrapped: bool


def _kind(title: str) -> str:
    t = title.upper()
    for kind, rx in _KINDS:
        if rx.search(t):
            return kind
    return "other"


@lru_cache(maxsize=None)
def load_samples() -> tuple[Sample, ...]:
    out = []
    for path in sorted(SAMPLES.glob("*.txt")):
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8-sig")).replace("\r\n", "\n")
        lines = text.split("\n")
        starts = [i for i, ln in enumerate(lines) if _ROMAN_HEAD.match(ln)]
        if not starts:
            continue
        head = lines[: starts[0]]
        sections = []
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else len(lines)
            m = _ROMAN_HEAD.match(lines[s])
            sections.append(Section(_kind(m.group("rest")), path.stem, [lines[s]], lines[s + 1 : e]))
        # The closing (sentence, signature, recipients) is cut from the last section.
        last = sections[-1]
        cut = next((i for i, ln in enumerate(last.body) if _CLOSING.match(ln)), len(last.body))
        tail = last.body[cut:]
        last.body = last.body[:cut]
        long_lines = sum(1 for ln in lines if len(ln) > 120)
        out.append(Sample(path.stem, head, sections, tail, hard_wrapped=long_lines < 5))
    return tuple(out)


# --- perturbations ----------------------------------------------------------------------------


def _items(body: list[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Split a section body into its preamble and its top-level numbered items."""
    pre: list[str] = []
    items: list[tuple[int, list[str]]] = []
    for ln in body:
        m = _ITEM.match(ln)
        if m:
            items.append((int(m.group("num")), [ln]))
        elif items:
            items[-1][1].append(ln)
        else:
            pre.append(ln)
    return pre, items


def _renumber_item(lines: list[str], old: int, new: int) -> list[str]:
    out = []
    sub = re.compile(rf"^(\s*(?:\*\*)?\s*){old}\.(?=\d)")
    for k, ln in enumerate(lines):
        if k == 0:
            m = _ITEM.match(ln)
            ln = f"{m.group('pre')}{new}.{m.group('rest')}"
        else:
            ln = sub.sub(lambda m: f"{m.group(1)}{new}.", ln)
        out.append(ln)
    return out


def shuffle_items(rng: random.Random, body: list[str], ops: list[str]) -> list[str]:
    pre, items = _items(body)
    if len(items) < 2:
        return body
    order = list(range(len(items)))
    if rng.random() < 0.5:
        rng.shuffle(order)
        ops.append("shuffle")
    if len(order) > 3 and rng.random() < 0.3:
        del order[rng.randrange(len(order))]
        ops.append("drop-item")
    if rng.random() < 0.1:
        order.insert(rng.randrange(len(order) + 1), rng.choice(order))
        ops.append("dup-item")
    out = list(pre)
    for new, k in enumerate(order, start=1):
        old, lines = items[k]
        block = _renumber_item(lines, old, new)
        if block and block[-1].strip() and out and not out[-1].strip():
            pass
        out.extend(block)
    return out


def _sub_names(text: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return text
    rx = re.compile(r"(?<![\w])(" + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)) + r")(?![\w])")
    return rx.sub(lambda m: mapping[m.group(1)], text)


def swap_bodies(rng: random.Random, text: str, ops: list[str]) -> str:
    mapping: dict[str, str] = {}
    for pool in (BODIES, LOCAL_BODIES):
        present = [b for b in pool if b in text]
        for b in present:
            if rng.random() < 0.5:
                mapping[b] = rng.choice(pool)
    mapping = {k: v for k, v in mapping.items() if k != v}
    if mapping:
        ops.append(f"bodies:{len(mapping)}")
    return _sub_names(text, mapping)


def swap_province(rng: random.Random, text: str, ops: list[str]) -> str:
    target = rng.choice(PROVINCES)
    mapping = {p: target for p in SAMPLE_PROVINCES if p != target}
    mapping.update({p.upper(): target.upper() for p in SAMPLE_PROVINCES if p != target})
    ops.append(f"province:{target}")
    return _sub_names(text, mapping)


def change_identity(rng: random.Random, text: str, ops: list[str]) -> str:
    def number(m):
        n = "" if rng.random() < 0.1 else str(rng.randint(1, 4999))
        return f"{m.group(1)}{n}{m.group(2)}"

    text = re.sub(r"(Số:\s*)\d*(\s*/\s*KH)", number, text, count=1)
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    text, n = re.subn(r"(,\s*ngày\s+)\d{1,2}(\s+tháng\s+)\d{1,2}(\s+năm)", lambda m: f"{m.group(1)}{day:02d}{m.group(2)}{month}{m.group(3)}", text, count=1)
    if n:
        ops.append("date")
    return text


# Tone placement in the syllables oa, oe, uy (no final consonant): "hòa" (old) / "hoà" (new).
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}


def _move_tone(text: str, style: str) -> str:
    nfd = unicodedata.normalize("NFD", text)
    tone = "([\u0300\u0301\u0309\u0303\u0323])"
    glide = "(?:([oO])([aAeE])|(?<![qQgG])([uU])([yY]))"
    end = "(?![\\w\u0300-\u036f])"
    if style == "new":
        # "hòa" -> "hoà": the tone moves from the glide o/u to the main vowel
        rx = re.compile(r"(?:([oO])" + tone + r"([aAeE])|(?<![qQgG])([uU])" + tone + r"([yY]))" + end)
        nfd = rx.sub(lambda m: (m.group(1) + m.group(3) + m.group(2)) if m.group(1) else (m.group(4) + m.group(6) + m.group(5)), nfd)
    else:
        rx = re.compile(glide + tone + end)
        nfd = rx.sub(lambda m: (m.group(1) + m.group(5) + m.group(2)) if m.group(1) else (m.group(3) + m.group(5) + m.group(4)), nfd)
    return unicodedata.normalize("NFC", nfd)


def rewrap(rng: random.Random, lines: list[str]) -> list[str]:
    width = rng.randint(72, 88)
    out = []
    for ln in lines:
        if len(ln) <= width:
            out.append(ln)
            continue
        out.extend(textwrap.wrap(ln, width=width, break_long_words=False, break_on_hyphens=False) or [ln])
    return out


def decorate(rng: random.Random, lines: list[str]) -> list[str]:
    out = []
    for ln in lines:
        m = _ROMAN_HEAD.match(ln)
        if m and "#" not in m.group("pre") and "**" not in ln:
            ln = f"## **{ln.strip()}**" if rng.random() < 0.5 else f"## {ln.strip()}"
        elif re.match(r"^\s*(KẾ HOẠCH|Kế hoạch)\s*$", ln) and "#" not in ln:
            ln = "# " + ln.strip()
        else:
            ln = re.sub(r"(?<=[\s.])(Cơ quan chủ trì|Cơ quan phối hợp|Thực hiện):", r"*\1:*", ln)
        out.append(ln)
    return out


# --- a plan -----------------------------------------------------------------------------------


@dataclass
class Plan:
    name: str
    data: bytes
    meta: dict = field(default_factory=dict)


ENCODINGS = {"utf-8": 0.7, "utf-8-sig": 0.1, "utf-16": 0.1, "utf-16-le": 0.1}


def compose(rng: random.Random, ops: list[str]) -> tuple[list[str], dict]:
    samples = load_samples()
    frame = rng.choice(samples)
    by_kind: dict[str, list[Section]] = {}
    for s in samples:
        for sec in s.sections:
            by_kind.setdefault(sec.kind, []).append(sec)
    chosen: list[Section] = []
    for kind in ORDER:
        pool = by_kind.get(kind, [])
        if not pool or rng.random() < DROP[kind]:
            continue
        n = 2 if kind == "tasks" and rng.random() < 0.15 else 1
        chosen.extend(rng.choice(pool) for _ in range(n))
    lines = list(frame.head)
    for no, sec in enumerate(chosen, start=1):
        m = _ROMAN_HEAD.match(sec.heading[0])
        roman = int_to_roman(no)
        lines.append(f"{m.group('pre')}{roman}.{m.group('rest')}")
        lines.extend(sec.heading[1:])
        body = sec.body
        if sec.kind in ("tasks", "organisation"):
            body = shuffle_items(rng, body, ops)
        lines.extend(body)
    lines.extend(frame.tail)
    return lines, {"frame": frame.name, "sections": [f"{s.kind}:{s.source}" for s in chosen]}


def plan_text(seed: int, i: int) -> tuple[str, dict, random.Random]:
    rng = random.Random(f"{seed}:{i}")
    ops: list[str] = []
    lines, meta = compose(rng, ops)
    if rng.random() < 0.2:
        lines = rewrap(rng, lines)
        ops.append("rewrap")
    text = "\n".join(lines)
    text = swap_bodies(rng, text, ops)
    text = swap_province(rng, text, ops)
    text = change_identity(rng, text, ops)
    r = rng.random()
    if r < 0.15:
        text = _move_tone(text, "new")
        ops.append("tone-new")
    elif r < 0.3:
        text = _move_tone(text, "old")
        ops.append("tone-old")
    meta["ops"] = ops
    return text, meta, rng


def generate(seed: int, i: int, formats: tuple[str, ...] = ("txt",), encodings: dict[str, float] | None = None) -> Plan:
    text, meta, rng = plan_text(seed, i)
    fmt = formats[0] if len(formats) == 1 else rng.choice(formats)
    ops = meta["ops"]
    stem = f"{i:05d}-{meta['frame'].split('-')[0]}-{meta['frame'].split('-')[1]}"
    if fmt == "docx":
        data = to_docx(text)
        meta.update(format="docx", encoding=None)
        return Plan(f"{stem}.docx", data, meta)
    if fmt == "md" or rng.random() < 0.05:
        text = "\n".join(decorate(rng, text.split("\n")))
        ops.append("markdown")
    if rng.random() < 0.1:
        text = unicodedata.normalize("NFD", text)
        ops.append("nfd")
    if rng.random() < 0.15:
        text = text.replace("\n", "\r\n")
        ops.append("crlf")
    encs = encodings or ENCODINGS
    enc = rng.choices(list(encs), weights=list(encs.values()))[0]
    if enc == "tcvn3":
        from khplan.readers.legacy import unicode_to_tcvn3

        data = unicode_to_tcvn3(text)
    elif enc == "vni":
        from khplan.readers.legacy import unicode_to_vni

        data = unicode_to_vni(text)
    elif enc == "cp1258":
        data = to_cp1258(text)
    else:
        data = text.encode(enc)
    meta.update(format=fmt, encoding=enc)
    return Plan(f"{stem}.{fmt}", data, meta)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Word wrote it: letters with their vowel marks (â ê ô ă ơ ư đ) as one
    code, tones as combining marks after them."""
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if ch not in _TONE_MARKS and unicodedata.combining(ch) and out:
            out[-1] = unicodedata.normalize("NFC", out[-1] + ch)  # a vowel mark joins its letter
        else:
            out.append(ch)
    return "".join(out).encode("cp1258", errors="replace")


_FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def to_docx(text: str) -> bytes:
    """A plain Word document: one paragraph per non-blank line, Roman headings bold.

    The zip is rewritten with fixed timestamps so the bytes depend on the text only.
    """
    import datetime as dt

    import docx

    d = docx.Document()
    d.core_properties.created = d.core_properties.modified = dt.datetime(2024, 1, 1)
    d.core_properties.last_modified_by = d.core_properties.author = "khplan corpus"
    for ln in text.split("\n"):
        s = ln.strip().replace("**", "")
        s = re.sub(r"^#{1,6}\s*", "", s)
        if not s:
            continue
        p = d.add_paragraph()
        run = p.add_run(s)
        if _ROMAN_HEAD.match(s) or s in ("KẾ HOẠCH",):
            run.bold = True
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, _FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, src.read(info.filename))
    return out.getvalue()


def write_corpus(seed: int, count: int, out: Path, formats: tuple[str, ...] = ("txt",), start: int = 0,
                 encodings: dict[str, float] | None = None, manifest: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    rows = []
    for i in range(start, start + count):
        plan = generate(seed, i, formats, encodings)
        p = out / plan.name
        p.write_bytes(plan.data)
        paths.append(p)
        m = plan.meta
        rows.append("\t".join([plan.name, m["format"], str(m["encoding"]), m["frame"], ",".join(m["sections"]), ",".join(m["ops"])]))
    if manifest:
        (out / "manifest.tsv").write_text("name\tformat\tencoding\tframe\tsections\tops\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--start", type=int, default=0, help="index of the first plan (to extend a corpus)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--formats", default="txt", help="comma-separated: txt,md,docx")
    ap.add_argument("--encodings", default=None,
                    help="comma-separated text encodings to draw from (default utf-8,utf-8-sig,utf-16,utf-16-le; "
                         "also tcvn3, vni, cp1258)")
    args = ap.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    bad = [f for f in formats if f not in ("txt", "md", "docx")]
    if bad:
        ap.error(f"unknown format(s): {', '.join(bad)}")
    encodings = None
    if args.encodings:
        encodings = {e.strip(): 1.0 for e in args.encodings.split(",") if e.strip()}
    paths = write_corpus(args.seed, args.count, Path(args.out), formats, args.start, encodings)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} plans, {size / 1e6:.1f} MB in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
