"""Old Word (.doc, binary) files: converted to .docx by LibreOffice, then read as .docx.

LibreOffice is the only converter of the binary Word format that is packaged for Debian and
keeps numbering and tables; it runs headless in a private profile and a temporary directory,
with a time limit. Without it, the message says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError
from . import Extracted

TIMEOUT_S = 120


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc_bytes(data: bytes, path: str) -> Extracted:
    from .ooxml import OLE_MAGIC, is_encrypted_ole

    if not data.startswith(OLE_MAGIC):
        raise InputError(f"{path}: not a valid Word .doc file")
    if is_encrypted_ole(data):
        raise InputError(f"{path}: the Word document is encrypted (password-protected); save it without a password")
    exe = _soffice()
    if exe is None:
        raise InputError(
            f"{path}: old Word (.doc) files need LibreOffice to convert them "
            "(apt-get install libreoffice-writer), or save the file as .docx"
        )
    with tempfile.TemporaryDirectory(prefix="khplan-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        cmd = [
            exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src),
        ]
        env = dict(os.environ, HOME=tmp)
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT_S, env=env, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"{path}: LibreOffice did not convert the .doc file within {TIMEOUT_S} s") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot run LibreOffice ({exc})") from None
        out = Path(tmp) / "input.docx"
        if not out.exists() or out.stat().st_size == 0:
            raise InputError(f"{path}: LibreOffice could not convert the .doc file (corrupt or not a Word document)")
        converted = out.read_bytes()
    from .docx import read_docx

    ex = read_docx(converted, path)
    ex.format = "doc"
    ex.warnings.append({"code": "converted", "message": "old Word (.doc) file converted to .docx with LibreOffice"})
    return ex


def read_doc(path: Path) -> Extracted:
    from . import read_bytes

    return read_doc_bytes(read_bytes(Path(path)), str(path))
