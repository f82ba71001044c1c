"""The command line as a user meets it: outputs, exit codes and one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, SAMPLES

CB = SAMPLES / "cao-bang-2022-cong-tac-tre-em.txt"


def run(*args, cwd=ROOT, input=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV")}
    return subprocess.run([sys.executable, "-m", "khplan", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          input=input, env=env, timeout=120)


def test_parse_to_stdout_is_yaml_of_the_contract():
    r = run("parse", CB.relative_to(ROOT))
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load(r.stdout)
    assert data["schema"] == "khplan.plan/v1"
    assert data["source"]["path"] == "samples/cao-bang-2022-cong-tac-tre-em.txt"
    assert data["document"]["number"] == "715/KH-UBND"


def test_parse_json_and_output_file(tmp_path):
    out = tmp_path / "plan.json"
    r = run("parse", CB, "--format", "json", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["document"]["province"] == "Cao Bằng"


def test_parse_many_into_a_directory_then_validate(tmp_path):
    (tmp_path / "in").mkdir()
    for f in SAMPLES.glob("*.txt"):
        (tmp_path / "in" / f.name).write_bytes(f.read_bytes())
    r = run("parse", tmp_path / "in", "-o", tmp_path / "out", "-q", "-j", "2")
    assert r.returncode == 0, r.stderr
    files = sorted((tmp_path / "out").glob("*.yaml"))
    assert len(files) == 5
    v = run("validate", *files)
    assert v.returncode == 0, v.stderr


def test_validate_rejects_wrong_schema(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: khplan.plan/v1\nsource: 3\n", encoding="utf-8")
    r = run("validate", bad)
    assert r.returncode == 1
    assert "source" in r.stderr


@pytest.mark.parametrize(
    "name,content,needle",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n \t\n", "empty"),
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("plan.xyz", "Kế hoạch".encode(), "unknown format"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "docx"),
        ("broken.pdf", b"%PDF-1.4\n garbage", "pdf"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, name, content, needle):
    f = tmp_path / name
    f.write_bytes(content)
    r = run("parse", f)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert needle in lines[0].lower()


def test_missing_file_and_malformed_yaml(tmp_path):
    r = run("parse", tmp_path / "nope.txt")
    assert r.returncode == 2 and "no such file" in r.stderr
    bad = tmp_path / "x.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    r = run("validate", bad)
    assert r.returncode == 2 and "malformed YAML" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_yaml_with_python_tags_is_refused(tmp_path):
    bad = tmp_path / "evil.yaml"
    bad.write_text("!!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    r = run("validate", bad)
    assert r.returncode == 2
    assert "hacked" not in r.stdout


def test_output_never_overwrites_an_input(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_bytes(CB.read_bytes())
    r = run("parse", f, "-o", f)
    assert r.returncode == 2
    assert f.read_bytes() == CB.read_bytes()


def test_failed_parse_leaves_existing_output_untouched(tmp_path):
    out = tmp_path / "out.yaml"
    out.write_text("previous\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = run("parse", empty, "-o", out)
    assert r.returncode == 2
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_batch_reports_failures_and_goes_on(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_bytes(CB.read_bytes())
    (tmp_path / "in" / "bad.txt").write_bytes(b"")
    r = run("parse", tmp_path / "in", "-o", tmp_path / "out", "-q")
    assert r.returncode == 1
    assert (tmp_path / "out" / "good.yaml").exists()
    assert "1 parsed, 1 failed" in r.stderr


def test_text_command_prints_what_spans_index():
    r = run("text", CB)
    assert r.returncode == 0
    assert r.stdout.startswith("ỦY BAN NHÂN DÂN\nTỈNH CAO BẰNG")


def test_utf16_crlf_and_nfd_inputs_parse_the_same(tmp_path):
    import unicodedata

    text = CB.read_text(encoding="utf-8")
    variants = {
        "u16.txt": text.replace("\n", "\r\n").encode("utf-16"),
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "nfd.txt": unicodedata.normalize("NFD", text).encode("utf-8"),
    }
    base = yaml.safe_load(run("parse", CB).stdout)
    for name, data in variants.items():
        f = tmp_path / name
        f.write_bytes(data)
        got = yaml.safe_load(run("parse", f).stdout)
        assert got["document"]["number"] == base["document"]["number"], name
        assert [t["id"] for t in got["tasks"]] == [t["id"] for t in base["tasks"]], name
        assert [a["bodies"][0]["name"] for a in got["assignments"]] == [a["bodies"][0]["name"] for a in base["assignments"]], name


def test_help_and_version():
    r = run("--help")
    assert r.returncode == 0 and "parse" in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("khplan ")
