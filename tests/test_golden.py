"""Golden tests: each sample plan parses to the reviewed YAML in tests/golden/.

Regenerate with ``UPDATE_GOLDEN=1 make golden`` (then read the diff against the source).
"""

import os
from pathlib import Path

import pytest

from khplan import parse_file
from khplan.output import dumps

from .conftest import ROOT, SAMPLE_TEXTS

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("sample", SAMPLE_TEXTS, ids=lambda p: p.stem)
def test_golden(sample, monkeypatch):
    monkeypatch.chdir(ROOT)
    rel = str(sample.relative_to(ROOT))
    got = dumps(parse_file(rel))
    golden = GOLDEN / (sample.stem + ".yaml")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file for {sample.name}; run UPDATE_GOLDEN=1 make golden and review it"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("sample", SAMPLE_TEXTS, ids=lambda p: p.stem)
def test_output_validates_against_schema(sample):
    from khplan.schemas import validate_data

    data = parse_file(str(sample))
    assert validate_data(data) == []


@pytest.mark.parametrize("sample", SAMPLE_TEXTS, ids=lambda p: p.stem)
def test_deterministic(sample):
    assert dumps(parse_file(str(sample))) == dumps(parse_file(str(sample)))
