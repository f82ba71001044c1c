"""Plans written for these tests (tests/data/plans/, new text) in layouts the samples lack:
a commune plan with capital-letter parts and labelled lines, a district plan with numbered
capital headings and responsibility in parentheses, a Markdown plan with a task table."""

from pathlib import Path

import pytest

from khplan import parse_file

PLANS = Path(__file__).parent / "data" / "plans"


def names(bodies):
    return [b["name"] for b in bodies]


@pytest.fixture(scope="module")
def commune():
    return parse_file(str(PLANS / "xa-an-phu-2026-phong-chong-thien-tai.txt"))


@pytest.fixture(scope="module")
def district():
    return parse_file(str(PLANS / "huyen-tan-hoa-2024-binh-dang-gioi.txt"))


@pytest.fixture(scope="module")
def table_plan():
    return parse_file(str(PLANS / "tinh-lao-cai-2026-viec-lam-bang-nhiem-vu.md"))


def test_commune_header_on_one_line_with_pipes(commune):
    doc = commune["document"]
    assert (doc["number"], doc["issuer"], doc["place"], doc["date"]) == ("27/KH-UBND", "UBND xã An Phú", "An Phú", "2026-01-12")
    assert doc["province"] == "Lào Cai"  # from "Ủy ban nhân dân tỉnh Lào Cai" in the preamble
    assert (doc["signer"]["name"], doc["signer"]["title"], doc["signer"]["authority"]) == ("Hoàng Văn Minh", "Chủ tịch", "TM. ỦY BAN NHÂN DÂN")


def test_commune_capital_letter_parts(commune):
    assert [(s["id"], s["kind"]) for s in commune["outline"]] == [("A", "purpose"), ("B", "tasks"), ("C", "funding"), ("D", "organisation")]
    assert [t["id"] for t in commune["tasks"]] == ["B.1", "B.2"]


def test_labelled_lines_under_each_activity(commune):
    t = commune["tasks"][0]
    a, b = t["activities"]
    assert names(a["lead"]) == ["Văn phòng HĐND và UBND xã"]  # one body, not split at "và UBND"
    assert a["deadline"]["date"] == "2026-02-28"
    assert names(b["lead"]) == ["Công an xã"] and names(b["coordinating"]) == ["Ban Chỉ huy Quân sự xã"]
    assert "Đơn vị chủ trì" not in a["text"]


def test_several_labels_on_one_line_after_a_list(commune):
    t = commune["tasks"][1]
    assert len(t["activities"]) == 2
    assert names(t["lead"]) == ["Phòng Văn hóa - Xã hội"]
    assert names(t["coordinating"]) == ["Ủy ban MTTQ Việt Nam xã", "Đoàn Thanh niên xã"]
    assert t["deadline"] == {"text": "Quý II/2026", "date": None, "period": "2026", "span": t["deadline"]["span"]}
    assert all(names(a["lead"]) == ["Phòng Văn hóa - Xã hội"] for a in t["activities"])


def test_quarterly_reporting_with_day_only_deadline(commune):
    (rep,) = commune["reporting"]
    assert rep["frequency"] == "quarterly"
    assert rep["deadline"]["day"] == 20 and rep["deadline"]["month"] is None
    assert names(rep["from"]) == ["Các thôn"] and names(rep["to"]) == ["Ủy ban nhân dân xã"]


def test_commune_targets_and_funding(commune):
    targets = [(t["value"], t["unit"], t["period"]) for o in commune["objectives"] for t in o["targets"]]
    assert targets == [(100, "%", "2026"), (250, "hộ", "2026")]
    assert commune["funding"]["sources"] == ["state_budget", "socialization"]


def test_district_numbered_capital_headings(district):
    assert [s["kind"] for s in district["outline"]] == ["purpose", "tasks", "funding", "organisation"]
    assert [t["id"] for t in district["tasks"]] == ["2.1", "2.2", "2.3"]
    doc = district["document"]
    assert doc["issuer"] == "UBND huyện Tân Hòa" and doc["number"] == "112/KH-UBND"
    assert (doc["signer"]["name"], doc["signer"]["title"]) == ("Lê Văn Hùng", "Chủ tịch")


def test_district_responsibility_written_three_ways(district):
    t1, t2, t3 = district["tasks"]
    assert names(t1["lead"]) == ["Phòng Văn hóa và Thông tin"]  # "(… chủ trì, phối hợp với … thực hiện)"
    assert names(t1["coordinating"]) == ["Hội Liên hiệp Phụ nữ huyện"]
    assert names(t2["lead"]) == ["Phòng Tư pháp"] and names(t2["coordinating"]) == ["Phòng Nội vụ"]  # "X chủ trì; Y phối hợp"
    assert names(t3["lead"]) == ["Công an huyện"]  # "Giao X chủ trì, phối hợp với Y"
    assert t3["title"] == "Phòng, chống bạo lực trên cơ sở giới"


def test_district_bodies_have_commune_successors(district):
    lead = district["tasks"][1]["lead"][0]
    assert (lead["canonical"], lead["level"], lead["successor"]) == ("Phòng Tư pháp cấp huyện", "district", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân cấp xã")
    assert district["implements"][0]["number"] == "1524/QĐ-UBND" and district["implements"][0]["declared_in"] == "basis"


def test_task_table_rows_become_tasks(table_plan):
    tasks = table_plan["tasks"]
    assert [t["id"] for t in tasks] == ["II.1", "II.2", "II.3"]
    assert [names(t["lead"]) for t in tasks] == [["Sở Nội vụ"], ["Chi nhánh Ngân hàng Chính sách xã hội tỉnh"], ["Sở Giáo dục và Đào tạo"]]
    assert names(tasks[1]["coordinating"]) == ["Sở Tài chính", "UBND các xã, phường"]
    assert [t["deadline"]["text"] for t in tasks] == ["Hằng tháng", "Năm 2026", "Quý III/2026"]
    assert [t["output"] for t in tasks] == ["Phiên giao dịch", "Báo cáo kết quả", "Lớp đào tạo"]


def test_markdown_plan_identity_and_reporting(table_plan):
    doc = table_plan["document"]
    assert (doc["issuer"], doc["province"], doc["number"], doc["date"]) == ("UBND tỉnh Lào Cai", "Lào Cai", "88/KH-UBND", "2026-03-03")
    reps = [(r["frequency"], r["deadline"]["text"], names(r["to"])) for r in table_plan["reporting"]]
    assert reps == [("semiannual", "trước ngày 15/6", ["UBND tỉnh"]), ("annual", "trước ngày 15/12", ["UBND tỉnh"])]
    targets = [(t["value"], t["unit"]) for o in table_plan["objectives"] for t in o["targets"]]
    assert targets == [(12000, "lao động"), (70, "%")]


def test_grouped_assignments_and_numeric_date_line():
    from khplan import parse_text

    text = "\n".join([
        "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN",
        "Số: 45/KH-UBND",
        "Nghệ An, ngày 07/02/2026",
        "KẾ HOẠCH",
        "Phòng, chống đuối nước trẻ em năm 2026",
        "I. NHIỆM VỤ",
        "1. Dạy bơi cho học sinh tiểu học.",
        "II. TỔ CHỨC THỰC HIỆN",
        "1. Các sở, ban, ngành",
        "a) Sở Giáo dục và Đào tạo: tổ chức dạy bơi tại trường học.",
        "b) Sở Văn hóa, Thể thao và Du lịch: hướng dẫn kỹ thuật bơi an toàn.",
        "2. Ủy ban nhân dân các xã, phường",
        "- Rà soát điểm nguy hiểm tại địa phương.",
    ])
    d = parse_text(text)
    assert d["document"]["date"] == "2026-02-07" and d["document"]["place"] == "Nghệ An"
    assert [(a["id"], names(a["bodies"]), len(a["duties"])) for a in d["assignments"]] == [
        ("II.1.a", ["Sở Giáo dục và Đào tạo"], 1),
        ("II.1.b", ["Sở Văn hóa, Thể thao và Du lịch"], 1),
        ("II.2", ["Ủy ban nhân dân các xã, phường"], 1),
    ]


def test_labels_inside_the_item_text():
    from khplan import parse_text

    d = parse_text(
        "KẾ HOẠCH\nThử nghiệm\nI. NHIỆM VỤ\n"
        "1. Khảo sát nhu cầu hỗ trợ của trẻ em khuyết tật (cơ quan chủ trì: Sở Y tế; thời gian thực hiện: Quý II/2026).\n"
        "2. Tập huấn cán bộ cơ sở.\n"
    )
    t1, t2 = d["tasks"]
    assert names(t1["lead"]) == ["Sở Y tế"]
    assert t1["deadline"]["text"] == "Quý II/2026" and t1["deadline"]["period"] == "2026"
    assert t2["lead"] == [] and t2["deadline"] is None
