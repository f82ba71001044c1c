"""`khplan compare`: task alignment, differences, the coverage matrix and every report format.

Expected pairing of Thái Nguyên 2026 (TN) and Hưng Yên 2026 (HY), both implementing TB 432,
written from reading the two plans before the matching was tuned:

| TN task | HY task | why |
|---|---|---|
| II.1 Tuyên truyền chính sách, pháp luật … | II.2 Tăng cường công tác tuyên truyền … | both the propaganda task |
| II.2 Nâng cao hiệu lực, hiệu quả quản lý nhà nước … | II.1 Tăng cường sự lãnh đạo, chỉ đạo … | governance: carrying out directives, responsibility, tracking the children |
| II.3 Phòng ngừa …; giảm thiểu trẻ em bị bỏ rơi; đổi mới mô hình … | II.3 Chủ động phòng ngừa, giảm tối đa … bỏ rơi | prevention of abandonment (at-risk groups, counselling) |
| II.3 (spans) | II.4 Bảo đảm mọi trẻ em bị bỏ rơi được tiếp nhận … | TN II.3 also carries the reception process ("quy trình liên thông", "điểm tiếp nhận an toàn") |
| II.6 Phát triển hệ thống … cơ sở trợ giúp xã hội | II.5 Đổi mới mô hình …, nâng cao năng lực … cơ sở trợ giúp xã hội | social assistance facilities |
| II.7 Tăng cường công tác thanh tra, kiểm tra, giám sát … | II.6 Tăng cường kiểm tra, giám sát … | both the inspection task |
| II.4 Hỗ trợ sinh kế, việc làm cho người khuyết tật … | — | disability livelihoods: HY has no disability task |
| II.5 Đẩy mạnh hỗ trợ người khuyết tật tiếp cận dịch vụ y tế … | — | disability health services |
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SAMPLES, parsed

TN = "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.txt"
HY = "hung-yen-2026-tb432-tre-em-hcdb.txt"
CB = "cao-bang-2022-cong-tac-tre-em.txt"
LTN, LHY, LCB = "Thái Nguyên 2026", "Hưng Yên 2026", "Cao Bằng 2022"
OUTPUT = ROOT / "tests" / "output"

EXPECTED_TN_HY = {("II.1", "II.2"), ("II.2", "II.1"), ("II.3", "II.3"), ("II.6", "II.5"), ("II.7", "II.6")}
EXPECTED_LINKS_TN_HY = {("II.3", "II.4")}


def run(*args, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    return subprocess.run([sys.executable, "-m", "khplan", *map(str, args)], cwd=cwd, capture_output=True,
                          env=env, timeout=300)


@pytest.fixture(scope="module")
def tn_hy():
    from khplan.compare import compare_plans

    return compare_plans([parsed(TN), parsed(HY)], paths=[f"samples/{TN}", f"samples/{HY}"])


@pytest.fixture(scope="module")
def cb_hy():
    from khplan.compare import compare_plans

    return compare_plans([parsed(CB), parsed(HY)], paths=[f"samples/{CB}", f"samples/{HY}"])


@pytest.fixture(scope="module")
def yaml_dir(tmp_path_factory):
    """The sample plans parsed to YAML once (compare reads `khplan parse` output too)."""
    from khplan.output import dumps

    d = tmp_path_factory.mktemp("parsed")
    for name in (TN, HY, CB):
        (d / (Path(name).stem + ".yaml")).write_text(dumps(parsed(name)), encoding="utf-8")
    return d


def pairs_of(data, kind="one_to_one", a=None, b=None):
    return {(x["a"], x["b"]) for x in data["alignment"]
            if x["kind"] == kind and (a is None or x["plan_a"] == a) and (b is None or x["plan_b"] == b)}


# --------------------------------------------------------------------------------------------
# Acceptance: alignment


def test_tn_hy_pairs_the_tasks_a_reader_pairs(tn_hy):
    assert [p["label"] for p in tn_hy["plans"]] == [LTN, LHY]
    got = pairs_of(tn_hy)
    assert ("II.1", "II.2") in got, "the propaganda tasks"
    assert ("II.7", "II.6") in got, "the inspection tasks"
    assert got == EXPECTED_TN_HY
    assert pairs_of(tn_hy, "many_to_one") == EXPECTED_LINKS_TN_HY
    link = next(x for x in tn_hy["alignment"] if x["kind"] == "many_to_one")
    assert link["spans"] == "a"  # TN II.3 spans HY II.3 and HY II.4


def test_disability_only_tasks_stay_unmatched(tn_hy):
    assert tn_hy["unmatched"][LTN] == ["II.4", "II.5"]
    assert tn_hy["unmatched"][LHY] == []
    for x in tn_hy["alignment"]:
        assert x["a"] not in ("II.4", "II.5"), x


def test_pairs_have_scores_and_matched_terms(tn_hy):
    from khplan.compare import THRESHOLD

    scores = [x["score"] for x in tn_hy["alignment"] if x["kind"] == "one_to_one"]
    assert scores == sorted(scores, reverse=True)  # best first
    for x in tn_hy["alignment"]:
        assert 0 < x["score"] <= 1
        assert x["matched"] and all(isinstance(t, str) and t.strip() for t in x["matched"])
        if x["kind"] == "one_to_one":
            assert x["score"] >= THRESHOLD
    terms = {x["b"]: " | ".join(x["matched"]).lower() for x in tn_hy["alignment"] if x["a"] in ("II.1", "II.7")}
    assert "tuyên truyền" in terms["II.2"]
    assert "kiểm tra" in terms["II.6"] and "giám sát" in terms["II.6"]


def test_alignment_does_not_depend_on_the_order_of_the_plans():
    from khplan.compare import compare_plans

    d = compare_plans([parsed(HY), parsed(TN)])
    assert {(b, a) for a, b in pairs_of(d)} == EXPECTED_TN_HY
    assert d["unmatched"][LTN] == ["II.4", "II.5"]


# --------------------------------------------------------------------------------------------
# Acceptance: differences and successors


def test_cao_bang_2022_vs_hung_yen_2026_successor_match(cb_hy):
    sm = [d for d in cb_hy["differences"] if d["kind"] == "successor_match"]
    hit = [d for d in sm if d["body_a"] == "Sở Lao động - Thương binh và Xã hội" and d["body_b"] == "Sở Y tế"]
    assert hit, sm
    assert hit[0]["successor"] == "Sở Y tế"
    assert (hit[0]["a"], hit[0]["b"]) == ("V.1", "IV.1")  # the items of "Tổ chức thực hiện"
    for d in cb_hy["differences"]:
        for key in ("only_a", "only_b"):
            assert "Sở Lao động - Thương binh và Xã hội" not in (d.get(key) or []), d


LANG_SON_2022 = """ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN

Số: 12/KH-UBND

Lạng Sơn, ngày 10 tháng 3 năm 2022

KẾ HOẠCH

Thực hiện công tác bảo vệ, chăm sóc trẻ em năm 2022

I. MỤC ĐÍCH, YÊU CẦU

1. Bảo đảm các quyền của trẻ em được thực hiện trên địa bàn tỉnh.

II. NHIỆM VỤ, GIẢI PHÁP

1. Truyền thông về phòng, chống xâm hại trẻ em

1.1. Nội dung hoạt động:

- Tổ chức các buổi truyền thông tại trường học về kỹ năng phòng, chống xâm hại trẻ em.

- Phát hành tờ rơi, áp phích về tổng đài 111 tới các thôn, bản.

1.2. Cơ quan chủ trì: Sở Lao động - Thương binh và Xã hội.

1.3. Cơ quan phối hợp: Sở Giáo dục và Đào tạo; Sở Thông tin và Truyền thông.

2. Kiểm tra cơ sở nuôi dưỡng trẻ em

2.1. Nội dung hoạt động:

- Kiểm tra định kỳ các cơ sở trợ giúp xã hội có nuôi dưỡng trẻ em, xử lý vi phạm.

2.2. Cơ quan chủ trì: Sở Lao động - Thương binh và Xã hội.

2.3. Cơ quan phối hợp: Công an tỉnh.

III. KINH PHÍ THỰC HIỆN

Kinh phí thực hiện từ ngân sách nhà nước theo phân cấp hiện hành.

IV. TỔ CHỨC THỰC HIỆN

1. Sở Lao động - Thương binh và Xã hội: chủ trì tổng hợp, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12/2022.

2. Sở Giáo dục và Đào tạo: phối hợp tổ chức truyền thông trong trường học.
"""

LANG_SON_2026 = """ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN

Số: 34/KH-UBND

Lạng Sơn, ngày 05 tháng 02 năm 2026

KẾ HOẠCH

Thực hiện công tác bảo vệ, chăm sóc trẻ em năm 2026

I. MỤC ĐÍCH, YÊU CẦU

1. Bảo đảm các quyền của trẻ em được thực hiện trên địa bàn tỉnh.

II. NHIỆM VỤ, GIẢI PHÁP

1. Kiểm tra các cơ sở trợ giúp xã hội

1.1. Nội dung hoạt động:

- Kiểm tra định kỳ, đột xuất các cơ sở trợ giúp xã hội có nuôi dưỡng trẻ em; xử lý nghiêm vi phạm.

1.2. Cơ quan chủ trì: Sở Y tế.

1.3. Cơ quan phối hợp: Công an tỉnh; Ủy ban nhân dân các xã, phường.

2. Truyền thông phòng, chống xâm hại trẻ em

2.1. Nội dung hoạt động:

- Tổ chức truyền thông tại trường học về kỹ năng phòng, chống xâm hại trẻ em và tổng đài 111.

- Tuyên truyền trên nền tảng số, mạng xã hội.

2.2. Cơ quan chủ trì: Sở Y tế.

2.3. Cơ quan phối hợp: Sở Giáo dục và Đào tạo; Sở Văn hóa, Thể thao và Du lịch.

3. Hỗ trợ sinh kế cho hộ gia đình có người khuyết tật

3.1. Nội dung hoạt động:

- Cho vay vốn ưu đãi, dạy nghề cho người khuyết tật trong độ tuổi lao động.

3.2. Cơ quan chủ trì: Chi nhánh Ngân hàng Chính sách xã hội tỉnh.

III. KINH PHÍ THỰC HIỆN

Kinh phí từ ngân sách nhà nước và nguồn xã hội hóa.

IV. TỔ CHỨC THỰC HIỆN

1. Sở Y tế: chủ trì tổng hợp, báo cáo Ủy ban nhân dân tỉnh trước ngày 20/11 hằng năm.
"""


@pytest.fixture(scope="module")
def lang_son(tmp_path_factory):
    d = tmp_path_factory.mktemp("langson")
    (d / "ls-2022.txt").write_text(LANG_SON_2022, encoding="utf-8")
    (d / "ls-2026.txt").write_text(LANG_SON_2026, encoding="utf-8")
    return d


def test_task_leads_compared_by_successor(lang_son):
    """A 2022 child-protection task led by Sở LĐTBXH and the 2026 one led by Sở Y tế: the same
    role, not a difference; a coordinating body that really differs is one."""
    from khplan.compare import compare_plans
    from khplan.parse import parse_file

    a, b = parse_file(str(lang_son / "ls-2022.txt")), parse_file(str(lang_son / "ls-2026.txt"))
    d = compare_plans([a, b])
    assert pairs_of(d) == {("II.1", "II.2"), ("II.2", "II.1")}
    assert d["unmatched"] == {"Lạng Sơn 2022": [], "Lạng Sơn 2026": ["II.3"]}
    lead_sm = [x for x in d["differences"] if x["kind"] == "successor_match" and x["role"] == "lead"]
    assert {(x["a"], x["b"]) for x in lead_sm} == {("II.1", "II.2"), ("II.2", "II.1")}
    assert all(x["body_a"] == "Sở Lao động - Thương binh và Xã hội" and x["body_b"] == "Sở Y tế" for x in lead_sm)
    assert not [x for x in d["differences"] if x["kind"] == "lead"]
    coord = [x for x in d["differences"] if x["kind"] == "coordinating" and x["a"] == "II.1"]
    assert coord and coord[0]["only_a"] == ["Sở Thông tin và Truyền thông"]
    assert coord[0]["only_b"] == ["Sở Văn hóa, Thể thao và Du lịch"]
    kinds = {x["kind"]: x for x in d["differences"]}
    assert kinds["reporting_frequency"]["a"] == ["once"] and kinds["reporting_frequency"]["b"] == ["annual"]
    assert kinds["funding"]["only_b"] == ["socialization"]


def test_whole_plan_differences_tn_hy(tn_hy):
    kinds = {d["kind"]: d for d in tn_hy["differences"]}
    assert kinds["reporting_deadline"]["a"] == "15/12" and kinds["reporting_deadline"]["b"] == "20/11"
    assert kinds["reporting_deadline"]["frequency"] == "annual"
    assert set(kinds["funding"]["only_b"]) >= {"socialization"}
    assert kinds["reporting_frequency"]["b"] == ["annual", "ad_hoc"]


def test_targets_aligned_by_wording():
    from khplan.compare import _target_differences

    ta = [{"value": 70, "unit": "%", "text": "70% trẻ em khuyết tật được tiếp cận dịch vụ bảo vệ tại cộng đồng", "period": "2019-2020"},
          {"value": 50, "unit": "%", "text": "50% xã có mạng lưới cộng tác viên", "period": "2019-2020"}]
    tb = [{"value": 90, "unit": "%", "text": "90% trẻ em khuyết tật được tiếp cận dịch vụ bảo vệ tại cộng đồng", "period": "2021-2025"}]
    out = _target_differences(ta, tb, {"plan_a": "A", "plan_b": "B"})
    t = next(x for x in out if x["kind"] == "target")
    assert (t["a"], t["b"], t["period_a"], t["period_b"]) == ("70%", "90%", "2019-2020", "2021-2025")
    rest = next(x for x in out if x["kind"] == "targets")
    assert rest["only_a"] == ["50%: 50% xã có mạng lưới cộng tác viên"] and rest["only_b"] == []


# --------------------------------------------------------------------------------------------
# Coverage matrix


def test_matrix_agrees_with_coverage_score_plan(tn_hy):
    from khplan.coverage import score_plan

    assert tn_hy["options"]["against"] == ["tb432", "tb444"]  # the union of what the plans implement
    for label, name in ((LTN, TN), (LHY, HY)):
        for cid in ("tb432", "tb444"):
            cov = score_plan(parsed(name), cid)
            for r in cov["requirements"]:
                assert tn_hy["coverage"][cid][r["id"]][label] == r["status"], (cid, r["id"], label)
                cell = tn_hy["evidence"][cid][r["id"]][label]
                assert cell["score"] == r["score"]
                assert [(e["task"], e["activity"], e["text"]) for e in cell["evidence"]] == \
                       [(e["task"], e["activity"], e["text"]) for e in r["evidence"]]
            assert tn_hy["summary"][cid][label]["score"] == cov["summary"]["score"]


def test_gaps_per_requirement(tn_hy):
    from khplan.compare import gap_sentence

    for cid, gaps in tn_hy["gaps"].items():
        assert [g["requirement"] for g in gaps] == list(tn_hy["coverage"][cid])
        for g in gaps:
            row = tn_hy["coverage"][cid][g["requirement"]]
            for s in ("covered", "partial", "missing"):
                assert g[s] == [lab for lab in (LTN, LHY) if row[lab] == s]
    g = {"plans": 7, "covered": list("ABCDE"), "partial": [], "missing": ["X", "Y"]}
    assert gap_sentence(g, "en") == "covered by 5 of 7; missing in X, Y"
    assert gap_sentence(g) == "đáp ứng 5/7 kế hoạch; chưa có: X, Y"


def test_against_explicit_catalogs(cb_hy):
    from khplan.compare import compare_plans

    assert cb_hy["options"]["against"] == ["tb432"]  # Cao Bằng implements none of the catalogs
    d = compare_plans([parsed(CB), parsed(HY)], against=["ct28"])
    assert list(d["coverage"]) == ["ct28"]
    assert set(next(iter(d["coverage"]["ct28"].values()))) == {LCB, LHY}


# --------------------------------------------------------------------------------------------
# Schema and formats


def test_output_validates_against_the_schema(tn_hy, cb_hy):
    from khplan.schemas import validate_data

    assert validate_data(tn_hy) == []
    assert validate_data(cb_hy) == []
    bad = json.loads(json.dumps(tn_hy))
    bad["alignment"][0]["kind"] = "sideways"
    assert validate_data(bad)


def test_markdown_report(tn_hy):
    from khplan.compare_report import render

    md = render(tn_hy, "md")
    assert md.startswith("# So sánh kế hoạch\n")
    for h in ("## Các kế hoạch", "## Ma trận đáp ứng yêu cầu", "## Nhiệm vụ tương ứng", "## Nhiệm vụ không có tương ứng", "## Khác biệt"):
        assert h in md
    assert f"| Mã yêu cầu | Yêu cầu | {LTN} | {LHY} | Tổng hợp |" in md
    row = next(line for line in md.splitlines() if line.startswith("| TB432-1.1 |"))
    assert row.count("|") == 6
    assert "II.1. Tuyên truyền chính sách" in md and "II.2. Tăng cường công tác tuyên truyền" in md
    assert "II.4. Hỗ trợ sinh kế" in md.split("## Nhiệm vụ không có tương ứng")[1]
    en = render(tn_hy, "md", "en")
    assert "## Coverage matrix" in en and "## Aligned tasks" in en and "one-to-one" in en


def test_csv_is_the_matrix(tn_hy):
    from khplan.compare_report import render

    text = render(tn_hy, "csv", "en")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:5] == ["Catalog", "Requirement", "Title", LTN, LHY]
    body = rows[1:]
    assert len(body) == sum(len(m) for m in tn_hy["coverage"].values())
    for r in body:
        assert r[3] == tn_hy["coverage"][r[0]][r[1]][LTN]
        assert r[4] == tn_hy["coverage"][r[0]][r[1]][LHY]
        assert r[-1].startswith("covered by ")
    vi = list(csv.reader(io.StringIO(render(tn_hy, "csv")[1:])))
    assert vi[0][0] == "Danh mục" and set(x for r in vi[1:] for x in r[3:5]) <= {"Đáp ứng", "Một phần", "Chưa có"}


def test_xlsx_workbook(tn_hy, tmp_path):
    from openpyxl import load_workbook

    from khplan.compare_report import XLSX_FILL, render

    path = tmp_path / "c.xlsx"
    path.write_bytes(render(tn_hy, "xlsx"))
    wb = load_workbook(path)
    assert wb.sheetnames[:4] == ["Ma trận", "Nhiệm vụ tương ứng", "Không tương ứng", "Khác biệt"]
    assert "Bằng chứng" in wb.sheetnames and "Kế hoạch" in wb.sheetnames
    ws = wb["Ma trận"]
    assert ws.freeze_panes == "D2"
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Danh mục", "Mã yêu cầu", "Yêu cầu", LTN, LHY]
    assert ws.column_dimensions["C"].width >= 40
    names = {"covered": "Đáp ứng", "partial": "Một phần", "missing": "Chưa có"}
    n = 0
    for row in ws.iter_rows(min_row=2):
        if not row[1].value or not str(row[1].value).startswith(("TB432", "TB444")):
            continue
        n += 1
        cid, rid = row[0].value, row[1].value
        for k, lab in ((3, LTN), (4, LHY)):
            status = tn_hy["coverage"][cid][rid][lab]
            assert row[k].value == names[status]
            assert row[k].fill.fgColor.rgb.endswith(XLSX_FILL[status])
            assert row[k].hyperlink is not None and "Bằng chứng" in row[k].hyperlink.location
    assert n == sum(len(m) for m in tn_hy["coverage"].values())
    al = wb["Nhiệm vụ tương ứng"]
    assert al.freeze_panes == "A2"
    got = {(r[1].value, r[5].value) for r in al.iter_rows(min_row=2)}
    assert got == EXPECTED_TN_HY | EXPECTED_LINKS_TN_HY
    ev = wb["Bằng chứng"]
    texts = [r[7].value for r in ev.iter_rows(min_row=2)]
    first = tn_hy["evidence"]["tb432"]["TB432-1.1"][LTN]["evidence"][0]["text"]
    assert first in texts
    um = wb["Không tương ứng"]
    assert [(r[0].value, r[1].value) for r in um.iter_rows(min_row=2)] == [(LTN, "II.4"), (LTN, "II.5")]


def test_table_report(tn_hy):
    from khplan.compare_report import render

    text = render(tn_hy, "table")
    assert "Ma trận đáp ứng yêu cầu" in text and "TB432-1.1" in text and LHY in text
    assert "Nhiệm vụ tương ứng: Thái Nguyên 2026 ↔ Hưng Yên 2026" in text


def test_html_is_one_self_contained_file(tn_hy):
    from khplan.compare_report import render

    page = render(tn_hy, "html")
    assert page.startswith("<!DOCTYPE html>")
    low = page.lower()
    assert "<link" not in low and " src=" not in low and "@import" not in low
    assert "http://" not in low and "https://" not in low
    assert page.count('class="cell ') == 2 * sum(len(m) for m in tn_hy["coverage"].values())
    assert '<html lang="vi">' in page and '<html lang="en">' in render(tn_hy, "html", "en")


def test_reports_are_deterministic(tn_hy):
    from khplan.compare import compare_plans
    from khplan.compare_report import render
    from khplan.output import dumps

    again = compare_plans([parsed(TN), parsed(HY)], paths=[f"samples/{TN}", f"samples/{HY}"])
    assert dumps(again) == dumps(tn_hy)
    for fmt in ("json", "md", "csv", "html", "table"):
        assert render(again, fmt) == render(tn_hy, fmt), fmt


# --------------------------------------------------------------------------------------------
# The command line


def test_cli_yaml_inputs_default_yaml_and_validate(yaml_dir, tmp_path):
    out = tmp_path / "cmp.yaml"
    r = run("compare", yaml_dir / "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.yaml",
            yaml_dir / "hung-yen-2026-tb432-tre-em-hcdb.yaml", "-q")
    assert r.returncode == 0, r.stderr.decode()
    data = yaml.safe_load(r.stdout.decode())
    assert data["schema"] == "khplan.comparison/v1"
    assert pairs_of(data) == EXPECTED_TN_HY
    out.write_bytes(r.stdout)
    v = run("validate", out)
    assert v.returncode == 0, v.stderr.decode()
    again = run("compare", yaml_dir / "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.yaml",
                yaml_dir / "hung-yen-2026-tb432-tre-em-hcdb.yaml", "-q")
    assert again.stdout == r.stdout  # byte-identical


def test_cli_plan_files_labels_against_and_formats(tmp_path):
    xlsx = tmp_path / "c.xlsx"
    r = run("compare", SAMPLES / CB, SAMPLES / HY, "--against", "tb432", "tb444", "--label", "1=CB22",
            "--label", "hung-yen-2026-tb432-tre-em-hcdb.txt=HY26", "-o", xlsx)
    assert r.returncode == 0, r.stderr.decode()
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    ws = wb["Ma trận"]
    assert [c.value for c in ws[1]][3:5] == ["CB22", "HY26"]
    assert {row[0].value for row in ws.iter_rows(min_row=2) if row[1].value and str(row[1].value).startswith("TB")} == {"tb432", "tb444"}
    r = run("compare", SAMPLES / CB, SAMPLES / HY, "-f", "json", "--lang", "en")
    assert r.returncode == 0, r.stderr.decode()
    data = json.loads(r.stdout)
    assert [p["label"] for p in data["plans"]] == [LCB, LHY]
    assert any(d["kind"] == "successor_match" and d["body_b"] == "Sở Y tế" for d in data["differences"])


def test_cli_refuses_wrong_inputs(tmp_path, yaml_dir):
    bad = tmp_path / "coverage.yaml"
    bad.write_text("schema: khplan.coverage/v1\nplan: {}\n", encoding="utf-8")
    r = run("compare", bad, yaml_dir / "hung-yen-2026-tb432-tre-em-hcdb.yaml")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.count("\n") == 1 and "khplan.coverage/v1" in err and "khplan.plan/v1" in err and "Traceback" not in err
    broken = tmp_path / "plan.yaml"
    broken.write_text("schema: khplan.plan/v1\ntasks: 3\n", encoding="utf-8")
    r = run("compare", broken, yaml_dir / "hung-yen-2026-tb432-tre-em-hcdb.yaml")
    assert r.returncode == 2 and r.stderr.decode().count("\n") == 1 and "invalid khplan.plan/v1" in r.stderr.decode()
    r = run("compare", SAMPLES / HY, SAMPLES / TN, "-f", "xlsx")
    assert r.returncode == 2 and "-o" in r.stderr.decode()
    r = run("compare", SAMPLES / HY)
    assert r.returncode == 2 and "at least two plans" in r.stderr.decode()
    r = run("compare", SAMPLES / HY, SAMPLES / TN, "--label", "9=X")
    assert r.returncode == 2 and "--label" in r.stderr.decode()
    r = run("compare", SAMPLES / HY, SAMPLES / TN, "--against", "tb999")
    assert r.returncode == 2 and r.stderr.decode().count("\n") == 1


def test_cli_matrix_only_in_processes(tmp_path, yaml_dir):
    """Five plans (text and YAML) through worker processes: matrix, no alignment."""
    d = tmp_path / "plans"
    d.mkdir()
    for p in sorted(SAMPLES.glob("*.txt")):
        (d / p.name).write_bytes(p.read_bytes())
    (d / "hy.yaml").write_bytes((yaml_dir / "hung-yen-2026-tb432-tre-em-hcdb.yaml").read_bytes())
    out = tmp_path / "m.json"
    r = run("compare", d, "--matrix-only", "--jobs", "2", "-o", out)
    assert r.returncode == 0, r.stderr.decode()
    data = json.loads(out.read_text(encoding="utf-8"))
    from khplan.schemas import validate_data

    assert validate_data(data) == []
    assert data["alignment"] == [] and data["differences"] == [] and data["options"]["matrix_only"] is True
    assert len(data["plans"]) == 6
    assert "Hưng Yên 2026 (2)" in [p["label"] for p in data["plans"]]
    assert set(data["coverage"]) == {"tb432", "tb444", "ct28"}
    from khplan.coverage import score_plan

    cov = score_plan(parsed(TN), "tb444")
    for req in cov["requirements"]:
        assert data["coverage"]["tb444"][req["id"]][LTN] == req["status"]
        cell = data["evidence"]["tb444"][req["id"]][LTN]
        if req["evidence"]:
            assert cell["evidence"][0]["task"] == req["evidence"][0]["task"]
    csv_out = tmp_path / "m.csv"
    r = run("compare", d, "--matrix-only", "-o", csv_out, "--against", "tb432")
    assert r.returncode == 0, r.stderr.decode()
    rows = list(csv.reader(io.StringIO(csv_out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + 16 and len(rows[0]) == 3 + 6 + 4


def test_cli_start_up_imports_nothing_heavy():
    code = ("import sys; from khplan.cli import _register; _register(); "
            "print(','.join(m for m in ('numpy', 'scipy', 'openpyxl', 'jinja2', 'khplan.compare') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


# --------------------------------------------------------------------------------------------
# The HTML report in a real headless Chromium


def test_html_report_in_headless_chromium(tn_hy, tmp_path):
    from .cdp import Chromium, find_chromium

    binary = find_chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it in CI)")
    from khplan.compare_report import render

    page = tmp_path / "compare.html"
    page.write_text(render(tn_hy, "html"), encoding="utf-8")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    n_reqs = sum(len(m) for m in tn_hy["coverage"].values())
    with Chromium(binary, str(tmp_path / "profile"), width=1400, height=1000) as b:
        b.call("Network.enable")
        b.open(page.as_uri())
        # the matrix: every requirement x plan, with the status of the comparison
        cells = b.eval("Array.from(document.querySelectorAll('td.cell')).map(c => [c.dataset.req, c.dataset.plan, c.className])")
        assert len(cells) == 2 * n_reqs
        for req, plan, cls in cells:
            cid = "tb432" if req.startswith("TB432") else "tb444"
            assert tn_hy["coverage"][cid][req][plan] in cls.split()
        assert b.eval("document.getElementById('drawer').hidden") is True
        # a real click on a cell opens its evidence
        b.click(f'td.cell[data-req="TB432-1.1"][data-plan="{LTN}"]')
        assert b.eval("document.getElementById('drawer').hidden") is False
        shown = b.eval("document.getElementById('ev-body').innerText")
        ev = tn_hy["evidence"]["tb432"]["TB432-1.1"][LTN]["evidence"]
        assert ev and ev[0]["text"][:60] in shown
        assert b.eval("document.getElementById('ev-plan').textContent") == LTN
        assert b.eval("document.querySelectorAll('#ev-body mark').length") > 0
        assert b.eval("location.hash").startswith("#cell=TB432-1.1:")
        b.screenshot(str(OUTPUT / "compare-matrix-evidence.png"))
        # a cell without evidence says so
        missing = [(r, lab) for r, row in tn_hy["coverage"]["tb444"].items() for lab, s in row.items() if s == "missing"]
        if missing:
            req, lab = missing[0]
            b.click(f'td.cell[data-req="{req}"][data-plan="{lab}"]')
            assert b.eval("document.getElementById('ev-plan').textContent") == lab
        # aligned tasks side by side, matched terms highlighted
        cards = b.eval("Array.from(document.querySelectorAll('#pair-view .pcard')).map(c => [c.dataset.a, c.dataset.b, c.dataset.kind, c.querySelectorAll('mark').length])")
        assert {(a, bb) for a, bb, k, _ in cards if k == "one_to_one"} == EXPECTED_TN_HY
        assert all(n > 0 for *_, n in cards)
        assert b.eval("document.querySelectorAll('#diff-view tr').length") > 1
        b.call("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27})
        assert b.eval("document.getElementById('drawer').hidden") is True
        b.screenshot(str(OUTPUT / "compare-full-page.png"), full_page=True)
        # the URL hash opens a cell (plan by label or by letter), on load and when it changes
        b.open("about:blank", ready="true")
        b.open(page.as_uri() + "#cell=TB432-2.2:B")
        assert b.eval("document.getElementById('drawer').hidden") is False
        assert b.eval("document.getElementById('ev-plan').textContent") == LHY
        b.eval("location.hash = '#cell=' + encodeURIComponent('TB432-3.1') + ':' + encodeURIComponent('%s')" % LTN)
        b.wait_for("document.getElementById('ev-req').textContent.indexOf('TB432-3.1') === 0")
        assert b.eval("document.getElementById('ev-plan').textContent") == LTN
        requests = [e["params"]["request"]["url"] for e in b.events if e.get("method") == "Network.requestWillBeSent"]
        assert requests and all(u.startswith(("file:", "data:", "about:")) for u in requests), requests
