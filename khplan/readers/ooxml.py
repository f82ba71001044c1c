"""Safe access to an Office Open XML package (zip): size caps, relationships, XML parsing.

Every member is read through :class:`Package`, which refuses archives that could exhaust memory
(zip bombs), encrypted members and paths outside the archive; XML is parsed without entity
expansion, DTDs or network access. Relationships with ``TargetMode="External"`` are listed but
never followed.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib

from ..errors import InputError

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # total declared size of all members
MAX_MEMBER_RATIO = 200  # uncompressed/compressed for members over MIN_RATIO_SIZE
MIN_RATIO_SIZE = 10 * 1024 * 1024
MAX_MEMBERS = 20_000

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def xml_parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False)


def is_encrypted_ole(data: bytes) -> bool:
    """An OLE compound file holding an encrypted OOXML package ("CDFV2 Encrypted")."""
    return data.startswith(OLE_MAGIC) and (
        "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data
    )


class Package:
    def __init__(self, data: bytes, path: str, kind: str = "Word document"):
        self.path = path
        self.kind = kind
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
            raise InputError(f"{path}: not a valid {kind} (corrupt or truncated zip archive)") from None
        if len(infos) > MAX_MEMBERS:
            raise InputError(f"{path}: refused: the archive has {len(infos)} members (limit {MAX_MEMBERS})")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError(f"{path}: the {kind} is encrypted (password-protected); save it without a password")
            total += info.file_size
            if info.file_size > MIN_RATIO_SIZE and info.file_size > MAX_MEMBER_RATIO * max(1, info.compress_size):
                raise InputError(
                    f"{path}: refused: '{info.filename}' expands {info.file_size // max(1, info.compress_size)}x"
                    " (a zip bomb or a damaged file)"
                )
        if total > MAX_UNCOMPRESSED:
            raise InputError(
                f"{path}: refused: the archive expands to {total // (1024 * 1024)} MB"
                f" (limit {MAX_UNCOMPRESSED // (1024 * 1024)} MB)"
            )
        self.names = {info.filename for info in infos}

    def has(self, name: str) -> bool:
        return name.lstrip("/") in self.names

    def read(self, name: str) -> bytes:
        name = name.lstrip("/")
        try:
            return self.zf.read(name)
        except KeyError:
            raise InputError(f"{self.path}: not a valid {self.kind} ('{name}' is missing)") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise InputError(f"{self.path}: corrupt {self.kind} ('{name}' cannot be read: {exc})") from None

    def xml(self, name: str, prepare=None):
        from lxml import etree

        data = self.read(name)
        if prepare is not None:
            data = prepare(data)
        try:
            return etree.fromstring(data, xml_parser())
        except etree.XMLSyntaxError as exc:
            raise InputError(f"{self.path}: corrupt {self.kind} ('{name}' is not well-formed XML: {exc.msg})") from None

    def rels(self, part: str) -> list[dict]:
        """Relationships of ``part`` (``""`` for the package): dicts with id, type, target, external."""
        d, base = posixpath.split(part.lstrip("/"))
        rels_name = posixpath.join(d, "_rels", base + ".rels")
        if not self.has(rels_name):
            return []
        root = self.xml(rels_name)
        out = []
        for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
            external = (rel.get("TargetMode") or "").lower() == "external"
            target = rel.get("Target") or ""
            if not external:
                if target.startswith("/"):
                    target = target.lstrip("/")
                else:
                    target = posixpath.normpath(posixpath.join(d, target))
                if target.startswith("..") or target.startswith("/"):
                    continue  # outside the package: ignore
            out.append({"id": rel.get("Id"), "type": rel.get("Type") or "", "target": target, "external": external})
        return out
