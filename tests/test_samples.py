"""What a careful reader gets from each sample plan, asserted field by field.

Each expectation was read off the source text (samples/*.txt); see samples/README.md.
"""

import pytest

from .conftest import parsed

TN = "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.txt"
HY = "hung-yen-2026-tb432-tre-em-hcdb.txt"
TY = "tay-nguyen-2024-ct28-cham-soc-tre-em.txt"
BK = "bac-kan-2019-tre-em-khuyet-tat.txt"
CB = "cao-bang-2022-cong-tac-tre-em.txt"


def names(bodies):
    return [b["name"] for b in bodies]


def task(plan, tid):
    return next(t for t in plan["tasks"] if t["id"] == tid)


IDENTITY = {
    TN: dict(type="Kế hoạch", number=None, issuer="UBND tỉnh Thái Nguyên", province="Thái Nguyên", place=None, date=None, year=2026),
    HY: dict(type="Kế hoạch", number=None, issuer="UBND tỉnh Hưng Yên", province="Hưng Yên", place="Hung Yên", date=None, year=2026),
    TY: dict(type="Kế hoạch", number=None, issuer="UBND tỉnh", province=None, place=None, date=None, year=2024),
    BK: dict(type="Kế hoạch", number="66/KH-UBND", issuer="UBND tỉnh Bắc Kạn", province="Bắc Kạn", place="Bắc Kạn", date="2019-02-18", year=2019),
    CB: dict(type="Kế hoạch", number="715/KH-UBND", issuer="UBND tỉnh Cao Bằng", province="Cao Bằng", place="Cao Bằng", date="2022-03-29", year=2022),
}


@pytest.mark.parametrize("sample", IDENTITY)
def test_identity(sample):
    doc = parsed(sample)["document"]
    for key, value in IDENTITY[sample].items():
        assert doc[key] == value, key


SIGNERS = {
    TN: ("Nông Quang Nhất", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
    HY: ("Phạm Văn Nghiê", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
    TY: ("Y Ngọc", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
    BK: (None, "Phó Chủ tịch", "KT. CHỦ TỊCH"),
    CB: ("Lê Hải Hòa", "Phó Chủ tịch", "KT. CHỦ TỊCH"),
}


@pytest.mark.parametrize("sample", SIGNERS)
def test_signer(sample):
    s = parsed(sample)["document"]["signer"]
    assert (s["name"], s["title"], s["authority"]) == SIGNERS[sample]


def test_recipients_keep_notes_and_skip_archive():
    rec = parsed(CB)["document"]["recipients"]
    assert rec[0]["name"] == "Bộ LĐTBXH" and rec[0]["note"] == "b/c"
    assert not any(r["name"].startswith("Lưu") for r in rec)
    assert len(parsed(BK)["document"]["recipients"]) == 7  # "Gửi bản giấy:"/"Gửi bản điện tử:" are not recipients


IMPLEMENTS = {
    TN: ["432-TB/VPTW", "444-TB/VPTW"],
    HY: ["432-TB/VPTW"],
    TY: ["135-KH/TU", "28-CT/TW"],
    BK: ["1438/QĐ-TTg"],
    CB: ["478/LĐTBXH-TE"],
}


@pytest.mark.parametrize("sample", IMPLEMENTS)
def test_implements(sample):
    assert [r["number"] for r in parsed(sample)["implements"]] == IMPLEMENTS[sample]


def test_implements_through_an_intermediate_plan():
    impl = {r["number"]: r for r in parsed(TY)["implements"]}
    assert impl["28-CT/TW"]["via"] == "135-KH/TU"
    assert impl["28-CT/TW"]["issuer"] == "Bộ Chính trị"
    assert impl["135-KH/TU"]["date"] == "2024-03-25"


def test_references_deduplicated_with_kind_issuer_date():
    refs = {r["number"]: r for r in parsed(CB)["references"]}
    assert refs["56/2017/NĐ-CP"]["kind"] == "Nghị định" and refs["56/2017/NĐ-CP"]["issuer"] == "Chính phủ"
    assert refs["56/2017/NĐ-CP"]["date"] == "2017-05-09"
    assert refs["13/2021/TT-BLĐTBXH"]["date"] is None  # "30/9/021" is not a date
    assert refs["2558/KH-UBND"]["mentions"] == 2
    assert "715/KH-UBND" not in refs  # the plan's own number is not a citation
    assert any(w["code"] == "invalid_citation_date" for w in parsed(CB)["warnings"])


TASKS = {
    # id: (number of activities, lead names, coordinating names)
    TN: {
        "II.1": (2, ["Sở Y tế", "UBND các xã, phường"], ["Các sở, ngành tỉnh", "các đơn vị liên quan"]),
        "II.3": (5, ["Sở Y tế"], ["Các sở, ngành tỉnh", "UBND các xã, phường", "đơn vị có liên quan"]),
        "II.4": (5, ["Sở Nội vụ", "Sở Công Thương", "Sở Y tế", "Sở Nông nghiệp và Môi trường",
                     "Chi nhánh Ngân hàng chính sách xã hội tỉnh", "UBND các xã, phường"], ["Các sở, ngành tỉnh", "các đơn vị liên quan"]),
        "II.5": (4, ["Sở Y tế"], ["Công an tỉnh", "Sở Tài chính", "Sở Xây dựng", "Sở Khoa học và Công nghệ", "Bảo hiểm xã hội tỉnh", "UBND các xã, phường"]),
        "II.7": (4, ["Công an tỉnh", "Sở Y tế", "Sở Nội vụ", "Thanh tra tỉnh"], ["Các cơ quan, đơn vị có liên quan"]),
    },
    HY: {f"II.{i}": (n, [], []) for i, n in zip(range(1, 7), [5, 3, 5, 6, 4, 0])},
    TY: {
        "II.1": (2, ["Các Sở, ban, ngành", "Ủy ban nhân dân các huyện, thành phố"], []),
        "II.4": (0, ["Các sở, ban, ngành", "Ủy ban nhân dân các huyện, thành phố"], []),
    },
    BK: {f"III.{i}": (n, [], []) for i, n in zip(range(1, 6), [0, 0, 2, 2, 0])},
    CB: {**{f"II.{i}": (0, [], []) for i in range(1, 11)}, **{f"III.{i}": (0, [], []) for i in range(1, 8)}},
}


@pytest.mark.parametrize("sample", TASKS)
def test_task_ids_activities_and_bodies(sample):
    plan = parsed(sample)
    for tid, (n_act, lead, coord) in TASKS[sample].items():
        t = task(plan, tid)
        assert len(t["activities"]) == n_act, tid
        assert names(t["lead"]) == lead, tid
        assert names(t["coordinating"]) == coord, tid


def test_task_ids_in_order():
    assert [t["id"] for t in parsed(TN)["tasks"]] == [f"II.{i}" for i in range(1, 8)]
    assert [t["id"] for t in parsed(CB)["tasks"]] == [f"II.{i}" for i in range(1, 11)] + [f"III.{i}" for i in range(1, 8)]
    assert [t["id"] for t in parsed(TY)["tasks"]] == ["II.1", "II.2", "II.3", "II.4"]


def test_groups_under_thuc_hien_lines_get_their_own_bodies():
    """Bullets grouped under "Thực hiện: X chủ trì, phối hợp với Y": each group its own lead."""
    t = task(parsed(TY), "II.2")
    acts = t["activities"]
    assert len(acts) == 7
    assert [names(a["lead"]) for a in acts] == [["Sở Lao động - Thương binh và Xã hội"]] * 3 + [["Sở Văn hoá, Thể thao và Du lịch"]] * 2 + [["Sở Giáo dục và Đào tạo"]] * 2
    assert names(acts[0]["coordinating"]) == ["Sở Giáo dục và Đào tạo", "Ủy ban nhân dân các huyện, thành phố"]
    assert names(acts[3]["coordinating"]) == ["Ủy ban nhân dân các huyện, thành phố"]
    assert names(t["lead"]) == ["Sở Lao động - Thương binh và Xã hội", "Sở Văn hoá, Thể thao và Du lịch", "Sở Giáo dục và Đào tạo"]
    t3 = task(parsed(TY), "II.3")
    assert [names(a["lead"]) for a in t3["activities"]] == [["Sở Lao động - Thương binh và Xã hội"]] * 4 + [["Sở Thông tin và Truyền thông"], ["Sở Kế hoạch và Đầu tư"]]


def test_footnote_split_sentence_is_rejoined_and_kept_as_note():
    acts = task(parsed(TY), "II.2")["activities"]
    last = acts[-1]
    assert "an toàn, lành mạnh, thân thiện, bảo đảm cho trẻ em có cơ hội phát triển" in last["text"]
    assert "Chương trình hành động quốc gia" not in last["text"]
    second = acts[1]
    assert second["notes"][0]["marker"] == "1"
    assert second["notes"][0]["text"].startswith("Chương trình hành động quốc gia vì trẻ em")
    tn = task(parsed(TN), "II.2")["activities"][0]
    assert tn["notes"][0]["text"].startswith("Luật Trẻ em; Chiến lược quốc gia")
    assert "¹" not in tn["text"]


def test_page_break_inside_sentence_rejoined():
    req = [o for o in parsed(TN)["objectives"] if o["kind"] == "requirement"]
    assert "ưu tiên triển khai các nội dung liên quan trực tiếp đến chăm sóc, bảo vệ trẻ em có hoàn cảnh đặc biệt" in req[1]["text"]


ASSIGNMENTS = {
    TN: [("Sở Y tế", 6), ("Sở Tài chính", 2), ("Sở Giáo dục và Đào tạo", 3), ("Sở Xây dựng", 1), ("Sở Văn hoá, Thể thao và Du lịch", 4),
         ("Sở Tư pháp", 2), ("Sở Công Thương", 2), ("Sở Nội vụ", 3), ("Chi nhánh Ngân hàng Chính sách xã hội tỉnh", 2),
         ("Bảo hiểm xã hội tỉnh", 2), ("Công an tỉnh", 4), ("Ủy ban MTTQ Việt Nam tỉnh", 3),
         ("Báo và Phát thanh, truyền hình Thái Nguyên", 2), ("UBND các xã, phường", 3)],
    HY: [("Sở Y tế", 9), ("Sở Giáo dục và Đào tạo", 5), ("Sở Tư pháp", 3), ("Sở Tài chính", 2), ("Công an tỉnh", 2),
         ("Các sở, ban, ngành, đơn vị có liên quan", 1), ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", 1), ("Ủy ban nhân dân xã, phường", 6)],
    BK: [("Sở Lao động - Thương binh và Xã hội", 8), ("Sở Giáo dục và Đào tạo", 1), ("Sở Y tế", 1), ("Sở Văn hóa, Thể thao và Du lịch", 1),
         ("Sở Kế hoạch và Đầu tư", 1), ("Sở Tài chính", 1), ("Các Sở, ngành liên quan", 1), ("Ủy ban Mặt trận Tổ quốc tỉnh", 1),
         ("Ủy ban nhân dân các huyện, thành phố", 4)],
    CB: [("Sở Lao động - Thương binh và Xã hội", 6), ("Sở Tài chính", 1), ("Sở Tư pháp", 2), ("Sở Y tế", 1), ("Sở Giáo dục và Đào tạo", 3),
         ("Sở Văn hóa, Thể thao và Du lịch", 1), ("Công an tỉnh", 3), ("Sở Thông tin và Truyền thông", 1), ("Các Sở, Ban ngành cấp tỉnh", 1),
         ("Ủy ban Mặt trận tổ quốc Việt Nam tỉnh Cao Bằng", 1), ("Ủy ban nhân dân các huyện, thành phố", 4)],
}


@pytest.mark.parametrize("sample", ASSIGNMENTS)
def test_assignments_first_body_and_duty_counts(sample):
    got = [(a["bodies"][0]["name"], len(a["duties"])) for a in parsed(sample)["assignments"]]
    assert got == ASSIGNMENTS[sample]


def test_assignment_naming_several_bodies():
    a = parsed(TN)["assignments"]
    assert names(a[12]["bodies"]) == ["Báo và Phát thanh, truyền hình Thái Nguyên", "Trung tâm thông tin tỉnh"]
    assert names(a[11]["bodies"]) == ["Ủy ban MTTQ Việt Nam tỉnh", "các tổ chức thành viên"]
    bk = parsed(BK)["assignments"]
    assert names(bk[7]["bodies"]) == ["Ủy ban Mặt trận Tổ quốc tỉnh", "Hội Liên hiệp phụ nữ tỉnh", "Tỉnh Đoàn", "Hội Chữ thập đỏ tỉnh"]
    ty = parsed(TY)["assignments"]
    assert names(ty[3]["bodies"]) == ["Ủy ban Mặt trận Tổ quốc Việt Nam", "các tổ chức chính trị - xã hội tỉnh",
                                      "Hội Bảo vệ quyền trẻ em và Bảo trợ người khuyết tật tỉnh", "Tỉnh Đoàn"]


def test_reporting_item_in_organisation_is_not_an_assignment():
    bk = parsed(BK)
    assert len(bk["assignments"]) == 9
    rep = bk["reporting"][0]
    assert rep["frequency"] == "annual"
    assert rep["deadline"] == {"day": 30, "month": 11, "year": None, "text": "trước ngày 30/11"}
    assert names(rep["to"]) == ["UBND tỉnh"]
    assert names(rep["via"]) == ["Sở Lao động-TB&XH"]


FUNDING = {
    TN: (True, ["state_budget", "other_lawful"]),
    HY: (True, ["state_budget", "program_integration", "socialization", "aid", "other_lawful"]),
    TY: (False, []),
    BK: (True, ["state_budget", "aid", "other_lawful"]),
    CB: (True, ["state_budget", "program_integration", "socialization", "aid", "other_lawful"]),
}


@pytest.mark.parametrize("sample", FUNDING)
def test_funding(sample):
    f = parsed(sample)["funding"]
    assert (f["present"], f["sources"]) == FUNDING[sample]


REPORTING = {
    # (frequency, deadline text, recipients) of each reporting obligation, in order
    TN: [("annual", "trước ngày 15/12", ["Sở Y tế"])],
    HY: [("annual", "trước ngày 20/11", ["Sở Y tế"]), ("ad_hoc", None, ["Ủy ban nhân dân tỉnh"]),
         ("annual", None, ["Ủy ban nhân dân tỉnh", "Bộ Y tế"])],
    CB: [("semiannual", "trước ngày 25/5/2022", ["Ủy ban nhân dân tỉnh"]), ("annual", "trước ngày 20/11/2022", ["Ủy ban nhân dân tỉnh"]),
         ("once", "trước ngày 30/11/2022", ["Ủy ban nhân dân tỉnh"]), ("semiannual", None, [])],
}


@pytest.mark.parametrize("sample", REPORTING)
def test_reporting(sample):
    got = [(r["frequency"], r["deadline"] and r["deadline"]["text"], names(r["to"])) for r in parsed(sample)["reporting"]]
    assert got == REPORTING[sample]


def test_reporting_years_and_senders():
    cb = parsed(CB)["reporting"]
    assert cb[0]["deadline"]["year"] == 2022 and cb[0]["deadline"]["month"] == 5
    assert names(cb[0]["from"]) == ["các Sở, Ban ngành có liên quan", "Ủy ban nhân dân các huyện, thành phố"]
    assert names(cb[2]["from"]) == ["Sở Lao động - Thương binh và Xã hội"]
    tn = parsed(TN)["reporting"][0]
    assert names(tn["from"]) == ["Thủ trưởng các cơ quan, đơn vị, địa phương"]


def test_targets_with_periods():
    objs = parsed(BK)["objectives"]
    specific = [o for o in objs if o["kind"] == "specific"]
    assert len(specific) == 8
    t = specific[0]["targets"][0]
    assert (t["value"], t["unit"], t["period"]) == (70, "%", "2019-2020")
    last = specific[-1]["targets"][0]
    assert (last["value"], last["unit"], last["period"]) == ("6/8", "huyện", "2021-2025")
    assert [x["value"] for x in specific[1]["targets"]] == [50, 60]
    assert [o["kind"] for o in objs].count("scope") == 4


def test_objective_kinds():
    kinds = [o["kind"] for o in parsed(TN)["objectives"]]
    assert kinds == ["purpose"] * 3 + ["requirement"] * 3
    assert [o["kind"] for o in parsed(CB)["objectives"]] == ["general"]


def test_sections_with_typos_and_broken_headings():
    outline = {s["id"]: (s["kind"], s["title"]) for s in parsed(CB)["outline"]}
    assert outline["II"] == ("tasks", "NHIỆM VỤ CỤ THỂ")
    assert outline["III"] == ("tasks", "GIẢI PHÁP THỰC HIỆN")
    assert outline["VI"] == ("reporting", "CHẾ ĐỘ BÁO CÁO")
    bk = {s["id"]: s["kind"] for s in parsed(BK)["outline"]}
    assert bk == {"I": "objectives", "II": "scope", "III": "tasks", "IV": "funding", "V": "organisation"}


def test_hyphen_wrapped_body_name_is_not_a_bullet():
    a = parsed(CB)["assignments"][0]
    assert a["bodies"][0]["name"] == "Sở Lao động - Thương binh và Xã hội"
    assert len(a["duties"]) == 6


def test_spans_point_into_the_text():
    from .conftest import SAMPLES

    text = (SAMPLES / CB).read_text(encoding="utf-8")
    plan = parsed(CB)
    sp = plan["document"]["spans"]["number"]
    assert text[sp["start"]:sp["end"]] == "Số: 715/KH-UBND"
    assert sp["line"] == 10
    for r in plan["references"]:
        got = " ".join(text[r["span"]["start"]:r["span"]["end"]].split())
        assert got == r["raw"]
    b = plan["assignments"][0]["bodies"][0]
    assert " ".join(text[b["span"]["start"]:b["span"]["end"]].split()) == "Sở Lao động - Thương binh và Xã hội"
