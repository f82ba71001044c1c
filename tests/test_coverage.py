"""The coverage engine (khplan.coverage, khplan.textmatch) and `khplan coverage` / `khplan catalogs`.

The small plans below are written for these tests (new text, not from any published plan).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from khplan.coverage import (
    check_plan,
    default_catalogs,
    load_plan,
    plan_passages,
    score_plan,
)
from khplan.errors import InputError
from khplan.schemas import validate_data
from khplan.textmatch import Index, analyse, highlight, similarity

from .conftest import ROOT, SAMPLES

LABELS = ROOT / "tests" / "data" / "coverage_labels.yaml"
HY = SAMPLES / "hung-yen-2026-tb432-tre-em-hcdb.txt"

# --------------------------------------------------------------------------------------------
# Hand-written plans


def _span(start: int, text: str, line: int = 1) -> dict:
    return {"line": line, "start": start, "end": start + len(text), "page": None}


def _body(name, canonical, successor=None, level="province"):
    return {"name": name, "canonical": canonical, "level": level, "successor": successor, "match": "alias", "id": None}


def make_plan(tasks: list[dict], *, duties: list[tuple[dict, list[str]]] = (), objectives: list[str] = (),
              implements: list[str] = ("432-TB/VPTW",), reporting: list[str] = ()) -> dict:
    """A minimal khplan.plan/v1 dict; every text gets its own made-up span."""
    pos = 0

    def span(text):
        nonlocal pos
        s = _span(pos, text)
        pos += len(text) + 1
        return s

    out_tasks = []
    for i, t in enumerate(tasks, 1):
        acts = [{"text": a, "lead": [], "coordinating": [], "span": span(a)} for a in t.get("activities", [])]
        text = t["title"] + (" " + " ".join(a["text"] for a in acts) if acts else "")
        out_tasks.append({
            "id": f"II.{i}", "section": "NHIỆM VỤ", "title": t["title"], "text": text, "activities": acts,
            "lead": t.get("lead", []), "coordinating": t.get("coordinating", []), "deadline": None, "subtasks": [],
            "span": span(text),
        })
    assignments = []
    for k, (body, texts) in enumerate(duties, 1):
        assignments.append({"id": f"IV.{k}", "bodies": [body], "duties": [{"text": d, "span": span(d)} for d in texts], "span": None})
    return {
        "schema": "khplan.plan/v1",
        "source": {"path": "test-plan.txt", "sha256": "0" * 64, "format": "txt", "encoding": "utf-8"},
        "document": {"type": "Kế hoạch", "number": "1/KH-UBND", "issuer": None, "province": "Tỉnh Thử", "place": None,
                     "date": None, "year": 2026, "title": "Kế hoạch thử", "signer": {"name": None, "title": None, "authority": None},
                     "recipients": []},
        "implements": [{"kind": "Thông báo", "number": n, "issuer": None, "date": None, "raw": n, "span": None} for n in implements],
        "references": [],
        "objectives": [{"kind": "purpose", "text": o, "targets": [], "span": span(o)} for o in objectives],
        "tasks": out_tasks,
        "assignments": assignments,
        "funding": {"present": False, "text": None, "sources": [], "span": None},
        "reporting": [{"text": r, "frequency": "annual", "deadline": None, "to": [], "from": [], "span": span(r)} for r in reporting],
        "warnings": [],
    }


def req(result: dict, rid: str) -> dict:
    return next(r for r in result["requirements"] if r["id"] == rid)


# A plan that takes up TB432-2.1 (every abandoned child received safely, one procedure) in
# other words: synonyms, old tone placement ("hoà"), a sentence typed without diacritics.
PARAPHRASE = make_plan([
    {"title": "Đón nhận và chăm sóc trẻ sơ sinh bị bỏ rơi",
     "activities": [
         "Ban hành quy trình phối hợp liên ngành thống nhất để mọi trẻ bị bỏ rơi được tiếp nhận, chăm sóc an toàn ngay khi phát hiện.",
         "Cơ sở khám chữa bệnh sơ cứu, khám sàng lọc sức khoẻ và bàn giao trẻ cho cơ sở trợ giúp xã hội; hoàn thiện hồ sơ pháp lý cho trẻ.",
     ]},
    {"title": "Phối hợp giữa các ngành",
     "activities": ["moi tre em bi bo roi duoc tiep nhan, cham soc an toan, kip thoi theo quy trinh thong nhat"]},
])

# A plan about road safety and sport: nothing of TB 432.
UNRELATED = make_plan([
    {"title": "Bảo đảm trật tự an toàn giao thông đường bộ",
     "activities": ["Tuần tra, kiểm soát tốc độ trên các tuyến quốc lộ.", "Sửa chữa biển báo, đèn tín hiệu tại các nút giao."]},
    {"title": "Phát triển phong trào thể dục thể thao quần chúng",
     "activities": ["Tổ chức giải chạy việt dã hằng năm cho cán bộ, công chức."]},
])


# --------------------------------------------------------------------------------------------
# Engine behaviour


def test_requirement_covered_by_a_paraphrase_with_synonyms_and_diacritic_variants():
    r = req(score_plan(PARAPHRASE, "tb432"), "TB432-2.1")
    assert r["status"] == "covered", r
    ev = r["evidence"][0]
    assert ev["task"] == "II.1" and ev["activity"] == 1
    low = [m.lower() for m in ev["matched"]]
    assert any("bị bỏ rơi" in m for m in low)
    assert any("tiếp nhận" in m for m in low)


def test_text_without_diacritics_still_matches_a_requirement():
    plan = make_plan([{"title": "Tiep nhan tre bi bo roi",
                       "activities": ["moi tre em bi bo roi duoc tiep nhan, cham soc an toan, kip thoi theo quy trinh phoi hop thong nhat"]}])
    r = req(score_plan(plan, "tb432"), "TB432-2.1")
    assert r["status"] in ("covered", "partial")
    assert any("bo roi" in m.lower() or "bỏ rơi" in m.lower() for e in r["evidence"] for m in e["matched"])


def test_old_and_new_tone_placement_are_the_same_features():
    assert analyse("hoà nhập, sức khoẻ").terms == analyse("hòa nhập, sức khỏe").terms


def test_a_requirement_the_plan_does_not_touch_is_missing_without_evidence():
    r = req(score_plan(PARAPHRASE, "tb432"), "TB432-4.3")  # sponsorship models of the Front
    assert r["status"] == "missing"
    assert r["evidence"] == []
    out = score_plan(UNRELATED, "tb432")
    assert out["summary"]["missing"] == out["summary"]["requirements"]
    assert out["summary"]["score"] == 0.0


def test_evidence_spans_slice_to_their_text():
    # A sample without footnotes (the parser drops footnote marks from the text it keeps).
    path = SAMPLES / "hung-yen-2026-tb432-tre-em-hcdb.txt"
    plan = load_plan(str(path))
    source = path.read_text(encoding="utf-8")
    out = score_plan(plan, "tb432")
    seen = 0
    for r in out["requirements"]:
        for e in r["evidence"]:
            sp = e["span"]
            assert " ".join(source[sp["start"] : sp["end"]].split()) == " ".join(e["text"].split()), (r["id"], e["task"])
            seen += 1
    assert seen > 20


def test_matched_terms_explain_the_score():
    out = score_plan(PARAPHRASE, "tb432")
    for r in out["requirements"]:
        for e in r["evidence"]:
            assert e["matched"], (r["id"], e)
            low = e["text"].lower()
            for m in e["matched"]:
                # Every matched term is the plan's own wording (or its folded form).
                from khplan.vn import fold

                assert m.lower() in low or fold(m) in fold(e["text"]), (m, e["text"])
            assert 0 < e["score"] <= r["score"] + 1e-9


def test_stop_words_of_the_genre_create_no_match():
    a = "Tăng cường công tác triển khai thực hiện, nâng cao hiệu quả"
    b = "Tiếp tục tăng cường triển khai thực hiện công tác, nâng cao hiệu quả, hiệu lực"
    assert analyse(a).terms == {}
    score, matched = similarity(a, b)
    assert score == 0.0 and matched == []
    filler = make_plan([{"title": "Tăng cường công tác chỉ đạo",
                         "activities": ["Tăng cường triển khai thực hiện có hiệu quả các nhiệm vụ được giao theo quy định."]}])
    out = score_plan(filler, "tb432")
    assert out["summary"]["missing"] == out["summary"]["requirements"]


def test_bm25_weighs_rare_words_more_than_common_ones():
    docs = [analyse(t) for t in ("trẻ em vui chơi", "trẻ em học tập", "trẻ em bị bỏ rơi")]
    idx = Index(docs)
    cov = idx.coverage([analyse("trẻ em bị bỏ rơi")])[0]
    assert cov[2] > 0.8 and cov[0] < 0.3
    assert "bỏ rơi" in idx.matched(analyse("trẻ bị bỏ rơi"), 2)


def test_highlight_finds_runs_of_matched_words():
    text = "Bảo đảm trẻ em bị bỏ rơi được chăm sóc"
    spans = highlight(text, ["b:trẻ em", "b:em bị", "b:bị bỏ", "b:bỏ rơi", "u:sóc"])
    assert [text[a:b] for a, b in spans] == ["trẻ em bị bỏ rơi", "sóc"]


def test_bodies_check_uses_canonical_names_and_successors():
    lead_2022 = _body("Sở Lao động - Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội", successor="Sở Y tế")
    police = _body("Công an tỉnh", "Công an tỉnh")
    plan = make_plan([{"title": "Tiếp nhận, chăm sóc trẻ em bị bỏ rơi",
                       "activities": ["Ban hành quy trình phối hợp liên ngành tiếp nhận, chăm sóc ban đầu, lập hồ sơ cho mọi trẻ em bị bỏ rơi."],
                       "lead": [lead_2022], "coordinating": [police]}])
    plan["tasks"][0]["activities"][0]["lead"] = [lead_2022]
    plan["tasks"][0]["activities"][0]["coordinating"] = [police]
    r = req(score_plan(plan, "tb432"), "TB432-2.1")
    assert r["status"] != "missing"
    bodies = {b["name"]: b for b in r["bodies"]}
    assert bodies["Sở Y tế"]["role"] == "lead"
    assert bodies["Sở Y tế"]["match"] == "successor"
    assert bodies["Sở Y tế"]["as"] == "Sở Lao động - Thương binh và Xã hội"
    assert bodies["Công an tỉnh"]["role"] == "coordinating" and bodies["Công an tỉnh"]["match"] == "canonical"
    assert bodies["Ủy ban nhân dân cấp xã"]["role"] is None


def test_bodies_names_do_not_count_as_content():
    # "…người khuyết tật tỉnh" in the name of the body acting is not a sentence about
    # people with disabilities.
    body = _body("Hội Bảo trợ người khuyết tật tỉnh", "Hội Bảo trợ người khuyết tật tỉnh")
    plan = make_plan([{"title": "Phòng chống đuối nước", "activities": ["Dạy bơi cho học sinh tiểu học."]}],
                     duties=[(body, ["Hội Bảo trợ người khuyết tật tỉnh: vận động hội viên tham gia các hoạt động của Kế hoạch."])])
    r = req(score_plan(plan, "tb444"), "TB444-0")
    assert r["status"] == "missing"


def test_target_group_matters():
    # Livelihood support for poor households is not the disability requirement on livelihoods.
    poor = make_plan([{"title": "Hỗ trợ sinh kế", "activities": ["Hỗ trợ sinh kế, vay vốn ưu đãi, nhà ở cho hộ nghèo, hộ cận nghèo."]}])
    disabled = make_plan([{"title": "Hỗ trợ sinh kế", "activities": ["Hỗ trợ sinh kế, vay vốn ưu đãi, nhà ở cho người khuyết tật, hộ nghèo."]}])
    a = req(score_plan(poor, "tb444"), "TB444-2.4")["score"]
    b = req(score_plan(disabled, "tb444"), "TB444-2.4")["score"]
    assert b > a * 2


def test_reporting_clauses_only_count_for_the_monitoring_requirement():
    plan = make_plan([{"title": "Tuyên truyền", "activities": ["Tuyên truyền về quyền trẻ em."]}],
                     reporting=["Định kỳ hằng năm báo cáo kết quả thực hiện, khó khăn, vướng mắc về Sở Y tế để tổng hợp."])
    out = score_plan(plan, "tb432")
    assert req(out, "TB432-4.6")["status"] != "missing"
    assert req(out, "TB432-4.6")["evidence"][0]["kind"] == "reporting"
    for r in out["requirements"]:
        if r["id"] != "TB432-4.6":
            assert all(e["kind"] != "reporting" for e in r["evidence"])


def test_verification_status_and_inferred_flags_are_carried():
    out = score_plan(PARAPHRASE, "tb444")
    by_id = {r["id"]: r for r in out["requirements"]}
    assert by_id["TB444-2.2"]["verification"] == "FROM-SPEECH"
    assert all(r["wording"] == "paraphrase" for r in out["requirements"])
    assert "inferred_concepts" in by_id["TB444-1"]
    assert out["catalog"]["status"] == "partial"


def test_user_catalog_via_path(tmp_path):
    cat = {
        "schema": "khplan.catalog/v1", "id": "nq-tinh", "title": "Nghị quyết thử của Tỉnh ủy", "version": "0.1",
        "document": {"kind": "Nghị quyết", "number": "99-NQ/TU", "issuer": "Tỉnh ủy"}, "status": "partial",
        "thresholds": {"covered": 0.46, "partial": 0.16},
        "concepts": {"be_boi": {"label": "dạy bơi, phòng chống đuối nước", "variants": ["dạy bơi", "phòng chống đuối nước", "bơi an toàn"]}},
        "requirements": [
            {"id": "NQ-1", "title": "Mọi học sinh tiểu học biết bơi an toàn", "description": "Dạy bơi an toàn cho học sinh tiểu học.",
             "source_point": "điểm 1", "verification": "VERIFIED", "sources": ["thử"], "target_groups": ["học sinh tiểu học"],
             "concepts": [{"id": "be_boi", "required": True}], "bodies": ["Sở Giáo dục và Đào tạo"], "weight": 1.0},
            {"id": "NQ-2", "title": "Tiếp nhận trẻ bị bỏ rơi", "description": "Mọi trẻ bị bỏ rơi được tiếp nhận an toàn.",
             "source_point": "điểm 2", "verification": "INFERRED", "sources": ["thử"], "target_groups": [],
             "concepts": [{"id": "tiep_nhan_cham_soc", "required": True}], "bodies": [], "weight": 1.0},
        ],
    }
    path = tmp_path / "nq.yaml"
    path.write_text(yaml.safe_dump(cat, allow_unicode=True), encoding="utf-8")
    plan = make_plan([{"title": "Phòng chống đuối nước", "activities": ["Tổ chức dạy bơi an toàn cho học sinh tiểu học trong hè."]}])
    out = score_plan(plan, str(path))
    assert out["catalog"]["id"] == "nq-tinh"
    assert req(out, "NQ-1")["status"] == "covered"
    assert req(out, "NQ-2")["status"] == "missing"
    assert req(out, "NQ-2")["verification"] == "INFERRED"
    assert validate_data(out) == []
    r = run_cli("coverage", _write_plan(tmp_path, plan), "--against", path, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["catalog"]["id"] == "nq-tinh"


def test_default_catalogs_follow_implements_and_intermediate_plans():
    plan = make_plan([], implements=["135-KH/TU", "28-CT/TW"])
    assert [c for c, _ in default_catalogs(plan)] == ["ct28"]
    assert [c for c, _ in default_catalogs(make_plan([], implements=["1183/QĐ-TTg"]))] == ["ct28"]  # the Government plan of CT 28
    assert [c for c, _ in default_catalogs(make_plan([], implements=["432-TB/VPTW", "444-TB/VPTW"]))] == ["tb432", "tb444"]
    assert default_catalogs(make_plan([], implements=["478/LĐTBXH-TE"])) == []


def test_every_output_validates_against_the_schema(sample_plans):
    for name, plan in sample_plans.items():
        for cid in ("tb432", "tb444", "ct28"):
            out = score_plan(plan, cid)
            assert validate_data(out) == [], (name, cid, validate_data(out)[:3])
    for plan in (PARAPHRASE, UNRELATED, make_plan([])):
        assert validate_data(score_plan(plan, "tb432")) == []


def test_output_is_deterministic():
    a = score_plan(copy.deepcopy(PARAPHRASE), "tb432")
    b = score_plan(copy.deepcopy(PARAPHRASE), "tb432")
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


def test_plan_check_refuses_wrong_shapes():
    with pytest.raises(InputError, match="schema"):
        check_plan({"schema": "khplan.coverage/v1"}, "x.yaml")
    bad = copy.deepcopy(PARAPHRASE)
    bad["tasks"][0]["activities"][0]["text"] = 3
    with pytest.raises(InputError, match=r"tasks\[0\]\.activities\[0\]\.text"):
        check_plan(bad, "x.yaml")
    check_plan(PARAPHRASE, "ok.yaml")


def test_passages_cover_objectives_tasks_activities_duties_and_reporting():
    plan = make_plan([{"title": "A", "activities": ["a1", "a2"]}, {"title": "B"}], duties=[(_body("Sở Y tế", "Sở Y tế"), ["d1"])],
                     objectives=["o1"], reporting=["r1"])
    kinds = [(p.kind, p.task, p.activity) for p in plan_passages(plan)]
    assert kinds == [("objective", None, 1), ("task", "II.1", None), ("activity", "II.1", 1), ("activity", "II.1", 2),
                     ("task", "II.2", None), ("duty", "IV.1", 1), ("reporting", None, None)]


# --------------------------------------------------------------------------------------------
# Command line


def run_cli(*args, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    return subprocess.run([sys.executable, "-m", "khplan", *map(str, args)], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def _write_plan(tmp_path: Path, plan: dict) -> Path:
    p = tmp_path / "plan.yaml"
    p.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def test_coverage_on_yaml_input_equals_coverage_on_the_plan_file(tmp_path):
    parsed = tmp_path / "hy.yaml"
    r = run_cli("parse", HY.relative_to(ROOT), "-o", parsed)
    assert r.returncode == 0, r.stderr
    a = run_cli("coverage", HY.relative_to(ROOT), "--against", "tb432", "--format", "yaml")
    b = run_cli("coverage", parsed, "--against", "tb432", "--format", "yaml")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert a.stdout == b.stdout
    data = yaml.safe_load(a.stdout)
    assert data["schema"] == "khplan.coverage/v1" and validate_data(data) == []


def test_default_catalog_is_the_one_the_plan_implements(tmp_path):
    r = run_cli("coverage", HY.relative_to(ROOT), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["catalog"]["id"] == "tb432"


def test_no_catalog_and_none_implemented_is_exit_2(tmp_path):
    r = run_cli("coverage", SAMPLES / "cao-bang-2022-cong-tac-tre-em.txt")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "--against" in r.stderr


def test_bad_catalog_is_exit_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: khplan.catalog/v1\nid: x\n", encoding="utf-8")
    for against in (bad, "tb999", tmp_path / "missing.yaml"):
        r = run_cli("coverage", HY.relative_to(ROOT), "--against", against)
        assert r.returncode == 2, (against, r.stderr)
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("khplan: "), r.stderr
        assert "Traceback" not in r.stderr


def test_wrong_schema_input_is_refused_with_one_line(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("schema: khplan.coverage/v1\nplan: {}\n", encoding="utf-8")
    r = run_cli("coverage", other, "--against", "tb432")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "not a khplan plan" in r.stderr


def test_many_plans_to_a_directory_and_table_format(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for f in ("hung-yen-2026-tb432-tre-em-hcdb.txt", "thai-nguyen-2026-tre-em-hcdb-nguoi-khuyet-tat.txt"):
        (plans / f).write_bytes((SAMPLES / f).read_bytes())
    out = tmp_path / "out"
    r = run_cli("coverage", plans, "--against", "tb432", "--against", "tb444", "-o", str(out) + "/", "-q", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"{Path(f).stem}.{c}.coverage.yaml" for f in os.listdir(plans) for c in ("tb432", "tb444"))
    for f in out.iterdir():
        assert validate_data(yaml.safe_load(f.read_text(encoding="utf-8"))) == []
    t = run_cli("coverage", plans / "hung-yen-2026-tb432-tre-em-hcdb.txt", "--format", "table")
    assert t.returncode == 0, t.stderr
    assert "TB432-2.1" in t.stdout and "covered" in t.stdout and "\x1b[" not in t.stdout


def test_catalogs_command_lists_the_builtin_catalogs():
    r = run_cli("catalogs", "--format", "yaml")
    assert r.returncode == 0, r.stderr
    assert [c["id"] for c in yaml.safe_load(r.stdout)] == ["ct28", "tb432", "tb444"]
    r = run_cli("catalogs", "tb432", "--format", "json")
    assert r.returncode == 0 and len(json.loads(r.stdout)["requirements"]) == 16


# --------------------------------------------------------------------------------------------
# Accuracy on the labelled set


def test_accuracy_on_the_labelled_set():
    """Precision and recall of "covered or partial" against tests/data/coverage_labels.yaml,
    with the thresholds of the catalogs (scripts/eval_coverage.py prints the details)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import eval_coverage

    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    rows = eval_coverage.run_engine(labels)
    m = eval_coverage.metrics([(r["label"], r["status"]) for r in rows])
    assert m["precision"] >= 0.93, m
    assert m["recall"] >= 0.90, m
