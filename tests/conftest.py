import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_TEXTS = sorted(SAMPLES.glob("*.txt"))


@functools.lru_cache(maxsize=None)
def parsed(name: str) -> dict:
    from khplan import parse_file

    return parse_file(str((SAMPLES / name).relative_to(ROOT)) if False else str(SAMPLES / name))


@pytest.fixture(scope="session")
def sample_plans():
    return {p.name: parsed(p.name) for p in SAMPLE_TEXTS}
