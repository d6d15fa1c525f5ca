"""What an uploaded file really is: the type read from its first bytes, checked against its name.

Accepted: PDF, PNG, JPEG and Word .docx (a ZIP holding ``word/document.xml``). A file whose bytes
are none of these, or whose extension names another type (a PDF called ``.docx``), is refused.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

EXTENSIONS: dict[str, str] = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".docx": DOCX}
STORED_EXTENSION = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx"}
ACCEPT = ",".join(EXTENSIONS)  # for <input type="file" accept=...>


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` from its magic bytes, or None when it is not an accepted type."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def size_text(size: int) -> str:
    """"35 KB", "1,2 MB" (Vietnamese decimal comma)."""
    from phongtrao.lib.vnformat import number

    if size < 1024 * 1024:
        return f"{number(max(1, round(size / 1024)))} KB"
    return f"{number(round(size / (1024 * 1024), 1))} MB"


def extension(filename: str) -> str:
    return PurePath(filename).suffix.lower()


def clean_filename(filename: str) -> str:
    """The name to show and to offer on download: the last path part, no control characters, 200 chars."""
    name = PurePath(filename.replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|')
    return " ".join(name.split())[-200:] or "tep"
