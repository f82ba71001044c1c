"""`khplan check`: each rule on a small draft that fails it and one that passes, the samples'
findings (golden files in tests/golden/check/, reviewed against the sources), drafts made by
deleting a clause from a sample, the output formats, baselines, configuration, exit codes,
the pre-commit hook and the CI command of docs/ci-example.md.

The drafts below are written for these tests (new text, not public material).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from khplan.check import RULES, Options, check_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).parent / "golden" / "check"
TODAY = dt.date(2026, 11, 23)

CB = "cao-bang-2022-cong-tac-tre-em.txt"
HY = "hung-yen-2026-tb432-tre-em-hcdb.txt"
TN = "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.txt"
TY = "tay-nguyen-2024-ct28-cham-soc-tre-em.txt"
BK = "bac-kan-2019-tre-em-khuyet-tat.txt"

# A complete, clean draft: every rule passes on it.
BASE = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG TRỊ

Số: 128/KH-UBND

Quảng Trị, ngày 10 tháng 3 năm 2026

KẾ HOẠCH
Phòng, chống đuối nước cho trẻ em trên địa bàn tỉnh năm 2026

Thực hiện Kế hoạch số 45/KH-UBND ngày 20/01/2026 của Ủy ban nhân dân tỉnh về phòng, chống tai nạn thương tích trẻ em, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Trang bị kỹ năng bơi an toàn cho trẻ em trước mùa hè.

2. Xác định rõ việc của từng cơ quan, đơn vị và thời hạn hoàn thành.

II. NHIỆM VỤ, GIẢI PHÁP

1. Dạy bơi an toàn cho học sinh tiểu học

1.1. Nội dung hoạt động: Mở các lớp bơi miễn phí tại bể bơi di động ở các trường tiểu học.

1.2. Cơ quan chủ trì: Sở Giáo dục và Đào tạo.

1.3. Cơ quan phối hợp: Sở Văn hóa, Thể thao và Du lịch; UBND các xã, phường.

2. Rà soát, cắm biển cảnh báo tại ao, hồ, sông, suối nguy hiểm

2.1. Nội dung hoạt động: Lập danh sách điểm nước sâu, đặt biển báo và rào chắn trước mùa mưa.

2.2. Cơ quan chủ trì: UBND các xã, phường.

2.3. Cơ quan phối hợp: Công an tỉnh.

III. KINH PHÍ THỰC HIỆN

Kinh phí thực hiện Kế hoạch được bố trí từ ngân sách nhà nước theo phân cấp hiện hành và nguồn xã hội hóa hợp pháp khác.

IV. TỔ CHỨC THỰC HIỆN

1. Sở Giáo dục và Đào tạo

Chỉ đạo các trường tiểu học mở lớp bơi an toàn; tổng hợp kết quả dạy bơi trong toàn tỉnh.

2. UBND các xã, phường

Rà soát điểm nước nguy hiểm trên địa bàn; bố trí người trông coi trong dịp hè.

V. CHẾ ĐỘ BÁO CÁO

Các cơ quan, đơn vị báo cáo kết quả thực hiện hằng năm về Sở Giáo dục và Đào tạo trước ngày 15/9 để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.

Nơi nhận:
- Bộ Giáo dục và Đào tạo (b/c);
- Các sở, ngành tỉnh;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Trần Minh Khoa
"""

# Blocks of BASE that the tests replace.
TASKS = BASE[BASE.index("1. Dạy bơi"):BASE.index("III. KINH PHÍ")]
FUNDING = BASE[BASE.index("III. KINH PHÍ"):BASE.index("IV. TỔ CHỨC")]
ORGANISATION = BASE[BASE.index("IV. TỔ CHỨC"):BASE.index("V. CHẾ ĐỘ")]
REPORTING = BASE[BASE.index("V. CHẾ ĐỘ"):BASE.index("Nơi nhận")]
PREAMBLE = BASE[BASE.index("Thực hiện Kế hoạch số 45"):BASE.index("I. MỤC ĐÍCH")]


def run_check(text: str, **options) -> list[dict]:
    options.setdefault("today", TODAY)
    return check_text(text, path="draft.txt", options=Options(**options))["findings"]


def ids(findings, severity=None) -> list[str]:
    return [f["rule"] for f in findings if severity is None or f["severity"] == severity]


def only(findings, rule) -> list[dict]:
    return [f for f in findings if f["rule"] == rule]


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old[:60]
    return text.replace(old, new, 1)


def renumber_sections(text: str) -> str:
    """After a section is deleted, number the Roman sections again (I, II, III …)."""
    romans = ["I", "II", "III", "IV", "V", "VI", "VII"]
    n = 0

    def sub(m):
        nonlocal n
        n += 1
        return f"{romans[n - 1]}. "

    return re.sub(r"(?m)^(?:[IVX]+)\. (?=[A-ZĐẾỆỘỔỨ])", sub, text)


def test_the_clean_draft_has_no_findings():
    assert run_check(BASE) == []


def test_every_rule_has_messages_in_both_languages():
    for r in RULES.values():
        assert re.fullmatch(r"KH\d{3}", r.id) and re.fullmatch(r"[a-z0-9-]+", r.name)
        assert r.severity in ("error", "warning", "info")
        assert "default" in r.messages
        for variant in r.messages.values():
            assert variant["vi"] and variant["en"]
        assert r.title["vi"] and r.title["en"] and r.help


# --- KH0 / KH1: tasks and responsibilities ----------------------------------------------------


def test_kh001_a_file_that_is_not_a_plan_is_skipped():
    readme = "# Ghi chú\n\nThư mục này chứa các dự thảo kế hoạch của phòng.\n"
    assert ids(run_check(readme)) == ["KH001"]
    assert "KH001" not in ids(run_check(BASE))


def test_kh100_no_task_section():
    text = replace(BASE, "II. NHIỆM VỤ, GIẢI PHÁP\n\n" + TASKS, "")
    assert "KH100" in ids(run_check(renumber_sections(text)))


def test_kh101_task_without_lead_when_the_other_tasks_name_one():
    text = replace(BASE, "2.2. Cơ quan chủ trì: UBND các xã, phường.\n\n", "")
    found = only(run_check(text), "KH101")
    assert [(f["severity"], f["data"]["task"]) for f in found] == [("error", "II.2")]
    assert found[0]["source"].startswith("2. Rà soát")
    assert "names no lead body" in found[0]["messages"]["en"]
    assert "không nêu cơ quan chủ trì" in found[0]["messages"]["vi"]


def test_kh101_tasks_without_leads_and_no_organisation_section():
    text = replace(BASE, "1.2. Cơ quan chủ trì: Sở Giáo dục và Đào tạo.\n\n", "")
    text = replace(text, "2.2. Cơ quan chủ trì: UBND các xã, phường.\n\n", "")
    text = renumber_sections(replace(text, ORGANISATION, ""))
    found = only(run_check(text), "KH101")
    assert [(f["severity"], f["data"]["task"], f["variant"]) for f in found] == [
        ("error", "II.1", "no_organisation"), ("error", "II.2", "no_organisation")]


def test_kh101_leads_only_in_organisation_is_information():
    """The genre's other convention (tasks without bodies, one item per body in "Tổ chức
    thực hiện"): one information finding, nothing that fails."""
    text = replace(BASE, "1.2. Cơ quan chủ trì: Sở Giáo dục và Đào tạo.\n\n", "")
    text = replace(text, "2.2. Cơ quan chủ trì: UBND các xã, phường.\n\n", "")
    found = only(run_check(text), "KH101")
    assert [(f["severity"], f["variant"]) for f in found] == [("info", "organisation_only")]


def test_kh101_a_lone_lead_does_not_make_the_other_tasks_errors():
    """One task of three naming a lead is not the plan's convention (often a "… chủ trì"
    phrase in the task's text): the plan is read as assigning its work in "Tổ chức thực hiện"."""
    text = replace(BASE, "2.2. Cơ quan chủ trì: UBND các xã, phường.\n\n", "")
    text = replace(text, "III. KINH PHÍ", "3. Truyền thông về phòng, chống đuối nước trên đài phát thanh cơ sở.\n\nIII. KINH PHÍ")
    found = only(run_check(text), "KH101")
    assert [(f["severity"], f["variant"]) for f in found] == [("info", "organisation_only")]


def test_kh102_lead_is_only_a_group():
    text = replace(BASE, "1.2. Cơ quan chủ trì: Sở Giáo dục và Đào tạo.", "1.2. Cơ quan chủ trì: Các sở, ban, ngành tỉnh.")
    assert [f["data"]["task"] for f in only(run_check(text), "KH102")] == ["II.1"]
    assert not only(run_check(BASE), "KH102")


THUC_HIEN = """1. Dạy bơi an toàn cho học sinh tiểu học

- Mở các lớp bơi miễn phí tại các trường tiểu học.

- Tập huấn giáo viên thể dục về kỹ năng cứu đuối.

* Thực hiện: Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Văn hóa, Thể thao và Du lịch.

- Tổ chức ngày hội bơi an toàn cho thiếu nhi vào dịp hè.
{closing}
"""


def test_kh103_activities_after_the_last_thuc_hien_line():
    text = replace(BASE, BASE[BASE.index("1. Dạy bơi"):BASE.index("2. Rà soát")], THUC_HIEN.format(closing=""))
    found = only(run_check(text), "KH103")
    assert [(f["data"]["task"], f["data"]["count"]) for f in found] == [("II.1", 1)]
    closed = THUC_HIEN.format(closing="\n* Thực hiện: Sở Văn hóa, Thể thao và Du lịch chủ trì.\n")
    assert not only(run_check(replace(BASE, BASE[BASE.index("1. Dạy bơi"):BASE.index("2. Rà soát")], closed)), "KH103")


def test_kh103_not_when_thuc_hien_lines_open_the_groups():
    """Some plans write "Thực hiện: …" before the activities it governs: who leads which
    activity is then not for the check to guess."""
    opened = """1. Dạy bơi an toàn cho học sinh tiểu học

* Thực hiện: Sở Giáo dục và Đào tạo chủ trì.

- Mở các lớp bơi miễn phí tại các trường tiểu học.

* Thực hiện: Sở Văn hóa, Thể thao và Du lịch chủ trì.

- Tổ chức ngày hội bơi an toàn cho thiếu nhi vào dịp hè.

"""
    text = replace(BASE, BASE[BASE.index("1. Dạy bơi"):BASE.index("2. Rà soát")], opened)
    assert not only(run_check(text), "KH103")


def test_kh111_lead_body_absent_from_organisation():
    text = replace(BASE, "2.2. Cơ quan chủ trì: UBND các xã, phường.", "2.2. Cơ quan chủ trì: UBND các xã, phường; Sở Nông nghiệp và Môi trường.")
    found = only(run_check(text), "KH111")
    assert [(f["severity"], f["data"]["body"]) for f in found] == [("warning", "Sở Nông nghiệp và Môi trường")]
    assert found[0]["source"].startswith("2.2. Cơ quan chủ trì")
    # A general item "Các sở, ban, ngành" speaks to it: information only.
    general = replace(text, "V. CHẾ ĐỘ BÁO CÁO", "3. Các sở, ban, ngành tỉnh\n\nCăn cứ chức năng, nhiệm vụ tổ chức thực hiện Kế hoạch.\n\nV. CHẾ ĐỘ BÁO CÁO")
    assert [(f["severity"], f["variant"]) for f in only(run_check(general), "KH111")] == [("info", "group")]


def test_kh112_body_with_duties_but_no_task_is_information():
    text = replace(BASE, "V. CHẾ ĐỘ BÁO CÁO", "3. Sở Tư pháp\n\nHướng dẫn hỗ trợ pháp lý cho gia đình có trẻ em bị nạn.\n\nV. CHẾ ĐỘ BÁO CÁO")
    found = only(run_check(text), "KH112")
    assert [(f["severity"], f["data"]["body"]) for f in found] == [("info", "Sở Tư pháp")]


def test_kh113_no_organisation_section():
    text = renumber_sections(replace(BASE, ORGANISATION, ""))
    assert [f["severity"] for f in only(run_check(text), "KH113")] == ["warning"]
    assert not only(run_check(BASE), "KH113")


# --- KH2: funding and reporting ---------------------------------------------------------------


def test_kh201_no_funding_clause():
    text = renumber_sections(replace(BASE, FUNDING, ""))
    found = only(run_check(text), "KH201")
    assert [(f["severity"], f["variant"]) for f in found] == [("error", "default")]
    mentioned = replace(text, "Rà soát điểm nước nguy hiểm trên địa bàn;", "Bố trí kinh phí rà soát điểm nước nguy hiểm;")
    assert [f["variant"] for f in only(run_check(mentioned), "KH201")] == ["mentioned"]


def test_kh202_funding_without_source():
    text = replace(BASE, FUNDING, "III. KINH PHÍ THỰC HIỆN\n\nKinh phí thực hiện Kế hoạch do các đơn vị tự cân đối.\n\n")
    assert [f["severity"] for f in only(run_check(text), "KH202")] == ["warning"]
    assert not only(run_check(BASE), "KH202")


def test_kh211_no_reporting_clause():
    text = replace(BASE, REPORTING, "")
    assert [f["severity"] for f in only(run_check(text), "KH211")] == ["error"]


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("Các cơ quan, đơn vị báo cáo kết quả thực hiện hằng năm về Sở Giáo dục và Đào tạo.", ["KH212"]),
        ("Các cơ quan, đơn vị báo cáo kết quả thực hiện về Sở Giáo dục và Đào tạo khi có yêu cầu.", ["KH212", "KH213"]),
        ("Định kỳ hằng năm, trước ngày 15/9, các cơ quan, đơn vị báo cáo kết quả thực hiện.", ["KH214"]),
        ("Các cơ quan, đơn vị thực hiện tốt công tác thông tin, báo cáo.", ["KH212", "KH213", "KH214"]),
    ],
)
def test_kh212_kh213_kh214_reporting_without_deadline_frequency_recipient(sentence, expected):
    text = replace(BASE, REPORTING, f"V. CHẾ ĐỘ BÁO CÁO\n\n{sentence}\n\n")
    found = run_check(text)
    assert sorted(r for r in ids(found) if r.startswith("KH21")) == expected
    assert all(f["severity"] == "warning" for f in found if f["rule"] in expected)


# --- KH3: bodies and provinces that no longer exist -------------------------------------------


OLD_BODY = replace(BASE, "2.3. Cơ quan phối hợp: Công an tỉnh.", "2.3. Cơ quan phối hợp: Công an tỉnh; Sở Lao động - Thương binh và Xã hội.")


def test_kh301_body_that_no_longer_exists_with_its_successor():
    found = only(run_check(OLD_BODY), "KH301")
    assert [(f["severity"], f["data"]["body"], f["data"]["successor"]) for f in found] == [
        ("error", "Sở Lao động - Thương binh và Xã hội", "Sở Y tế")]
    assert "28/02/2025" in found[0]["messages"]["vi"] and "Sở Y tế" in found[0]["messages"]["vi"]
    # In a plan dated before the reorganisation it is right.
    dated_2024 = OLD_BODY.replace("ngày 10 tháng 3 năm 2026", "ngày 10 tháng 3 năm 2024").replace("20/01/2026", "20/01/2024")
    assert not only(run_check(dated_2024), "KH301")
    # --as-of moves the reference date.
    assert only(run_check(dated_2024, as_of=dt.date(2026, 1, 1)), "KH301")


def test_kh301_district_level_in_running_text():
    text = replace(BASE, "Rà soát điểm nước nguy hiểm trên địa bàn;", "Phối hợp với UBND các huyện, thị xã rà soát điểm nước nguy hiểm;")
    found = only(run_check(text), "KH301")
    assert [f["data"]["successor"] for f in found] == ["Ủy ban nhân dân cấp xã"]


def test_kh301_the_issuer_of_a_cited_document_is_history():
    text = replace(BASE, "của Ủy ban nhân dân tỉnh về phòng, chống", "của Bộ Lao động - Thương binh và Xã hội về phòng, chống")
    text = text.replace("Kế hoạch số 45/KH-UBND ngày 20/01/2026", "Thông tư số 45/2024/TT-BLĐTBXH ngày 20/01/2024")
    assert not only(run_check(text), "KH301")


def test_kh302_merged_province():
    text = BASE.replace("TỈNH QUẢNG TRỊ", "TỈNH QUẢNG BÌNH").replace("Quảng Trị, ngày", "Quảng Bình, ngày")
    found = only(run_check(text), "KH302")
    assert [(f["severity"], f["data"]["province"], f["data"]["current"]) for f in found] == [("error", "Quảng Bình", "Quảng Trị")]
    earlier = text.replace("năm 2026", "năm 2024").replace("20/01/2026", "20/01/2024")
    assert not only(run_check(earlier), "KH302")


# --- KH4: citations and dates -----------------------------------------------------------------


def cite(sentence: str) -> str:
    return replace(BASE, PREAMBLE, sentence + "\n\n")


def test_kh401_citation_without_date():
    text = cite("Thực hiện Quyết định số 310/QĐ-UBND của Ủy ban nhân dân tỉnh về công tác trẻ em, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    assert [f["data"]["number"] for f in only(run_check(text), "KH401")] == ["310/QĐ-UBND"]
    # A law is cited by its number; a later mention may drop the date given earlier.
    law = cite("Căn cứ Luật Trẻ em số 102/2016/QH13; thực hiện Quyết định số 310/QĐ-UBND ngày 02/02/2026 của Ủy ban nhân dân tỉnh, "
               "Quyết định số 310/QĐ-UBND nêu rõ yêu cầu; Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    assert not only(run_check(law), "KH401")


def test_kh402_citation_without_number():
    text = cite("Thực hiện Quyết định ngày 02/02/2026 của Ủy ban nhân dân tỉnh về công tác trẻ em, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    assert [f["severity"] for f in only(run_check(text), "KH402")] == ["warning"]
    blank = cite("Thực hiện Kế hoạch số /KH-UBND ngày 02/02/2026 của Ủy ban nhân dân tỉnh, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    assert only(run_check(blank), "KH402")
    assert not only(run_check(BASE), "KH402")


def test_kh403_malformed_numbers():
    party = cite("Thực hiện Chỉ thị số 28/CT-TW ngày 25/12/2023 của Ban Bí thư, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    found = only(run_check(party), "KH403")
    assert [(f["variant"], f["data"]["suggest"]) for f in found] == [("party", "28-CT/TW")]
    year = cite("Căn cứ Nghị định số 12/2099/NĐ-CP ngày 01/01/2025 của Chính phủ, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    assert "year" in [f["variant"] for f in only(run_check(year), "KH403")]
    spaced = BASE.replace("Số: 128/KH-UBND", "Số: 128 /KH- UBND")
    found = only(run_check(spaced), "KH403")
    assert [(f["variant"], f["severity"]) for f in found] == [("spacing", "info")]


def test_kh404_impossible_date():
    text = cite("Thực hiện Kế hoạch số 45/KH-UBND ngày 31/4/2025 của Ủy ban nhân dân tỉnh, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    found = only(run_check(text), "KH404")
    assert [(f["severity"], f["data"]["date"]) for f in found] == [("error", "31/4/2025")]
    plan_date = BASE.replace("ngày 10 tháng 3 năm 2026", "ngày 30 tháng 2 năm 2026")
    assert [f["variant"] for f in only(run_check(plan_date), "KH404")] == ["plan"]


def test_kh405_cited_document_dated_after_the_plan():
    text = BASE.replace("20/01/2026", "20/05/2026")
    found = only(run_check(text), "KH405")
    assert [(f["severity"], f["data"]["number"]) for f in found] == [("error", "45/KH-UBND")]
    assert not only(run_check(BASE), "KH405")


def test_kh406_year_of_the_number_and_of_the_date_differ():
    text = cite("Căn cứ Nghị định số 56/2017/NĐ-CP ngày 09/5/2018 của Chính phủ, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    assert [f["data"]["year"] for f in only(run_check(text), "KH406")] == ["2017"]
    ok = cite("Căn cứ Nghị định số 56/2017/NĐ-CP ngày 09/5/2017 của Chính phủ, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")
    assert not only(run_check(ok), "KH406")


# --- KH5: numbering ---------------------------------------------------------------------------


def test_kh501_numbering_gap_in_tasks_and_sections():
    text = BASE.replace("2. Rà soát, cắm biển", "4. Rà soát, cắm biển").replace("2.1. Nội dung", "4.1. Nội dung")
    text = text.replace("2.2. Cơ quan chủ trì", "4.2. Cơ quan chủ trì").replace("2.3. Cơ quan phối hợp", "4.3. Cơ quan phối hợp")
    found = only(run_check(text), "KH501")
    assert [(f["data"]["item"], f["data"]["missing"]) for f in found] == [("4", "2, 3")]
    sections = BASE.replace("IV. TỔ CHỨC", "V. TỔ CHỨC").replace("V. CHẾ ĐỘ", "VI. CHẾ ĐỘ")
    assert [f["variant"] for f in only(run_check(sections), "KH501")] == ["section"]


def test_kh501_sub_item_under_the_wrong_parent():
    text = BASE.replace("2.2. Cơ quan chủ trì", "3.2. Cơ quan chủ trì")
    found = only(run_check(text), "KH501")
    assert [(f["variant"], f["data"]["item"], f["data"]["parent"]) for f in found] == [("parent", "3.2", "2")]


LETTERS = """1. Dạy bơi an toàn cho học sinh tiểu học

{items}

Cơ quan chủ trì: Sở Giáo dục và Đào tạo.

"""


def lettered(*letters: str) -> str:
    items = "\n\n".join(f"{x}) Hoạt động thứ {i + 1} của nhiệm vụ dạy bơi." for i, x in enumerate(letters))
    return replace(BASE, BASE[BASE.index("1. Dạy bơi"):BASE.index("2. Rà soát")], LETTERS.format(items=items))


def test_kh501_kh502_letters_with_a_gap_or_twice():
    assert [(f["data"]["item"], f["data"]["missing"]) for f in only(run_check(lettered("a", "b", "d")), "KH501")] == [("d)", "c)")]
    assert [f["data"]["item"] for f in only(run_check(lettered("a", "b", "b", "c")), "KH502")] == ["b)"]
    assert not [f for f in run_check(lettered("a", "b", "c", "d", "đ", "e", "g")) if f["rule"].startswith("KH5")]


def test_kh502_duplicate_number():
    text = BASE.replace("2. Rà soát, cắm biển", "1. Rà soát, cắm biển")
    assert [f["data"]["item"] for f in only(run_check(text), "KH502")] == ["1"]


def test_kh503_lettering_that_skips_dd_or_uses_latin_letters():
    found = run_check(lettered("a", "b", "c", "d", "e", "f", "g"))
    assert [(f["rule"], f["variant"], f["data"]["item"]) for f in found if f["rule"].startswith("KH5")] == [
        ("KH503", "default", "e)"), ("KH503", "latin", "f)")]


def test_a_new_list_under_the_same_parent_is_not_a_duplicate():
    text = lettered("a", "b").replace("b) Hoạt động thứ 2", "b) Hoạt động thứ 2\n\nYêu cầu cụ thể:\n\na) Một yêu cầu\n\nb) Yêu cầu khác")
    assert not [f for f in run_check(text) if f["rule"].startswith("KH5")]


# --- KH6: coverage ----------------------------------------------------------------------------


TB432 = cite("Thực hiện Thông báo số 432-TB/VPTW ngày 26/11/2025 của Văn phòng Trung ương Đảng, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:")


def test_kh600_coverage_engine_unavailable(monkeypatch):
    import khplan.check as check

    monkeypatch.setattr(check, "_coverage_engine", lambda: None)
    found = only(run_check(TB432), "KH600")
    assert [(f["severity"], f["data"]["catalogs"]) for f in found] == [("info", "tb432")]
    assert not only(run_check(BASE), "KH600")  # no catalog for what BASE implements


def fake_engine(score: float, statuses: dict[str, str]):
    def score_plan(plan, catalog):
        reqs = [{"id": rid, "title": f"Yêu cầu {rid}", "status": st, "score": 0.0, "evidence": []} for rid, st in statuses.items()]
        return {"schema": "khplan.coverage/v1", "plan": {}, "catalog": {"id": str(catalog), "title": "", "version": "1"},
                "summary": {"requirements": len(reqs), "covered": 0, "partial": 0, "missing": 0, "score": score},
                "requirements": reqs}

    return score_plan


def test_kh601_kh602_coverage_below_threshold_names_missing_requirements(monkeypatch):
    import khplan.check as check

    monkeypatch.setattr(check, "_coverage_engine", lambda: fake_engine(0.4, {"TB432-1.1": "covered", "TB432-2.1": "missing"}))
    found = run_check(TB432, min_coverage=0.6)
    low = only(found, "KH601")
    assert [(f["severity"], f["data"]["catalog"], f["data"]["missing"]) for f in low] == [("warning", "tb432", "TB432-2.1")]
    assert low[0]["source"].startswith("Thực hiện Thông báo số 432-TB/VPTW")
    assert [f["data"]["requirement"] for f in only(found, "KH602")] == ["TB432-2.1"]
    assert not only(run_check(TB432, min_coverage=0.3), "KH601")
    # --against names the catalogs instead of the plan's own declaration.
    assert [f["data"]["catalog"] for f in only(run_check(BASE, against=["tb444"], min_coverage=0.6), "KH601")] == ["tb444"]


# --- KH7: a draft's identity ------------------------------------------------------------------


BLANK = BASE.replace("Số: 128/KH-UBND", "Số:      /KH-UBND").replace("ngày 10 tháng 3 năm 2026", "ngày     tháng     năm 2026")


def test_kh701_kh702_blank_number_and_date_are_information_in_a_draft_errors_when_final():
    draft = run_check(BLANK)
    assert [(f["rule"], f["severity"]) for f in draft] == [("KH701", "info"), ("KH702", "info")]
    final = run_check(BLANK, final=True)
    assert [(f["rule"], f["severity"]) for f in final] == [("KH701", "error"), ("KH702", "error")]


def test_kh703_missing_signer():
    text = BASE.replace("\nTrần Minh Khoa\n", "\n")
    assert [(f["rule"], f["severity"]) for f in run_check(text)] == [("KH703", "info")]
    assert [(f["rule"], f["severity"]) for f in run_check(text, final=True)] == [("KH703", "error")]
    assert not run_check(BASE, final=True)


def test_severity_overrides_and_select_ignore():
    text = renumber_sections(replace(BASE, FUNDING, ""))
    assert [f["severity"] for f in run_check(text, severities={"KH201": "warning"})] == ["warning"]
    assert run_check(text, severities={"KH201": "off"}) == []
    assert run_check(text, ignore={"KH201"}) == []
    assert ids(run_check(BLANK, select={"KH701"})) == ["KH701"]


def test_rule_ids_by_id_prefix_and_name():
    from khplan.check import resolve_rule_ids
    from khplan.errors import UsageError

    assert resolve_rule_ids(["KH2"], "--select") == {r for r in RULES if r.startswith("KH2")}
    assert resolve_rule_ids(["task-without-lead"], "--select") == {"KH101"}
    with pytest.raises(UsageError):
        resolve_rule_ids(["KH999"], "--select")


# --- the samples --------------------------------------------------------------------------------


def check_sample(name: str, **options) -> dict:
    from khplan.check import check_file

    options.setdefault("today", TODAY)
    return check_file(str(SAMPLES / name), options=Options(**options))


def sample_text_report(name: str) -> str:
    """The findings of a sample as `khplan check --lang en -q` prints them (coverage rules
    aside: their verdicts belong to the coverage engine's own tests)."""
    from khplan.check import check_file
    from khplan.check_report import render_text

    res = check_file(f"samples/{name}", options=Options(today=TODAY, ignore={"KH600", "KH601", "KH602"}))
    return render_text([res], "error", "en", quiet=True)


SAMPLE_TEXTS = sorted(p.name for p in SAMPLES.glob("*.txt"))


@pytest.mark.parametrize("name", SAMPLE_TEXTS)
def test_golden_findings_of_each_sample(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    got = sample_text_report(name)
    golden = GOLDEN / (Path(name).stem + ".txt")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file for {name}; run UPDATE_GOLDEN=1 and review it against the source"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [CB, BK])
def test_golden_bodies_that_no_longer_exist_as_of_2026(name, monkeypatch):
    """The 2025 reorganisation seen from 1 January 2026: tests/golden/check/*.as-of-2026-01-01.txt."""
    from khplan.check import check_file
    from khplan.check_report import render_text

    monkeypatch.chdir(ROOT)
    res = check_file(f"samples/{name}", options=Options(today=TODAY, as_of=dt.date(2026, 1, 1), select={"KH301", "KH302"}))
    got = render_text([res], "error", "en", quiet=True)
    golden = GOLDEN / (Path(name).stem + ".as-of-2026-01-01.txt")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_cao_bang_as_of_2026_names_the_bodies_that_no_longer_exist_with_successors():
    res = check_sample(CB, as_of=dt.date(2026, 1, 1))
    found = [(f["line"], f["data"]["body"], f["data"].get("successor")) for f in res["findings"] if f["rule"] == "KH301"]
    assert (176, "Sở Lao động - Thương binh và Xã hội", "Sở Y tế") in found
    assert (272, "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ") in found
    assert (289, "Ủy ban nhân dân các huyện, thành phố", "Ủy ban nhân dân cấp xã") in found
    assert (321, "Bộ LĐTBXH", "Bộ Y tế") in found
    assert all(s for _, _, s in found) and len(found) >= 8
    assert res["reference_date"] == {"date": "2026-01-01", "source": "option"}
    own = check_sample(CB)
    assert own["reference_date"] == {"date": "2022-03-29", "source": "plan"}
    assert not [f for f in own["findings"] if f["rule"] in ("KH301", "KH302")]


def test_bac_kan_as_of_2026_is_a_merged_province():
    found = [f for f in check_sample(BK, as_of=dt.date(2026, 1, 1))["findings"] if f["rule"] == "KH302"]
    assert [(f["data"]["province"], f["data"]["current"]) for f in found] == [("Bắc Kạn", "Thái Nguyên")]


def test_hung_yen_draft_blank_number_and_date_are_information():
    found = check_sample(HY)["findings"]
    assert [(f["rule"], f["severity"], f["line"]) for f in found if f["rule"] in ("KH701", "KH702")] == [
        ("KH701", "info", 3), ("KH702", "info", 5)]
    assert not [f for f in found if f["severity"] != "info"]


# --- drafts made from a sample by deleting a clause, through the command line -----------------


def khplan(*args, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    return subprocess.run([sys.executable, "-m", "khplan", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def cut(text: str, start: str, end: str | None) -> str:
    i = text.index(start)
    j = text.index(end, i) if end else len(text)
    return text[:i] + text[j:]


def test_deleting_a_clause_from_a_sample_fails_with_the_right_finding(tmp_path):
    hy = (SAMPLES / HY).read_text(encoding="utf-8")
    tn = (SAMPLES / TN).read_text(encoding="utf-8")
    drafts = {
        "no-funding.txt": (cut(hy, "III. KINH PHÍ THỰC HIỆN", "IV. TỔ CHỨC THỰC HIỆN"), "KH201"),
        "no-reporting.txt": (cut(tn, "Định kỳ hằng năm (*trước ngày 15/12*)", "\n"), "KH211"),
        "no-lead.txt": (cut(tn, "3.2. *Cơ quan chủ trì:* Sở Y tế.", "3.3."), "KH101"),
    }
    for name, (text, _) in drafts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for name, (_, rule) in drafts.items():
        r = khplan("check", tmp_path / name, "--format", "json", "-q")
        assert r.returncode == 1, (name, r.stderr)
        report = json.loads(r.stdout)
        errors = [f["rule"] for f in report["files"][0]["findings"] if f["severity"] == "error"]
        assert errors == [rule], name
    # The untouched samples pass at the default severity.
    r = khplan("check", SAMPLES / HY, SAMPLES / TN, SAMPLES / BK, "-q")
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_two_samples_with_a_genuine_error():
    """Cao Bằng cites a circular "ngày 30/9/021" (a date that does not exist) and the Central
    Highlands plan has no funding clause at all: both fail the default check, for that reason only."""
    assert [f["rule"] for f in check_sample(CB)["findings"] if f["severity"] == "error"] == ["KH404"]
    assert [f["rule"] for f in check_sample(TY)["findings"] if f["severity"] == "error"] == ["KH201"]


# --- formats, baseline, configuration, exit codes -------------------------------------------------


def test_text_output_points_at_the_line_with_a_caret():
    r = khplan("check", f"samples/{CB}", "--lang", "en", "--select", "KH404")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f'samples/{CB}:103:29: KH404 error The date "30/9/021" of 13/2021/TT-BLĐTBXH does not exist'
    assert lines[1] == "  103 | tiêu thống kê, báo cáo theo Thông tư số 13/2021/TT-BLĐTBXH ngày 30/9/021 của Bộ"
    assert lines[2].index("^") == lines[1].index("Thông tư")
    assert lines[-1].startswith("1 file: 1 errors")
    assert khplan("check", f"samples/{CB}", "--lang", "en", "--select", "KH404").stdout == r.stdout  # deterministic


def test_json_output_validates_against_its_schema():
    from khplan.schemas import validate_data

    r = khplan("check", SAMPLES / TY, SAMPLES / HY, "--format", "json", "-q", "-j", "1")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert validate_data(data) == []
    assert data["schema"] == "khplan.check/v1"
    assert data["summary"]["failed"] and data["summary"]["errors"] == 1
    f = data["files"][0]["findings"][0]
    assert {"rule", "severity", "message", "line", "column", "span", "fingerprint"} <= set(f)


def test_junit_sarif_and_github_formats(tmp_path):
    import xml.etree.ElementTree as ET

    r = khplan("check", SAMPLES / CB, "--format", "junit", "-o", tmp_path / "r.xml")
    assert r.returncode == 1 and r.stdout == ""
    root = ET.parse(tmp_path / "r.xml").getroot()
    assert root.tag == "testsuites" and root.get("failures") == "1"
    failure = root.find(".//testcase[@name='KH404 impossible-date']/failure")
    assert failure is not None and "30/9/021" in failure.get("message")

    r = khplan("check", SAMPLES / CB, "--format", "sarif", "--lang", "en")
    sarif = json.loads(r.stdout)
    assert sarif["version"] == "2.1.0"
    res = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "KH404"]
    assert res[0]["level"] == "error" and res[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 103
    assert {x["id"] for x in sarif["runs"][0]["tool"]["driver"]["rules"]} == set(RULES)

    r = khplan("check", f"samples/{CB}", "--format", "github", "--lang", "en")
    line = next(x for x in r.stdout.splitlines() if "KH404" in x)
    assert line.startswith(f"::error file=samples/{CB},line=103,col=29,")
    assert line.endswith('::The date "30/9/021" of 13/2021/TT-BLĐTBXH does not exist')
    assert any(x.startswith("::notice ") for x in r.stdout.splitlines())


def test_baseline_only_new_findings_fail_even_when_lines_move(tmp_path):
    draft = tmp_path / "drafts" / "plan.txt"
    draft.parent.mkdir()
    text = (SAMPLES / TY).read_text(encoding="utf-8")
    draft.write_text(text, encoding="utf-8")
    r = khplan("check", "drafts", "--write-baseline", "khplan-baseline.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    base = json.loads((tmp_path / "khplan-baseline.json").read_text(encoding="utf-8"))
    assert base["schema"] == "khplan.check-baseline/v1" and any(e["rule"] == "KH201" for e in base["findings"])
    assert khplan("check", "drafts", "--baseline", "khplan-baseline.json", cwd=tmp_path).returncode == 0
    # Lines move (a paragraph inserted at the top): the known findings stay known.
    draft.write_text("\n\nGhi chú của người soạn thảo: bản dự thảo lần 2.\n" + text, encoding="utf-8")
    r = khplan("check", "drafts", "--baseline", "khplan-baseline.json", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert json.loads(r.stdout)["summary"]["baselined"] >= 1
    # A new problem fails, and only it is reported.
    draft.write_text(text.replace("ngày 18 tháng 6 năm 2021", "ngày 31 tháng 6 năm 2021", 1), encoding="utf-8")
    r = khplan("check", "drafts", "--baseline", "khplan-baseline.json", "--lang", "en", "-q", cwd=tmp_path)
    assert r.returncode == 1
    assert [x.split(": ", 1)[1].split()[0] for x in r.stdout.splitlines() if x.startswith("drafts/")] == ["KH404"]
    # Run from another folder: the fingerprints are relative to the baseline, not the cwd.
    r = khplan("check", tmp_path / "drafts", "--baseline", tmp_path / "khplan-baseline.json", "-q", cwd=ROOT)
    assert r.returncode == 1 and r.stdout.count("KH404") == 1 and "KH201" not in r.stdout


def test_configuration_khplan_toml_and_pyproject_found_upward(tmp_path):
    drafts = tmp_path / "repo" / "drafts"
    drafts.mkdir(parents=True)
    (drafts / "ty.txt").write_text((SAMPLES / TY).read_text(encoding="utf-8"), encoding="utf-8")
    assert khplan("check", drafts / "ty.txt", "-q").returncode == 1
    (tmp_path / "repo" / "khplan.toml").write_text('[check]\nignore = ["no-funding"]\nlang = "en"\n', encoding="utf-8")
    r = khplan("check", drafts / "ty.txt")
    assert r.returncode == 0 and "passed" in r.stdout
    # The command line wins over the configuration.
    assert khplan("check", drafts / "ty.txt", "--severity", "warning", "-q").returncode == 1
    (tmp_path / "repo" / "khplan.toml").unlink()
    (tmp_path / "repo" / "pyproject.toml").write_text('[tool.khplan.check]\nseverity = "warning"\n[tool.khplan.check.rules]\nKH201 = "info"\nKH212 = "off"\n', encoding="utf-8")
    r = khplan("check", drafts / "ty.txt", "--format", "json")
    assert r.returncode == 0, r.stdout
    sev = {f["rule"]: f["severity"] for f in json.loads(r.stdout)["files"][0]["findings"]}
    assert sev["KH201"] == "info" and "KH212" not in sev


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--severity", "fatal"], "--severity"),
        (["--as-of", "2026-13-01"], "--as-of"),
        (["--select", "KH999"], "unknown rule"),
        (["--format", "xml"], "--format"),
        (["--baseline", "missing-baseline.json"], "no such baseline"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, needle):
    r = khplan("check", SAMPLES / HY, *args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr and "Traceback" not in r.stderr


def test_unreadable_file_and_bad_configuration_exit_2(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    r = khplan("check", tmp_path / "empty.txt")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "empty" in r.stderr
    # In a batch the other files are still checked.
    r = khplan("check", tmp_path / "empty.txt", SAMPLES / HY, "--format", "json", "-q")
    assert r.returncode == 2
    from khplan.schemas import validate_data

    report = json.loads(r.stdout)
    assert validate_data(report) == []
    files = report["files"]
    assert "error" in files[0] and files[1]["findings"] and report["summary"]["unreadable"] == 1
    (tmp_path / "khplan.toml").write_text("[check]\nseverty = 'error'\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text(BASE, encoding="utf-8")
    r = khplan("check", tmp_path / "d.txt")
    assert r.returncode == 2 and "unknown key 'severty'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = khplan("check", tmp_path / "nope.txt")
    assert r.returncode == 2 and "no such file" in r.stderr


# --- the pre-commit hook and the CI example -----------------------------------------------------


def hook():
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == "khplan-check")


def entry_argv(entry: str) -> list[str]:
    argv = shlex.split(entry)
    assert argv[0] == "khplan"
    return [sys.executable, "-m", "khplan", *argv[1:]]


def test_pre_commit_hook_entry_runs_on_the_files_it_matches(tmp_path):
    h = hook()
    assert h["entry"] == "khplan check" and h["language"] == "python"
    pattern = re.compile(h["files"])
    candidates = [SAMPLES / HY, SAMPLES / TN, ROOT / "README.md", ROOT / "pyproject.toml", SAMPLES / "docx" / HY.replace(".txt", ".docx")]
    files = [str(p) for p in candidates if pattern.search(str(p))]
    assert str(ROOT / "pyproject.toml") not in files and len(files) == 4
    argv = entry_argv(h["entry"]) + h.get("args", []) + files
    r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr  # README.md is not a plan: information only
    broken = tmp_path / "draft.txt"
    broken.write_text(cut((SAMPLES / HY).read_text(encoding="utf-8"), "III. KINH PHÍ THỰC HIỆN", "IV. TỔ CHỨC"), encoding="utf-8")
    r = subprocess.run(entry_argv(h["entry"]) + h.get("args", []) + [str(broken)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "KH201" in r.stdout


def ci_commands() -> list[str]:
    doc = (ROOT / "docs" / "ci-example.md").read_text(encoding="utf-8")
    shell = re.findall(r"```sh\n(.*?)```", doc, re.S)
    workflow = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    import yaml

    steps = yaml.safe_load(workflow[0])["jobs"]["khplan-check"]["steps"]
    run_steps = [s["run"] for s in steps if "run" in s and s["run"].startswith("khplan check")]
    return [line for block in shell for line in block.splitlines() if line.startswith("khplan check")] + run_steps


def test_ci_example_commands_work_locally(tmp_path):
    cmds = ci_commands()
    main, write, check_step, sarif_step = cmds
    assert "--write-baseline" in write and "--format github" in check_step
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    for name in (HY, TY):
        (drafts / name).write_text((SAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8")

    def sh(cmd):
        argv = entry_argv(cmd.split("||")[0].strip())
        return subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=300)

    assert sh(main).returncode == 2  # no baseline yet: the command says so (exit 2)
    assert sh(write).returncode == 0 and (tmp_path / "khplan-baseline.json").exists()
    assert sh(main).returncode == 0
    assert sh(check_step).returncode == 0
    assert sh(sarif_step).returncode == 0 and json.loads((tmp_path / "khplan.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    # A new draft with an error fails the pipeline, with an annotation on its line.
    (drafts / "new.txt").write_text(renumber_sections(replace(BASE, FUNDING, "")), encoding="utf-8")
    r = sh(check_step)
    assert r.returncode == 1 and "::error file=drafts/new.txt," in r.stdout
