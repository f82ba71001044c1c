"""Finding and splitting the names of bodies in responsibility phrases.

Body lists are separated by ";", "," and " và ", but commas and "và" also live inside names
("UBND các xã, phường", "Sở Văn hóa, Thể thao và Du lịch", "Báo và Phát thanh, truyền hình").
A separator only splits where what follows starts a new body: a head word such as "Sở",
"Ủy ban", "Công an", "Hội", "các"… Parenthesised notes qualify the body before them.
"""

from __future__ import annotations

import regex as re

from .textmodel import Clean

# Words a body name starts with. After "," only capitalised heads (and "các") split, so that
# "các cơ quan, đơn vị" and "các sở, ngành" stay whole; after " và " lower-case heads split too.
_HEADS_CAP = (
    r"Sở|Ủy\s+ban|Uỷ\s+ban|UBND|UB|Công\s+an|Bộ|Ban|Hội|Tỉnh\s+[Đđ]oàn|Thành\s+[Đđ]oàn|Đoàn|Liên\s+đoàn|Chi\s+nhánh|"
    r"Ngân\s+hàng|NHCSXH|Bảo\s+hiểm|BHXH|Báo|Đài|Trung\s+tâm|Thanh\s+tra|Văn\s+phòng|VP|Cục|Viện|Bệnh\s+viện|"
    r"Mặt\s+trận|MTTQ|Kho\s+bạc|Tòa\s+án|Toà\s+án|Bộ\s+Chỉ\s+huy|Bộ\s+đội|Trường|Phòng|Chủ\s+tịch|Thường\s+trực|"
    r"Tỉnh\s+ủy|Tỉnh\s+uỷ|Huyện\s+ủy|Đảng\s+ủy|HĐND|Hội\s+đồng|Quỹ|Cơ\s+quan|Các|Liên\s+minh|Hiệp\s+hội|Cảnh\s+sát|"
    r"Chi\s+cục|Tổng\s+cục|Sở,|Công\s+ty|Đảng\s+bộ|Lãnh\s+đạo|Thủ\s+trưởng|Người\s+đứng\s+đầu|Trạm|Đồn|Hạt|Đội|"
    r"Hợp\s+tác\s+xã|Bưu\s+điện|Thôn|Các\s+thôn|Tổ\s+dân\s+phố|Ban\s+Chỉ\s+huy|Ban\s+Chỉ\s+đạo|Ban\s+Quản\s+lý|Hội\s+đồng|"
    r"Công\s+chức|Cán\s+bộ|Nhà\s+trường|Trường"
)
_HEADS_LOWER = r"các|sở|cơ\s+quan|đơn\s+vị|địa\s+phương|tổ\s+chức|doanh\s+nghiệp|ủy\s+ban|công\s+an|ngành"
_SPLIT = re.compile(
    r"\s*;\s*"
    r"|\s*,\s*(?=(?:" + _HEADS_CAP + r"|các)\b)"
    r"|\s+(?:và|với|cùng)\s+(?=(?:" + _HEADS_CAP + "|" + _HEADS_LOWER + r")\b)"
    r"|\s*,\s*(?:và|với)\s+(?=(?:" + _HEADS_CAP + "|" + _HEADS_LOWER + r")\b)",
    re.VERSION1,
)
_LEAD_NOISE = re.compile(
    r"^(?:(?:đề\s+nghị|yêu\s+cầu|giao|phối\s+hợp\s+với|phối\s+hợp|với|và|cùng|gồm|bao\s+gồm|do|là|của)\s+)+",
    re.IGNORECASE,
)
_TRAIL_NOISE = re.compile(
    r"(?:\s*(?:,|\s)\s*(?:theo\s+chức\s+năng|theo\s+hướng\s+dẫn|căn\s+cứ|triển\s+khai|thực\s+hiện|tổ\s+chức\s+thực\s+hiện|"
    r"chủ\s+trì|phối\s+hợp|chịu\s+trách\s+nhiệm|có\s+trách\s+nhiệm|trong\s+phạm\s+vi|tham\s+gia|liên\s+quan\s+triển\s+khai|"
    r"để\s+|nhằm\s+|tại\s+Kế\s+hoạch)\b.*$|[\s.;,:]+$)",
    re.IGNORECASE | re.DOTALL,
)
# Where the body phrase at the start of an assignment item ends: the first verb of its duty.
_DUTY_START = re.compile(
    r"\s*:|\s+là\s+|(?<!(?:các|những|và|cùng|mọi))\s+(?:chủ\s+trì|phối\s+hợp|chịu\s+trách\s+nhiệm|có\s+trách\s+nhiệm|tham\s+mưu|chỉ\s+đạo|"
    r"tổ\s+chức|triển\s+khai|thực\s+hiện|căn\s+cứ|đảm\s+bảo|bảo\s+đảm|tăng\s+cường|trong\s+phạm\s+vi|theo\s+chức\s+năng|"
    r"tiếp\s+tục|xây\s+dựng|hướng\s+dẫn|nghiên\s+cứu|rà\s+soát|quan\s+tâm|phát\s+huy|đẩy\s+mạnh|giám\s+sát|theo\s+dõi|"
    r"thường\s+xuyên|chủ\s+động|tích\s+cực|tham\s+gia|cân\s+đối|bố\s+trí|hỗ\s+trợ|đôn\s+đốc|kiểm\s+tra|vận\s+động|"
    r"tuyên\s+truyền|phụ\s+trách|giúp|có\s+nhiệm\s+vụ|được\s+giao|nắm|lồng\s+ghép|huy\s+động|đề\s+xuất|"
    r"chuẩn\s+bị|sẵn\s+sàng|báo\s+cáo|cung\s+cấp|duy\s+trì|phát\s+động|cập\s+nhật|"
    r"ưu\s+tiên|thành\s+lập|kiện\s+toàn|tập\s+trung|khẩn\s+trương|nâng\s+cao|bồi\s+dưỡng|"
    r"phổ\s+biến|vận\s+hành|thẩm\s+định|tiếp\s+nhận|điều\s+tra|hoàn\s+thành)\b",
    re.IGNORECASE,
)
_BARE_COLLECTIVE = re.compile(r"^(?:các\s+)?(?:sở|ban|ngành|cơ\s+quan|đơn\s+vị|địa\s+phương|đoàn\s+thể)$", re.IGNORECASE)
_NOTE = re.compile(r"\s*\(([^()]*)\)")


def _strip(c: Clean) -> Clean:
    c = c.strip(" \t,;.:-–")
    m = _LEAD_NOISE.match(c.text)
    if m:
        c = c.sub(m.end()).strip(" \t,;.:")
    m = _TRAIL_NOISE.search(c.text)
    if m and m.start() > 0:
        c = c.sub(0, m.start()).strip(" \t,;.:")
    return c


_HEAD_START = re.compile(r"(?:" + _HEADS_CAP + "|" + _HEADS_LOWER + r")\b", re.IGNORECASE)


def _looks_like_body(text: str) -> bool:
    return bool(text) and len(text) <= 120 and _HEAD_START.match(text) is not None


def split_bodies(c: Clean, is_body=None) -> list[tuple[Clean, str | None]]:
    """Split a list of bodies into (name, note) pairs; notes come from parentheses.

    An abbreviation in parentheses ("Ủy ban nhân dân (UBND) tỉnh") stays in the name.
    """
    # Take out parenthesised notes, remembering which piece they follow.
    notes: dict[int, str] = {}
    pos = 0
    kept = Clean("", [], c.end_offset)
    for m in _NOTE.finditer(c.text):
        inner = m.group(1).strip()
        if re.fullmatch(r"[A-ZĐ&]{2,10}", inner):
            continue  # an abbreviation: keep it
        kept = kept + c.sub(pos, m.start())
        notes[len(kept.text)] = inner
        pos = m.end()
    kept = kept + c.sub(pos)
    # Split at separators that start a new body.
    bounds = []
    last = 0
    for m in _SPLIT.finditer(kept.text):
        bounds.append((last, m.start()))
        last = m.end()
    bounds.append((last, len(kept.text)))
    # "Các Sở, Ban ngành cấp tỉnh": a bare collective word is not a body on its own.
    merged: list[tuple[int, int]] = []
    for s, e in bounds:
        if merged and _BARE_COLLECTIVE.match(kept.text[merged[-1][0]:merged[-1][1]].strip(" ,;")) and not kept.text[merged[-1][1]:s].strip().startswith(";"):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    bounds = merged
    if is_body is not None and len(bounds) > 1:
        # "Văn phòng HĐND và UBND xã": a name the lexicon knows whole is not split.
        merged = [bounds[0]]
        for s, e in bounds[1:]:
            ps, pe = merged[-1]
            sep = kept.text[pe:s]
            whole = kept.text[ps:e].strip(" ,;.")
            if ";" not in sep and not (is_body(kept.text[ps:pe].strip(" ,;.")) and is_body(kept.text[s:e].strip(" ,;."))) and is_body(whole):
                merged[-1] = (ps, e)
            else:
                merged.append((s, e))
        bounds = merged
    out: list[tuple[Clean, str | None]] = []
    for s, e in bounds:
        piece = _strip(kept.sub(s, e))
        if not piece.text:
            continue
        note = None
        for off, n in notes.items():
            if s <= off <= e + 1:
                note = n if note is None else f"{note}; {n}"
        out.append((piece, note))
    # Notes after the last piece ("…, UBND các xã, phường (thực hiện theo chức năng)").
    if out and notes:
        tail = [n for off, n in notes.items() if off > bounds[-1][1]]
        if tail and out[-1][1] is None:
            out[-1] = (out[-1][0], "; ".join(tail))
    return [(p, n) for p, n in out if _looks_like_body(p.text)]


def leading_body_phrase(c: Clean, is_body=None) -> tuple[Clean, Clean]:
    """Split an assignment heading into (bodies phrase, duty text).

    "Sở Y tế chủ trì…" -> ("Sở Y tế", "chủ trì…"); "Đề nghị Tỉnh Đoàn tiếp tục…" ->
    ("Tỉnh Đoàn", "tiếp tục…"); "Sở Tư pháp" -> ("Sở Tư pháp", ""). A capitalised verb
    ("Sở Tài chính Phối hợp…", a heading run into its text by a hard wrap) only ends the
    phrase when what precedes it is a known body (``is_body``), so "Sở Xây dựng" stays whole.
    """
    text = c.text
    m = _LEAD_NOISE.match(text)
    start = m.end() if m else 0
    cuts: list[tuple[Clean, Clean, bool]] = []  # (phrase, rest, verb is capitalised)
    for dm in _DUTY_START.finditer(text, start):
        before = text[:dm.start()]
        if before.count("(") > before.count(")") or dm.start() <= start:
            continue
        verb = text[dm.start():dm.end()].strip()
        phrase = c.sub(start, dm.start()).strip(" ,;")
        rest = c.sub(dm.end() if verb == ":" else dm.start()).strip(" :")
        cuts.append((phrase, rest, verb[:1].isupper()))
    whole = (c.sub(start).strip(" ,;.:"), Clean("", [], c.end_offset))

    def known(phrase: Clean) -> bool:
        pieces = split_bodies(phrase, is_body)
        return bool(pieces) and all(is_body(p.text) for p, _ in pieces)

    if is_body is not None:
        # The first cut after which every named body is one the lexicon knows.
        for phrase, rest, _cap in cuts:
            if known(phrase):
                return phrase, rest
        if known(whole[0]):
            return whole
    for phrase, rest, cap in cuts:
        if cap and (is_body is not None or len(rest.text) <= 15):
            continue  # "Sở Xây dựng": a capitalised word inside a name is not a verb
        return phrase, rest
    return whole
