#!/usr/bin/env python3
"""Rewrite the lexicon data files (khplan/data/*.yaml) in their one canonical form.

Key order follows the JSON Schemas in khplan/schemas/, strings are NFC, values equal to a
schema default are left out, and the comment block at the top of each file is kept.

    python scripts/format_data.py          # rewrite the files
    python scripts/format_data.py --check  # exit 1 and list the files that are not canonical
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from khplan.lexicon import DATA_FILES, format_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are not canonical")
    args = parser.parse_args(argv)
    changed = []
    for which, name in DATA_FILES.items():
        path = ROOT / "khplan" / "data" / name
        text, canonical = format_file(path, which)
        if text == canonical:
            continue
        changed.append(path)
        if not args.check:
            path.write_text(canonical, encoding="utf-8")
    for path in changed:
        print(f"{'not canonical' if args.check else 'rewrote'}: {path.relative_to(ROOT)}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
