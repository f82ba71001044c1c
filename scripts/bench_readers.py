#!/usr/bin/env python3
"""Reader speed: our PDF reader beside poppler's ``pdftotext`` on the same files, and .docx time.

Usage: ``python scripts/bench_readers.py [FILES or DIRS …] [--repeat N]``
(default: samples/pdf, samples/tables and samples/docx).

For PDFs it prints milliseconds per page for
* ``pdftotext``: one process per file, as a user would run it (``pdftotext -enc UTF-8 f -``);
* ``pdftotext (in-process)``: the same minus process start-up, estimated by timing
  ``pdftotext`` on a one-page file and subtracting that fixed cost per file;
* ``pypdfium2 get_text``: the bare PDFium text of each page (the floor for our reader);
* ``khplan``: our reader (:func:`khplan.readers.read_document`), text + positions + page spans,
  in this process (modules already imported).
and the ratio khplan / pdftotext. For .docx it prints milliseconds per document.
Each measure is the best of ``--repeat`` runs (default 5).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _collect(args: list[str]) -> tuple[list[Path], list[Path]]:
    paths = [Path(a) for a in args] or [ROOT / "samples/pdf", ROOT / "samples/tables", ROOT / "samples/docx"]
    pdfs, docxs = [], []
    for p in paths:
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.suffix.lower() == ".pdf" and "scan" not in f.name:
                pdfs.append(f)
            elif f.suffix.lower() == ".docx":
                docxs.append(f)
    return pdfs, docxs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="reader speed beside pdftotext")
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    pdfs, docxs = _collect(args.paths)
    import pypdfium2 as pdfium

    from khplan.readers import read_document

    # warm up imports and caches
    for f in pdfs[:1] + docxs[:1]:
        read_document(f)

    if pdfs:
        pages = sum(len(pdfium.PdfDocument(str(f))) for f in pdfs)
        print(f"PDF: {len(pdfs)} files, {pages} pages")
        exe = shutil.which("pdftotext")
        t_pdftotext = None
        if exe:
            def run_pdftotext():
                for f in pdfs:
                    subprocess.run([exe, "-enc", "UTF-8", str(f), "-"], stdout=subprocess.DEVNULL, check=True)

            t_pdftotext = _best(run_pdftotext, args.repeat)
            # fixed cost of one process: a one-page file, page 1 only
            one = pdfs[0]

            def run_one():
                subprocess.run([exe, "-f", "1", "-l", "1", "-enc", "UTF-8", str(one), "-"], stdout=subprocess.DEVNULL, check=True)

            t_one = _best(run_one, args.repeat)
            print(f"  pdftotext               {t_pdftotext / pages * 1000:7.2f} ms/page  (one process per file)")
            t_in = max(1e-9, t_pdftotext - len(pdfs) * t_one * 0.9)
            print(f"  pdftotext (in-process)  {t_in / pages * 1000:7.2f} ms/page  (start-up of ~{t_one * 1000:.1f} ms per file taken off)")
        else:
            print("  pdftotext not installed (apt-get install poppler-utils)")

        def run_pdfium():
            for f in pdfs:
                doc = pdfium.PdfDocument(str(f))
                for page in doc:
                    page.get_textpage().get_text_range()
                doc.close()

        t_pdfium = _best(run_pdfium, args.repeat)
        print(f"  pypdfium2 get_text      {t_pdfium / pages * 1000:7.2f} ms/page")

        def run_ours():
            for f in pdfs:
                read_document(f)

        t_ours = _best(run_ours, args.repeat)
        print(f"  khplan read_document    {t_ours / pages * 1000:7.2f} ms/page")
        if t_pdftotext:
            print(f"  ratio khplan / pdftotext: {t_ours / t_pdftotext:.2f}x")
        for f in pdfs:
            n = len(pdfium.PdfDocument(str(f)))
            t = _best(lambda: read_document(f), args.repeat)
            print(f"    {f.name:60s} {n:3d} pages {t / n * 1000:7.2f} ms/page")
    if docxs:
        print(f"DOCX: {len(docxs)} files")
        total = 0.0
        for f in docxs:
            t = _best(lambda: read_document(f), args.repeat)
            total += t
            print(f"    {f.name:60s} {t * 1000:7.2f} ms")
        print(f"  khplan read_document    {total / len(docxs) * 1000:7.2f} ms/document")
    return 0


if __name__ == "__main__":
    sys.exit(main())
