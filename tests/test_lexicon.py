"""The body and place lexicon (issue 3): the data files, and matching against them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from khplan.errors import KhplanError
from khplan.lexicon import (
    DATA_FILES,
    BodyMatch,
    Lexicon,
    ProvinceMatch,
    default_lexicon,
    format_file,
    validate,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "khplan" / "data"
D = dt.date


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return default_lexicon()


def _load(which: str):
    return yaml.safe_load((DATA / DATA_FILES[which]).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# The data files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", sorted(DATA_FILES))
def test_data_file_matches_its_schema(which):
    assert validate(which, _load(which)) == []


@pytest.mark.parametrize("which", sorted(DATA_FILES))
def test_data_file_is_in_canonical_form(which):
    # Fix with: python scripts/format_data.py
    text, canonical = format_file(DATA / DATA_FILES[which], which)
    assert text == canonical


def test_schema_rejects_a_bad_entry():
    bad = {
        "schema": "khplan.lexicon.bodies/v1",
        "bodies": [{"id": "Bad Id", "canonical": "X", "level": "galaxy", "kind": "department"}],
    }
    assert validate("bodies", bad)


def test_ids_are_unique_and_references_resolve(lex):
    ids = [b["id"] for b in _load("bodies")["bodies"]]
    assert len(ids) == len(set(ids))
    functions = {f["id"] for f in lex.functions()} | {"*"}
    for entry in lex.bodies():
        for succ in entry.successors:
            assert succ.function in functions, (entry.id, succ.function)
            assert succ.body in ids, (entry.id, succ.body)
        if entry.parent:
            assert entry.parent in ids


def test_only_dissolved_bodies_have_successors_and_successors_exist_today(lex):
    for entry in lex.bodies():
        if entry.successors:
            assert entry.valid_to is not None, entry.id
            for succ in entry.successors:
                target = lex.successor_of(entry.id, succ.function)
                assert target is not None and target.valid_to is None, (entry.id, succ)
        if entry.valid_from and entry.valid_to:
            assert entry.valid_from <= entry.valid_to


def test_generic_groups_are_marked(lex):
    generic = {e.id for e in lex.bodies() if e.generic}
    assert generic == {e.id for e in lex.bodies() if e.kind == "generic"}
    for name in (
        "các sở, ban, ngành",
        "Các sở, ngành tỉnh",
        "các cơ quan, đơn vị liên quan",
        "các địa phương",
        "các tổ chức chính trị - xã hội",
    ):
        assert lex.resolve_body(name).generic, name


def test_no_key_is_shared_by_entries_that_exist_at_the_same_time(lex):
    assert lex.conflicts() == []


def test_unconfirmed_successors_carry_a_note(lex):
    for body_id in (
        "so-thong-tin-truyen-thong",
        "so-giao-thong-van-tai",
        "ban-tuyen-giao-tinh-uy",
        "ubnd-cap-huyen",
        "cuc-tre-em",
        "cong-an-cap-huyen",
        "phong-lao-dong-thuong-binh-xa-hoi-huyen",
    ):
        assert "unconfirmed" in (lex.body(body_id).note or ""), body_id


# --------------------------------------------------------------------------------------------
# Examples and aliases, both ways
# --------------------------------------------------------------------------------------------


def _examples(lex):
    return [(e.id, ex) for e in lex.bodies() for ex in e.examples]


def test_every_entry_has_examples(lex):
    for entry in lex.bodies():
        assert entry.examples, entry.id


def test_every_example_resolves_to_its_entry(lex):
    wrong = []
    for body_id, ex in _examples(lex):
        m = lex.resolve_body(ex.name, on=ex.on)
        if m.id != body_id or m.match not in ("exact", "alias"):
            wrong.append((body_id, ex.name, m.id, m.match))
    assert wrong == []


def test_every_example_resolves_to_exactly_one_entry(lex):
    # Several candidates are allowed only when the example's date tells them apart.
    ambiguous = []
    for body_id, ex in _examples(lex):
        ids, _, _ = lex.candidates(ex.name)
        others = [i for i in ids if i != body_id]
        if others and (ex.on is None or any(lex.is_valid_on(o, ex.on) for o in others)):
            ambiguous.append((body_id, ex.name, ids))
    assert ambiguous == []


def test_every_canonical_name_and_alias_resolves_to_its_entry(lex):
    wrong = []
    for entry in lex.bodies():
        on = entry.valid_to or entry.valid_from
        for name in (entry.canonical, *entry.aliases):
            m = lex.resolve_body(name, on=on)
            if m.id != entry.id or m.match not in ("exact", "alias"):
                wrong.append((entry.id, name, m.id, m.match))
    assert wrong == []


# --------------------------------------------------------------------------------------------
# The bodies named in the five samples
# --------------------------------------------------------------------------------------------

# (name as written in the sample, expected entry); line breaks are where the sample wraps.
SAMPLE_BODIES = {
    "bac-kan-2019-tre-em-khuyet-tat": [
        ("Sở Lao động - Thương binh và Xã hội", "so-lao-dong-thuong-binh-xa-hoi"),
        ("sở Lao động - Thương binh và Xã hội", "so-lao-dong-thuong-binh-xa-hoi"),
        ("Sở Lao động-TB&XH", "so-lao-dong-thuong-binh-xa-hoi"),
        ("các Sở, ngành liên quan", "cac-so-ban-nganh"),
        ("Các Sở, ngành liên quan", "cac-so-ban-nganh"),
        ("Sở Giáo dục và Đào tạo", "so-giao-duc-dao-tao"),
        ("Sở Y tế", "so-y-te"),
        ("Sở Văn hóa, Thể thao và Du lịch", "so-van-hoa-the-thao-du-lich"),
        ("Sở Kế hoạch và Đầu tư", "so-ke-hoach-dau-tu"),
        ("Ủy ban nhân dân tỉnh", "ubnd-tinh"),
        ("UBND tỉnh", "ubnd-tinh"),
        ("Sở Tài chính", "so-tai-chinh"),
        ("Ủy ban Mặt trận Tổ quốc tỉnh", "uy-ban-mttq-tinh"),
        ("Hội Liên hiệp phụ nữ tỉnh", "hoi-lien-hiep-phu-nu-tinh"),
        ("Tỉnh Đoàn", "tinh-doan"),
        ("Hội Chữ thập đỏ tỉnh", "hoi-chu-thap-do-tinh"),
        ("Ủy ban nhân dân các huyện, thành phố", "ubnd-cap-huyen"),
        ("UBND các huyện, thành phố", "ubnd-cap-huyen"),
        ("Chủ tịch UBND các huyện, thành phố", "ubnd-cap-huyen"),
        ("các Sở, ban, ngành, đoàn thể tỉnh", "cac-so-ban-nganh-doan-the"),
        ("Các Sở, ban, ngành, đoàn thể tỉnh", "cac-so-ban-nganh-doan-the"),
        ("Bộ Lao động - TB&XH", "bo-lao-dong-thuong-binh-xa-hoi"),
        ("Cục BVCSTE", "cuc-tre-em"),
        ("CT, các PCT UBND tỉnh", "ubnd-tinh"),
        ("Thủ tướng Chính phủ", "thu-tuong-chinh-phu"),
    ],
    "tay-nguyen-2024-ct28-cham-soc-tre-em": [
        ("Ban Thường vụ Tỉnh ủy", "ban-thuong-vu-tinh-uy"),
        ("Bộ Chính trị", "bo-chinh-tri"),
        ("Các Sở, ban, ngành", "cac-so-ban-nganh"),
        ("Các sở, ban, ngành", "cac-so-ban-nganh"),
        ("Ủy ban nhân dân các huyện, thành phố", "ubnd-cap-huyen"),
        ("Ban Tuyên giáo Tỉnh ủy", "ban-tuyen-giao-tinh-uy"),
        ("Sở Lao động - Thương binh và Xã hội", "so-lao-dong-thuong-binh-xa-hoi"),
        ("Sở Lao động-Thương binh và Xã hội", "so-lao-dong-thuong-binh-xa-hoi"),
        ("Sở Giáo dục và Đào tạo", "so-giao-duc-dao-tao"),
        ("Sở Văn hoá, Thể thao và Du lịch", "so-van-hoa-the-thao-du-lich"),
        ("các sở ngành, đơn vị, địa phương", "cac-so-nganh-dia-phuong"),
        ("sở ngành, đơn vị, địa phương", "cac-so-nganh-dia-phuong"),
        ("Sở Thông tin và Truyền thông", "so-thong-tin-truyen-thong"),
        ("Sở Kế hoạch và Đầu tư", "so-ke-hoach-dau-tu"),
        ("Mặt trận Tổ quốc Việt Nam", "mat-tran-to-quoc"),
        ("các tổ chức chính trị - xã hội cùng cấp", "cac-to-chuc-chinh-tri-xa-hoi"),
        ("Bộ Lao động - Thương binh và Xã hội", "bo-lao-dong-thuong-binh-xa-hoi"),
        ("Thường trực Tỉnh ủy", "tinh-uy"),
        ("Ban cán sự đảng Ủy ban nhân dân tỉnh", "ban-can-su-dang-ubnd-tinh"),
        ("Các Sở, ban, ngành thuộc Ủy ban nhân dân tỉnh", "cac-so-ban-nganh"),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam", "uy-ban-mttq-tinh"),
        ("các tổ chức chính trị - xã hội tỉnh", "cac-to-chuc-chinh-tri-xa-hoi"),
        ("Hội Bảo vệ quyền trẻ em và Bảo trợ người khuyết tật tỉnh", "hoi-bvqte-bao-tro-nkt-tinh"),
        ("Đề nghị Tỉnh Đoàn", "tinh-doan"),
        ("Thường trực HĐND tỉnh", "hdnd-tinh"),
        ("Chủ tịch, các Phó Chủ tịch UBND tỉnh", "ubnd-tinh"),
        ("Ủy ban MTTQ Việt Nam tỉnh", "uy-ban-mttq-tinh"),
        ("Các tổ chức chính trị - xã hội tỉnh", "cac-to-chuc-chinh-tri-xa-hoi"),
        ("Các Sở, ban, ngành thuộc tỉnh", "cac-so-ban-nganh"),
        ("UBND các huyện, thành phố", "ubnd-cap-huyen"),
        ("VP UBND tỉnh", "van-phong-ubnd-tinh"),
        ("Thủ tướng Chính phủ", "thu-tuong-chinh-phu"),
    ],
    "cao-bang-2022-cong-tac-tre-em": [
        ("Bộ Lao động - Thương binh và Xã hội", "bo-lao-dong-thuong-binh-xa-hoi"),
        ("Ủy ban nhân dân tỉnh Cao Bằng", "ubnd-tinh"),
        ("các Sở, Ban ngành", "cac-so-ban-nganh"),
        ("UBND các huyện, thành phố", "ubnd-cap-huyen"),
        ("UBND tỉnh", "ubnd-tinh"),
        ("Sở Tài\nchính", "so-tai-chinh"),
        ("các Sở, ngành và\nđơn vị liên quan", "cac-so-ban-nganh"),
        ("Sở Tư\npháp", "so-tu-phap"),
        ("Sở Y tế", "so-y-te"),
        ("Sở Lao động\n- Thương binh và Xã hội", "so-lao-dong-thuong-binh-xa-hoi"),
        ("Sở Lao động - Thương binh và\nXã hội", "so-lao-dong-thuong-binh-xa-hoi"),
        ("Sở Giáo\ndục và Đào tạo", "so-giao-duc-dao-tao"),
        ("Sở Văn\nhóa, Thể thao và Du lịch", "so-van-hoa-the-thao-du-lich"),
        ("Công an\ntỉnh", "cong-an-tinh"),
        ("Sở Thông\ntin và Truyền thông", "so-thong-tin-truyen-thong"),
        ("Các Sở,\nBan ngành cấp tỉnh", "cac-so-ban-nganh"),
        ("Ủy ban Mặt trận tổ quốc Việt Nam tỉnh Cao Bằng", "uy-ban-mttq-tinh"),
        ("các đoàn thể chính trị - xã hội", "cac-to-chuc-chinh-tri-xa-hoi"),
        ("Ủy ban\nnhân dân các huyện, thành phố", "ubnd-cap-huyen"),
        ("Ủy ban nhân dân các\nxã, phường, thị trấn", "ubnd-cap-xa"),
        ("các Sở, Ban ngành có\nliên quan", "cac-so-ban-nganh"),
        ("Bộ LĐTBXH", "bo-lao-dong-thuong-binh-xa-hoi"),
        ("Chủ tịch, các PCT UBND tỉnh", "ubnd-tinh"),
        ("UB MTTQ tỉnh", "uy-ban-mttq-tinh"),
        ("các tổ chức chính trị-xã hội", "cac-to-chuc-chinh-tri-xa-hoi"),
        ("Các sở, ngành", "cac-so-ban-nganh"),
        ("đoàn thể tỉnh", "cac-to-chuc-chinh-tri-xa-hoi"),
        ("VP UBND tỉnh", "van-phong-ubnd-tinh"),
        ("cơ quan báo\nchí, truyền thông", "cac-co-quan-bao-chi"),
        ("bộ đội biên phòng", "bo-doi-bien-phong-tinh"),
        ("trung tâm trợ giúp pháp lý Nhà nước", "trung-tam-tro-giup-phap-ly-tinh"),
        ("Thủ tướng Chính phủ", "thu-tuong-chinh-phu"),
        ("Chính phủ", "chinh-phu"),
        ("Quốc hội", "quoc-hoi"),
        ("Bộ chính trị", "bo-chinh-tri"),
    ],
    "hung-yen-2026-tb432-tre-em-hcdb": [
        ("Văn phòng Trung ương Đảng", "van-phong-trung-uong-dang"),
        ("Ủy ban nhân dân tỉnh", "ubnd-tinh"),
        ("Mặt trận Tổ quốc Việt Nam", "mat-tran-to-quoc"),
        ("các tổ chức chính trị - xã hội", "cac-to-chuc-chinh-tri-xa-hoi"),
        ("Sở Y tế", "so-y-te"),
        ("Sở Giáo dục và Đào tạo", "so-giao-duc-dao-tao"),
        ("Công an tỉnh", "cong-an-tinh"),
        ("Ủy ban nhân dân xã, phường", "ubnd-cap-xa"),
        ("Sở Tư pháp", "so-tu-phap"),
        ("Sở Tài chính", "so-tai-chinh"),
        ("Các sở, ban, ngành, đơn vị có liên quan", "cac-so-ban-nganh"),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "uy-ban-mttq-tinh"),
        ("Bộ Y tế", "bo-y-te"),
        ("Các sở, ngành liên quan", "cac-so-ban-nganh"),
        ("Các sở, ban, ngành, đoàn thể tỉnh", "cac-so-ban-nganh-doan-the"),
        ("Lãnh đạo Văn phòng UBND tỉnh", "van-phong-ubnd-tinh"),
        ("Công an cấp xã", "cong-an-cap-xa"),
        ("các sở, ban, ngành tỉnh", "cac-so-ban-nganh"),
        ("các sở, ban, đơn vị có liên quan", "cac-so-ban-nganh"),
        ("các sở, ngành, cơ quan liên quan", "cac-so-ban-nganh"),
        ("Ủy ban MTTQ Việt Nam tỉnh", "uy-ban-mttq-tinh"),
        ("Chủ tịch, các Phó Chủ tịch UBND tỉnh", "ubnd-tinh"),
    ],
    "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat": [
        ("Sở Y tế", "so-y-te"),
        ("UBND các xã, phường", "ubnd-cap-xa"),
        ("Các sở, ngành tỉnh", "cac-so-ban-nganh"),
        ("Các sở, ngành tỉnh và các đơn vị liên quan", "cac-so-ban-nganh"),
        ("Sở Nội vụ", "so-noi-vu"),
        ("Sở Công Thương", "so-cong-thuong"),
        ("Sở Nông nghiệp và Môi trường", "so-nong-nghiep-moi-truong"),
        ("Chi nhánh Ngân hàng chính sách xã hội tỉnh", "chi-nhanh-ngan-hang-csxh-tinh"),
        ("Chi nhánh Ngân hàng Chính sách xã hội tỉnh", "chi-nhanh-ngan-hang-csxh-tinh"),
        ("Công an tỉnh", "cong-an-tinh"),
        ("Sở Tài chính", "so-tai-chinh"),
        ("Sở Xây dựng", "so-xay-dung"),
        ("Sở Khoa học và Công nghệ", "so-khoa-hoc-cong-nghe"),
        ("Bảo hiểm xã hội tỉnh", "bao-hiem-xa-hoi-tinh"),
        ("Sở Giáo dục và Đào tạo", "so-giao-duc-dao-tao"),
        ("Thanh tra tỉnh (theo chức năng nhiệm vụ và thẩm quyền quy định)", "thanh-tra-tinh"),
        ("Các cơ quan, đơn vị có liên quan", "cac-co-quan-don-vi-lien-quan"),
        ("Sở Văn hoá, Thể thao và Du lịch", "so-van-hoa-the-thao-du-lich"),
        ("Sở Tư pháp", "so-tu-phap"),
        ("Hội đồng phối hợp phổ biến, giáo dục pháp luật tỉnh", "hoi-dong-pbgdpl-tinh"),
        ("Đề nghị Ủy ban MTTQ Việt Nam tỉnh", "uy-ban-mttq-tinh"),
        ("các tổ chức thành viên", "cac-to-chuc-chinh-tri-xa-hoi"),
        ("Báo và Phát thanh, truyền hình Thái Nguyên", "bao-va-phat-thanh-truyen-hinh-tinh"),
        ("Trung tâm thông tin tỉnh", "trung-tam-thong-tin-tinh"),
        ("Trung tâm Thông tin tỉnh", "trung-tam-thong-tin-tinh"),
        ("UBND tỉnh", "ubnd-tinh"),
        ("Bộ Y tế", "bo-y-te"),
        ("Ủy ban MTTQ VN tỉnh", "uy-ban-mttq-tinh"),
        ("Các sở, ban, ngành tỉnh", "cac-so-ban-nganh"),
        ("Ngân hàng CSXH tỉnh", "chi-nhanh-ngan-hang-csxh-tinh"),
        ("PCVP UBND tỉnh", "van-phong-ubnd-tinh"),
    ],
}

SAMPLE_CASES = [(plan, name, want) for plan, rows in SAMPLE_BODIES.items() for name, want in rows]


@pytest.mark.parametrize("plan,name,want", SAMPLE_CASES, ids=[f"{p}:{n!r}" for p, n, _ in SAMPLE_CASES])
def test_sample_body_resolves(lex, plan, name, want):
    m = lex.resolve_body(name)
    assert (m.id, m.match in ("exact", "alias")) == (want, True)
    assert m.canonical == lex.body(want).canonical
    assert m.level == lex.body(want).level


def test_sample_names_really_occur_in_the_samples():
    for plan, rows in SAMPLE_BODIES.items():
        text = (ROOT / "samples" / f"{plan}.txt").read_text(encoding="utf-8")
        for name, _ in rows:
            assert name in text, (plan, name)


# Names with typos resolve only as fuzzy matches, and say so.
@pytest.mark.parametrize(
    "name,want",
    [
        ("Ủy ban dân dân (UBND) tỉnh Cao Bằng", "ubnd-tinh"),  # cao-bang-2022, "dân dân"
        ("Báo và Phát thanh, truyền hình TN", "bao-va-phat-thanh-truyen-hinh-tinh"),  # thai-nguyen-2026, "TN"
    ],
)
def test_typos_resolve_as_fuzzy_matches(lex, name, want):
    m = lex.resolve_body(name)
    assert (m.id, m.match) == (want, "fuzzy")
    assert 0.9 <= m.score < 1.0


def test_match_kinds(lex):
    assert lex.resolve_body("Sở Y tế").match == "exact"
    assert lex.resolve_body("sở y tế").match == "exact"  # case and spacing
    assert lex.resolve_body("Sở Văn hoá, Thể thao và Du lịch").match == "exact"  # old tone placement
    assert lex.resolve_body("Sở LĐ-TB&XH").match == "alias"
    assert lex.resolve_body("So Lao dong - Thuong binh va Xa hoi").match == "alias"  # no diacritics
    unknown = lex.resolve_body("Sở Du hành vũ trụ")
    assert (unknown.match, unknown.id, unknown.canonical, unknown.level, unknown.score) == (
        "none",
        None,
        None,
        None,
        0.0,
    )
    # two bodies in one string are not silently taken for one
    assert lex.resolve_body("Sở Y tế và UBND các xã, phường").match == "none"


@pytest.mark.parametrize(
    "word",
    [
        "Sở",
        "Bộ",
        "Ban",
        "Hội",
        "Cục",
        "Phòng",
        "Trung tâm",
        "Ủy ban",
        "Đoàn",
        "Các",
        "Đề nghị",
        "tỉnh",
        "Sở Thông",
        "Chủ tịch",
        "Báo",
    ],
)
def test_a_bare_head_word_is_not_a_body(lex, word):
    # A splitter asks whether a fragment is a body; a head word alone never is.
    assert lex.resolve_body(word).match == "none"


def test_abbreviations_are_expanded_only_in_upper_case(lex):
    assert lex.resolve_body("Sở GD&ĐT").id == "so-giao-duc-dao-tao"
    assert lex.resolve_body("Sở VHTTDL").id == "so-van-hoa-the-thao-du-lich"
    assert lex.resolve_body("Sở KH&ĐT").id == "so-ke-hoach-dau-tu"
    assert lex.resolve_body("Sở TT&TT").id == "so-thong-tin-truyen-thong"
    assert lex.resolve_body("NHCSXH tỉnh").id == "chi-nhanh-ngan-hang-csxh-tinh"
    assert lex.resolve_body("BHXH tỉnh").id == "bao-hiem-xa-hoi-tinh"
    assert lex.resolve_body("Hội LHPN tỉnh").id == "hoi-lien-hiep-phu-nu-tinh"
    assert lex.resolve_body("Uỷ ban MTTQ tỉnh").id == "uy-ban-mttq-tinh"  # old tone placement in "Uỷ"


def test_names_carrying_a_province_resolve_to_the_provincial_entry(lex):
    assert lex.resolve_body("Công an tỉnh Cao Bằng").id == "cong-an-tinh"
    assert lex.resolve_body("CÔNG AN TỈNH CAO BẰNG").id == "cong-an-tinh"
    assert lex.resolve_body("Công an thành phố Hà Nội").id == "cong-an-tinh"
    assert lex.resolve_body("Sở Y tế Hà Nội").id == "so-y-te"
    assert lex.resolve_body("Báo và Phát thanh, truyền hình Thái Nguyên").id == "bao-va-phat-thanh-truyen-hinh-tinh"
    # "thành phố Thái Nguyên" is a city inside the province, not the province
    assert lex.resolve_body("UBND thành phố Thái Nguyên").id != "ubnd-tinh"
    # "Hồ Chí Minh" in a body name is not a province unless introduced as one
    assert lex.resolve_body("Đoàn TNCS Hồ Chí Minh tỉnh").id == "tinh-doan"
    assert lex.resolve_body("Sở Y tế TP. Hồ Chí Minh").id == "so-y-te"


def test_a_provincial_marker_never_selects_a_central_body(lex):
    assert lex.resolve_body("Hội Liên hiệp Phụ nữ Việt Nam").id == "trung-uong-hoi-lhpn"
    assert lex.resolve_body("Hội Liên hiệp Phụ nữ Việt Nam tỉnh").id == "hoi-lien-hiep-phu-nu-tinh"
    assert lex.resolve_body("Ngân hàng Chính sách xã hội").id == "ngan-hang-chinh-sach-xa-hoi"
    assert lex.resolve_body("Ngân hàng Chính sách xã hội tỉnh Bắc Kạn").id == "chi-nhanh-ngan-hang-csxh-tinh"


def test_the_plan_date_picks_between_entries_sharing_a_name(lex):
    assert lex.resolve_body("Sở Nông nghiệp", on=D(2019, 2, 18)).id == "so-nong-nghiep-phat-trien-nong-thon"
    assert lex.resolve_body("Sở Nông nghiệp", on=D(2026, 5, 14)).id == "so-nong-nghiep-moi-truong"
    assert lex.resolve_body("Sở Nông nghiệp").id == "so-nong-nghiep-moi-truong"  # no date: the current one
    assert lex.resolve_body("Cục Bảo trợ xã hội", on=D(2022, 3, 29)).successor == "Cục Bảo trợ xã hội"
    assert lex.resolve_body("Cục Bảo trợ xã hội", on=D(2026, 1, 1)).id == "cuc-bao-tro-xa-hoi"


def test_to_output_is_the_contract_body_shape(lex):
    m = lex.resolve_body("Sở LĐ-TB&XH", on=D(2019, 2, 18), function="children")
    assert isinstance(m, BodyMatch)
    assert m.to_output("Sở LĐ-TB&XH") == {
        "name": "Sở LĐ-TB&XH",
        "canonical": "Sở Lao động - Thương binh và Xã hội",
        "level": "province",
        "successor": "Sở Y tế",
        "match": "alias",
        "id": "so-lao-dong-thuong-binh-xa-hoi",
        "kind": "department",
        "generic": False,
    }
    none = lex.resolve_body("Ban Điều phối thiên hà").to_output("Ban Điều phối thiên hà")
    assert none == {
        "name": "Ban Điều phối thiên hà",
        "canonical": None,
        "level": None,
        "successor": None,
        "match": "none",
        "id": None,
        "kind": None,
        "generic": False,
    }


# --------------------------------------------------------------------------------------------
# Successors
# --------------------------------------------------------------------------------------------

# (plan date, name as written, function of the task, expected successor)
SUCCESSORS = [
    # bac-kan-2019: children with disabilities
    (D(2019, 2, 18), "Sở Lao động - Thương binh và Xã hội", "disability", "Sở Y tế"),
    (D(2019, 2, 18), "Sở Lao động-TB&XH", "children", "Sở Y tế"),
    (D(2019, 2, 18), "Sở Kế hoạch và Đầu tư", "finance", "Sở Tài chính"),
    (D(2019, 2, 18), "Ủy ban nhân dân các huyện, thành phố", "children", "Ủy ban nhân dân cấp xã"),
    (D(2019, 2, 18), "Bộ Lao động - TB&XH", "children", "Bộ Y tế"),
    (D(2019, 2, 18), "Cục BVCSTE", "children", "Bộ Y tế"),
    # tay-nguyen-2024: CT 28 on children
    (D(2024, 6, 1), "Sở Lao động - Thương binh và Xã hội", "children", "Sở Y tế"),
    (D(2024, 6, 1), "Sở Thông tin và Truyền thông", "children", "Sở Khoa học và Công nghệ"),
    (D(2024, 6, 1), "Sở Kế hoạch và Đầu tư", "planning_investment", "Sở Tài chính"),
    (D(2024, 6, 1), "UBND các huyện, thành phố", None, "Ủy ban nhân dân cấp xã"),
    (D(2024, 6, 1), "Ban Tuyên giáo Tỉnh ủy", None, "Ban Tuyên giáo và Dân vận Tỉnh ủy"),
    (D(2024, 6, 1), "Bộ Lao động - Thương binh và Xã hội", "children", "Bộ Y tế"),
    # cao-bang-2022
    (D(2022, 3, 29), "Sở Lao động\n- Thương binh và Xã hội", "children", "Sở Y tế"),
    (D(2022, 3, 29), "Sở Thông\ntin và Truyền thông", None, "Sở Khoa học và Công nghệ"),
    (D(2022, 3, 29), "Sở Thông tin và Truyền thông", "press", "Sở Văn hóa, Thể thao và Du lịch"),
    (D(2022, 3, 29), "Bộ LĐTBXH", "children", "Bộ Y tế"),
    # Sở LĐTBXH by function (reorg-2025.md §3.3)
    (D(2022, 3, 29), "Sở LĐTBXH", "labour", "Sở Nội vụ"),
    (D(2022, 3, 29), "Sở LĐTBXH", "merit", "Sở Nội vụ"),
    (D(2022, 3, 29), "Sở LĐTBXH", "gender_equality", "Sở Nội vụ"),
    (D(2022, 3, 29), "Sở LĐTBXH", "social_protection", "Sở Y tế"),
    (D(2022, 3, 29), "Sở LĐTBXH", "social_evils", "Sở Y tế"),
    (D(2022, 3, 29), "Sở LĐTBXH", "vocational_education", "Sở Giáo dục và Đào tạo"),
    (D(2022, 3, 29), "Sở LĐTBXH", "poverty_reduction", "Sở Nông nghiệp và Môi trường"),
    (D(2022, 3, 29), "Sở LĐTBXH", "drug_rehabilitation", "Công an tỉnh"),
    (D(2022, 3, 29), "Sở LĐTBXH", None, "Sở Nội vụ"),
    # other dissolved bodies
    (D(2023, 1, 1), "Sở GTVT", None, "Sở Xây dựng"),
    (D(2023, 1, 1), "Sở TN&MT", None, "Sở Nông nghiệp và Môi trường"),
    (D(2023, 1, 1), "Sở NN&PTNT", None, "Sở Nông nghiệp và Môi trường"),
    (D(2023, 1, 1), "Ban Dân tộc tỉnh", None, "Sở Dân tộc và Tôn giáo"),
    (D(2023, 1, 1), "Ủy ban Dân tộc", None, "Bộ Dân tộc và Tôn giáo"),
    (D(2023, 1, 1), "Bộ KH&ĐT", None, "Bộ Tài chính"),
    (D(2023, 1, 1), "Bộ TT&TT", "press", "Bộ Văn hóa, Thể thao và Du lịch"),
    (D(2023, 1, 1), "Bộ TT&TT", "digital", "Bộ Khoa học và Công nghệ"),
    (D(2023, 1, 1), "Bộ LĐTBXH", "labour", "Bộ Nội vụ"),
    (D(2023, 1, 1), "Cục Bảo trợ xã hội", None, "Cục Bảo trợ xã hội"),
    # bodies that still exist have no successor
    (D(2019, 2, 18), "Sở Y tế", "children", None),
    (D(2022, 3, 29), "Ủy ban nhân dân các xã, phường, thị trấn", None, None),
    (D(2026, 5, 20), "Sở Nội vụ", "labour", None),
    (D(2026, 5, 20), "Các sở, ngành tỉnh", None, None),
]


@pytest.mark.parametrize("on,name,function,want", SUCCESSORS)
def test_successor(lex, on, name, function, want):
    assert lex.resolve_body(name, on=on, function=function).successor == want


def test_is_valid_on(lex):
    assert lex.is_valid_on("so-lao-dong-thuong-binh-xa-hoi", D(2019, 2, 18))
    assert lex.is_valid_on("so-lao-dong-thuong-binh-xa-hoi", D(2025, 2, 28))
    assert not lex.is_valid_on("so-lao-dong-thuong-binh-xa-hoi", D(2025, 3, 1))
    assert not lex.is_valid_on("so-nong-nghiep-moi-truong", D(2024, 1, 1))
    assert lex.is_valid_on("ubnd-cap-huyen", D(2025, 6, 30))
    assert not lex.is_valid_on("ubnd-cap-huyen", D(2025, 7, 1))
    assert lex.is_valid_on("so-y-te", D(2026, 1, 1)) and lex.is_valid_on("so-y-te", None)


@pytest.mark.parametrize(
    "plan,on",
    [
        ("hung-yen-2026-tb432-tre-em-hcdb", D(2026, 1, 1)),
        ("thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat", D(2026, 5, 20)),
    ],
)
def test_the_2026_samples_name_only_bodies_that_exist(lex, plan, on):
    for name, _ in SAMPLE_BODIES[plan]:
        m = lex.resolve_body(name, on=on)
        assert lex.is_valid_on(m.id, on), name
        assert m.successor is None, name


@pytest.mark.parametrize(
    "plan,on",
    [
        ("bac-kan-2019-tre-em-khuyet-tat", D(2019, 2, 18)),
        ("cao-bang-2022-cong-tac-tre-em", D(2022, 3, 29)),
        ("tay-nguyen-2024-ct28-cham-soc-tre-em", D(2024, 6, 1)),
    ],
)
def test_every_pre_2025_sample_body_existed_then_and_has_a_successor_if_gone(lex, plan, on):
    for name, _ in SAMPLE_BODIES[plan]:
        m = lex.resolve_body(name, on=on, function="children")
        assert lex.is_valid_on(m.id, on), name
        gone = not lex.is_valid_on(m.id, None)
        assert (m.successor is not None) == gone, name


# --------------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------------


def test_function_examples(lex):
    wrong = [
        (f["id"], ex, lex.function_of(ex))
        for f in lex.functions()
        for ex in f["examples"]
        if lex.function_of(ex) != f["id"]
    ]
    assert wrong == []


def test_function_of_real_task_texts(lex):
    # tay-nguyen-2024, task II.3: the group led by Sở Thông tin và Truyền thông
    ttt = (
        "Tăng cường công tác bảo vệ trẻ em trước thông tin không có lợi trên không gian mạng và xã hội, "
        "những vấn đề ảnh hưởng đến sự phát triển toàn diện trẻ em. Thực hiện: Sở Thông tin và Truyền "
        "thông chủ trì, phối hợp với sở ngành, đơn vị, địa phương triển khai thực hiện."
    )
    assert lex.function_of(ttt) == "children"
    # thai-nguyen-2026, task II.5: health services for people with disabilities
    assert (
        lex.function_of(
            "Đẩy mạnh hỗ trợ người khuyết tật tiếp cận dịch vụ y tế, dịch vụ công; thúc đẩy "
            "chuyển đổi số, liên thông cơ sở dữ liệu về trẻ em. Tổ chức khám sức khỏe định kỳ, "
            "sàng lọc cho các đối tượng, trong đó ưu tiên người khuyết tật"
        )
        == "disability"
    )
    # names of bodies do not vote: "Lao động - Thương binh" is not labour or merit work
    assert lex.function_of("Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với Sở Giáo dục và Đào tạo") is None
    assert lex.function_of("") is None


def test_successor_follows_the_task_function(lex):
    task = "Tổ chức phiên giao dịch việc làm, kết nối cung cầu thị trường lao động cho người lao động."
    fn = lex.function_of(task)
    assert fn == "labour"
    assert lex.resolve_body("Sở LĐTBXH", on=D(2022, 1, 1), function=fn).successor == "Sở Nội vụ"
    task = "Rà soát, hỗ trợ trẻ em có hoàn cảnh đặc biệt, trẻ em bị bỏ rơi tại cộng đồng."
    assert lex.resolve_body("Sở LĐTBXH", on=D(2022, 1, 1), function=lex.function_of(task)).successor == "Sở Y tế"


# --------------------------------------------------------------------------------------------
# Provinces
# --------------------------------------------------------------------------------------------

# reorg-2025.md §1.1: current unit -> former units merged into it (the 23 merged units)
MERGERS = {
    "Tuyên Quang": ["Tuyên Quang", "Hà Giang"],
    "Lào Cai": ["Lào Cai", "Yên Bái"],
    "Thái Nguyên": ["Thái Nguyên", "Bắc Kạn"],
    "Phú Thọ": ["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"],
    "Bắc Ninh": ["Bắc Ninh", "Bắc Giang"],
    "Hưng Yên": ["Hưng Yên", "Thái Bình"],
    "Hải Phòng": ["Hải Phòng", "Hải Dương"],
    "Ninh Bình": ["Ninh Bình", "Hà Nam", "Nam Định"],
    "Quảng Trị": ["Quảng Trị", "Quảng Bình"],
    "Đà Nẵng": ["Đà Nẵng", "Quảng Nam"],
    "Quảng Ngãi": ["Quảng Ngãi", "Kon Tum"],
    "Gia Lai": ["Gia Lai", "Bình Định"],
    "Khánh Hòa": ["Khánh Hòa", "Ninh Thuận"],
    "Lâm Đồng": ["Lâm Đồng", "Đắk Nông", "Bình Thuận"],
    "Đắk Lắk": ["Đắk Lắk", "Phú Yên"],
    "TP. Hồ Chí Minh": ["TP. Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"],
    "Đồng Nai": ["Đồng Nai", "Bình Phước"],
    "Tây Ninh": ["Tây Ninh", "Long An"],
    "Cần Thơ": ["Cần Thơ", "Sóc Trăng", "Hậu Giang"],
    "Vĩnh Long": ["Vĩnh Long", "Bến Tre", "Trà Vinh"],
    "Đồng Tháp": ["Đồng Tháp", "Tiền Giang"],
    "Cà Mau": ["Cà Mau", "Bạc Liêu"],
    "An Giang": ["An Giang", "Kiên Giang"],
}
UNCHANGED = [
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
]


def test_63_former_and_34_current_units(lex):
    units = list(lex.provinces())
    former = [u for u in units if "former" in u.lists]
    current = [u for u in units if "current" in u.lists]
    assert len(former) == 63 and len(current) == 34 and len(units) == 63
    assert sorted(u.name for u in current) == sorted(list(MERGERS) + UNCHANGED)
    assert sum(u.type == "thành phố" for u in current) == 6


def test_merger_map(lex):
    expected = {name: cur for cur, names in MERGERS.items() for name in names}
    expected.update({name: name for name in UNCHANGED})
    got = {u.name: lex.province(u.part_of).name for u in lex.provinces()}
    assert got == expected
    for u in lex.provinces():
        assert (u.valid_to is None) == u.current
        assert lex.province(u.part_of).current


@pytest.mark.parametrize(
    "name,canonical,current,former",
    [
        ("Bắc Kạn", "Bắc Kạn", "Thái Nguyên", True),
        ("Bắc Cạn", "Bắc Kạn", "Thái Nguyên", True),
        ("Thái Bình", "Thái Bình", "Hưng Yên", True),
        ("Hà Giang", "Hà Giang", "Tuyên Quang", True),
        ("Hung Yên", "Hưng Yên", "Hưng Yên", False),  # the typo in the Hưng Yên sample header
        ("HƯNG YÊN", "Hưng Yên", "Hưng Yên", False),
        ("tỉnh Cao Bằng", "Cao Bằng", "Cao Bằng", False),
        ("Thừa Thiên Huế", "Huế", "Huế", False),
        ("TP.HCM", "TP. Hồ Chí Minh", "TP. Hồ Chí Minh", False),
        ("Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu", "TP. Hồ Chí Minh", True),
        ("Dak Lak", "Đắk Lắk", "Đắk Lắk", False),
        ("Thanh Hoá", "Thanh Hóa", "Thanh Hóa", False),
        ("Hoà Bình", "Hòa Bình", "Phú Thọ", True),
    ],
)
def test_resolve_province(lex, name, canonical, current, former):
    m = lex.resolve_province(name)
    assert isinstance(m, ProvinceMatch)
    assert (m.canonical, m.current, m.former) == (canonical, current, former)


def test_resolve_province_match_kinds_and_unknowns(lex):
    assert lex.resolve_province("Hưng Yên").match == "exact"
    assert lex.resolve_province("Hung Yên").match == "alias"
    fuzzy = lex.resolve_province("Tuyen Quan")
    assert (fuzzy.canonical, fuzzy.match) == ("Tuyên Quang", "fuzzy") and fuzzy.score < 1
    for unknown in ("Springfield", "Hà", "Long", "", "Hà Nam Ninh", "Sở Y tế"):
        assert lex.resolve_province(unknown) is None, unknown


def test_province_examples_and_names_resolve_both_ways(lex):
    from khplan.vn import fold

    seen: dict[str, str] = {}
    for u in lex.provinces():
        for text in (u.name, *u.aliases, *u.short_forms, *u.examples):
            m = lex.resolve_province(text)
            assert m is not None and m.id == u.id, (u.id, text)
        k = fold(u.name)
        assert k not in seen, (u.id, seen.get(k))
        seen[k] = u.id


def test_find_provinces(lex):
    text = "ỦY BAN NHÂN DÂN\nTỈNH CAO BẰNG ... trên địa bàn tỉnh Cao\nBằng; thành phố Huế và TP.HCM."
    found = lex.find_provinces(text)
    assert [c for _, _, c in found] == ["Cao Bằng", "Cao Bằng", "Huế", "TP. Hồ Chí Minh"]
    assert [text[a:b] for a, b, _ in found] == ["TỈNH CAO BẰNG", "tỉnh Cao\nBằng", "thành phố Huế", "TP.HCM"]
    # never a bare name, a ward, or a city inside a province
    for text in (
        "phường Long An",
        "xã Phú Thọ",
        "thành phố Thái Nguyên",
        "Tỉnh ủy",
        "tỉnh",
        "Long An",
        "Đoàn TNCS Hồ Chí Minh",
        "trên địa bàn tỉnh.",
    ):
        assert lex.find_provinces(text) == [], text


def test_find_provinces_in_the_samples(lex):
    def found(plan):
        text = (ROOT / "samples" / f"{plan}.txt").read_text(encoding="utf-8")
        return {c for _, _, c in lex.find_provinces(text)}

    assert found("cao-bang-2022-cong-tac-tre-em") == {"Cao Bằng"}
    assert found("bac-kan-2019-tre-em-khuyet-tat") == {"Bắc Kạn"}
    assert found("thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat") == {"Thái Nguyên"}
    assert found("hung-yen-2026-tb432-tre-em-hcdb") == {"Hưng Yên"}
    assert found("tay-nguyen-2024-ct28-cham-soc-tre-em") == set()  # the province is never named


# --------------------------------------------------------------------------------------------
# User extension files
# --------------------------------------------------------------------------------------------

EXTENSION = """\
schema: khplan.lexicon.bodies/v1
bodies:
  - id: ubnd-xa-tan-lap
    canonical: Ủy ban nhân dân xã Tân Lập
    level: commune
    kind: people_committee
    parent: ubnd-cap-xa
    valid_from: '2025-07-01'
    valid_to: null
    aliases: [UBND xã Tân Lập]
    examples: [Ủy ban nhân dân xã Tân Lập]
  - id: so-lao-dong-thuong-binh-xa-hoi
    aliases: [Sở Lao động Thương binh Xã hội tỉnh nhà]
"""


def test_user_file_adds_entries_and_aliases(tmp_path, lex):
    path = tmp_path / "my-bodies.yaml"
    path.write_text(EXTENSION, encoding="utf-8")
    ext = Lexicon.load(extra=[path])
    m = ext.resolve_body("UBND xã Tân Lập")
    assert (m.id, m.level, m.match) == ("ubnd-xa-tan-lap", "commune", "alias")
    assert ext.resolve_body("Sở Lao động Thương binh Xã hội tỉnh nhà", function="children").successor == "Sở Y tế"
    assert ext.resolve_body("Sở Y tế").id == "so-y-te"  # the package entries are still there
    assert ext.conflicts() == []
    # the default lexicon is not changed
    assert lex.resolve_body("UBND xã Tân Lập").id != "ubnd-xa-tan-lap"


@pytest.mark.parametrize(
    "content",
    [
        "schema: khplan.lexicon.bodies/v1\nbodies:\n  - id: no-such-body\n    aliases: [X]\n",  # unknown id
        "schema: khplan.lexicon.bodies/v1\nbodies:\n  - id: x\n    canonical: X\n",  # incomplete entry
        "schema: something/else\n",  # not a body file
        "bodies: [unclosed\n",  # not YAML
    ],
)
def test_bad_user_files_are_one_line_errors(tmp_path, content):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KhplanError) as err:
        Lexicon.load(extra=[path])
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------------------------


def test_benchmark_runs(capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_lexicon", ROOT / "scripts" / "bench_lexicon.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    seconds = bench.bench(n=2_000)
    assert seconds > 0
    assert "mentions" in capsys.readouterr().out
