"""Properties of the text pipeline (hypothesis), for arbitrary text and for mutated samples:

* ``parse_text`` never raises;
* the record validates against the schema;
* every span lies in the text (``0 <= start <= end <= len(text)``) and its ``line`` is the
  1-based line of ``start``;
* every citation's span slices the text to its ``raw`` (up to whitespace);
* the output is byte-identical across runs, across CRLF/NFD/BOM spellings of the same text,
  and across PYTHONHASHSEED values.

Example counts are modest and the runs derandomized so the file takes well under a minute in
CI; ``KHPLAN_HYPOTHESIS=dev`` runs more (and random) examples.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from khplan.output import dumps
from khplan.parse import parse_text
from khplan.schemas import validate_data

from .conftest import ROOT, SAMPLE_TEXTS

settings.register_profile(
    "ci", max_examples=60, derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile(
    "dev", max_examples=400, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
PROFILE = settings.get_profile(os.environ.get("KHPLAN_HYPOTHESIS", "ci"))
FEW = settings(PROFILE, max_examples=max(10, PROFILE.max_examples // 3))  # three parses per example
MANY = settings(PROFILE, max_examples=PROFILE.max_examples * 4)  # small, cheap texts

SAMPLES = {p.stem: p.read_text(encoding="utf-8") for p in SAMPLE_TEXTS}


def normalised(text: str) -> str:
    """The text spans index into (what parse_text makes of its argument)."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).lstrip("\ufeff")


def _spans(node, path="$"):
    if isinstance(node, dict):
        if {"line", "start", "end"} <= node.keys():
            yield path, node
        for k, v in node.items():
            yield from _spans(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _spans(v, f"{path}[{i}]")


def check_record(text: str) -> dict:
    """Parse ``text`` and check every invariant; returns the record."""
    data = parse_text(text)
    norm = normalised(text)
    assert validate_data(data) == []
    assert data["source"]["characters"] == len(norm)
    n = len(norm)
    for path, sp in _spans(data):
        s, e = sp["start"], sp["end"]
        assert isinstance(s, int) and isinstance(e, int), path
        assert 0 <= s <= e <= n, f"{path}: {sp} outside 0..{n}"
        assert sp["line"] == norm.count("\n", 0, s) + 1, f"{path}: line {sp['line']} but start {s} is on line {norm.count(chr(10), 0, s) + 1}"
    for ref in data["references"] + data["implements"]:
        sp = ref["span"]
        got = " ".join(norm[sp["start"]:sp["end"]].split())
        assert got == " ".join(ref["raw"].split()), f"reference {ref['raw']!r} spans {got!r}"
    return data


# --- strategies ---------------------------------------------------------------------------------

# Pieces of the genre, so that random text exercises the parser's rules and not only its
# "nothing recognised" path.
FRAGMENTS = [
    "KẾ HOẠCH", "Kế hoạch", "ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Số: 715/KH-UBND", "Số: /KH-UBND", "Số: 66 /KH- UBND", "Hà Nội, ngày 29 tháng 3 năm 2022", "ngày   tháng   năm 2026",
    "I.", "II.", "IV.", "1.", "2.", "1.1.", "1.2.", "a)", "đ)", "- a)", "-", "+", "*", "•", "##", "###", "**", "*", "|", "---",
    "MỤC ĐÍCH, YÊU CẦU", "NHIỆM VỤ, GIẢI PHÁP", "NỘI DUNG", "KINH PHÍ THỰC HIỆN", "TỔ CHỨC THỰC HIỆN", "CHẾ ĐỘ BÁO CÁO",
    "Mục tiêu chung:", "Mục tiêu cụ thể giai đoạn 2019 - 2020:", "Phấn đấu 70% trẻ em khuyết tật", "6/8 đơn vị huyện",
    "Căn cứ Luật số 102/2016/QH13;", "Thực hiện Thông báo số 432-TB/VPTW ngày 26/11/2025 của Văn phòng Trung ương Đảng",
    "Quyết định số 1438/QĐ-TTg", "Nghị định số 56/2017/NĐ-CP ngày 09/5/2017", "Kế hoạch số 135-KH/TU ngày 25 tháng 3 năm 2024",
    "Văn bản số 1315/UBND-KGVX", "Chỉ thị 28-CT/TW", "30/9/021",
    "Cơ quan chủ trì:", "Cơ quan phối hợp:", "*Thực hiện:*", "Thực hiện:", "chủ trì, phối hợp với",
    "Sở Lao động - Thương binh và Xã hội", "Sở Lao động", "- Thương binh và Xã hội", "Sở Y tế", "UBND các xã, phường",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hoá, Thể thao và Du lịch", "Công an tỉnh", "(qua Sở Y tế)", "các cơ quan liên quan",
    "Kinh phí thực hiện từ ngân sách nhà nước, lồng ghép các chương trình và nguồn xã hội hóa",
    "báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh trước ngày 15/12 hằng năm", "định kỳ 6 tháng", "(trước ngày 20/11)",
    "Công tác thông tin báo cáo:", "Nơi nhận:", "- Bộ Y tế (b/c);", "- Lưu: VT, KGVX.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN",
    "Lê Hải Hòa", "¹", "²³", "[1]", "(1)", "^{KH}", "\\-", "./.", ";", ":", ",", ".", "…", "\u00a0", "\t", "\u200b", "\ufeff",
]
SEPARATORS = ["", " ", "  ", "\n", "\n\n", "\r\n", "\r", "\n\n\n"]

fragment = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6),
    st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\u0085", "\u2028", "\u2029", "\ufffd"]),
)
genre_text = st.lists(st.tuples(fragment, st.sampled_from(SEPARATORS)), min_size=3, max_size=150).map(
    lambda parts: "".join(f + s for f, s in parts)
)


def mutate(text: str, ops: list[tuple[str, float, float, str]]) -> str:
    """Apply mutations (kind, where, amount, noise) to a text, line-wise."""
    lines = text.split("\n")
    for kind, where, amount, noise in ops:
        if not lines:
            lines = [""]
        i = int(where * len(lines)) % len(lines)
        k = max(1, int(amount * 12))
        if kind == "delete":
            del lines[i:i + k]
        elif kind == "duplicate":
            lines[i:i] = lines[i:i + k]
        elif kind == "swap":
            j = (i + k) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "join":
            lines[i:i + 2] = [" ".join(lines[i:i + 2])]
        elif kind == "rewrap":
            import textwrap

            width = 10 + int(amount * 90)
            lines[i:i + 1] = textwrap.wrap(lines[i], width, break_long_words=False) or [""]
        elif kind == "insert":
            pos = int(amount * len(lines[i]))
            lines[i] = lines[i][:pos] + noise + lines[i][pos:]
        elif kind == "truncate":
            lines[i] = lines[i][: int(amount * len(lines[i]))]
        elif kind == "upper":
            lines[i] = lines[i].upper()
        elif kind == "strip_marker":
            lines[i] = lines[i].lstrip("-+*•#0123456789.IVX) ")
        elif kind == "nfd":
            lines[i] = unicodedata.normalize("NFD", lines[i])
        elif kind == "blank":
            lines[i:i] = [""] * k
    return "\n".join(lines)


MUTATIONS = ["delete", "duplicate", "swap", "join", "rewrap", "insert", "truncate", "upper", "strip_marker", "nfd", "blank"]
noise = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["\x00", "\x0b", "\x1b[31m", "\r", "\r\n", "¹", "[2]", "**", "*", "|", "- ", "1. ", "a) ", "II. ", "\ufeff"]),
)
mutation = st.tuples(st.sampled_from(MUTATIONS), st.floats(0, 1), st.floats(0, 1), noise)
mutated_sample = st.tuples(st.sampled_from(sorted(SAMPLES)), st.lists(mutation, min_size=1, max_size=12)).map(
    lambda t: mutate(SAMPLES[t[0]], t[1])
)


# --- properties ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_satisfy_the_invariants(name):
    check_record(SAMPLES[name])


@MANY
@given(st.text(max_size=3000))
def test_arbitrary_unicode_text(text):
    check_record(text)


@MANY
@given(genre_text)
def test_arbitrary_text_made_of_the_genre(text):
    check_record(text)


@PROFILE
@given(mutated_sample)
def test_mutated_samples(text):
    import json

    import yaml

    data = check_record(text)
    # Both serialisations load back to the same tree.
    assert yaml.load(dumps(data), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == data
    assert json.loads(dumps(data, "json")) == data


@FEW
@given(mutated_sample)
def test_output_is_the_same_for_every_spelling_of_the_text(text):
    """Line ends, Unicode normalisation form and a BOM change nothing in the record."""
    assume("\r" not in text)  # a lone CR is a line end of its own: the variants below would differ
    base = dumps(parse_text(text))
    assert dumps(parse_text(text)) == base  # and the same twice in a row
    for variant in (text.replace("\n", "\r\n"), unicodedata.normalize("NFD", text), "\ufeff" + text):
        got = parse_text(variant)
        got["source"]["sha256"] = parse_text(text)["source"]["sha256"]  # of the bytes given, so it differs
        assert dumps(got) == base


@pytest.mark.parametrize("name", ["thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat"])
def test_yaml_output_has_no_anchors_or_aliases(name):
    import yaml

    events = yaml.parse(dumps(parse_text(SAMPLES[name])), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert not [e for e in events if isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)]


def test_lone_surrogates_do_not_crash():
    check_record("KẾ HOẠCH\nI. NHIỆM VỤ\n1. Tuyên truyền \udce2\udc80 về trẻ em\n")


# --- across processes and hash seeds ------------------------------------------------------------

_DUMP = (
    "import sys\n"
    "from khplan.parse import parse_text\n"
    "from khplan.output import dumps\n"
    "sys.stdout.buffer.write(dumps(parse_text(sys.stdin.buffer.read().decode('utf-8'))).encode('utf-8'))\n"
)


def _dump_with_seed(text: str, seed: str) -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV", "PYTEST_"))}
    env["PYTHONHASHSEED"] = seed
    env["PYTHONPATH"] = str(ROOT)
    r = subprocess.run([sys.executable, "-c", _DUMP], input=text.encode("utf-8"), capture_output=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")[-2000:]
    return r.stdout


def _mutated_for_seed_test() -> str:
    rng = random.Random(20240)
    name = sorted(SAMPLES)[rng.randrange(len(SAMPLES))]
    ops = [(rng.choice(MUTATIONS), rng.random(), rng.random(), rng.choice(["¹", "**", "- ", "\x0b", "II. "])) for _ in range(10)]
    return mutate(SAMPLES[name], ops)


@pytest.mark.parametrize("which", ["sample", "mutated"])
def test_output_is_identical_across_hash_seeds(which):
    text = SAMPLES["tay-nguyen-2024-ct28-cham-soc-tre-em"] if which == "sample" else _mutated_for_seed_test()
    outs = {seed: _dump_with_seed(text, seed) for seed in ("0", "1", "4242")}
    assert len(set(outs.values())) == 1
    assert outs["0"] == dumps(parse_text(text)).encode("utf-8")


def test_cli_output_is_identical_across_hash_seeds(tmp_path):
    sample = ROOT / "samples" / "docx" / "hung-yen-2026-tb432-tre-em-hcdb.docx"
    outs = []
    for seed in ("0", "99"):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COV", "PYTEST_"))}
        env.update(PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        r = subprocess.run([sys.executable, "-m", "khplan", "parse", str(sample)], capture_output=True, env=env, timeout=120, cwd=ROOT)
        assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
        outs.append(r.stdout)
    assert outs[0] == outs[1]
