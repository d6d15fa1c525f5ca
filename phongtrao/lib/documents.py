"""Official documents in the Nghị định 30/2020/NĐ-CP layout: .docx from templates, PDF certificates.

Generic: no app models here. An app builds the context (or the ``Certificate`` values) from its
own rows and calls:

- ``render_docx(template, context)``: a docxtpl template (made by ``scripts/make_docx_templates.py``)
  filled with ``context``; values are XML-escaped, so names with "&" or "<" are safe.
- ``certificates_pdf(certs)``: one A4 landscape page per ``Certificate``, all in one PDF
  (WeasyPrint; Times New Roman, else the metric-compatible Liberation Serif; no network access).

and the text helpers of NĐ 30/2020 Appendix I: ``date_line`` ("An Bình, ngày 05 tháng 01 năm 2026"),
``place_name`` ("Xã An Bình" -> "An Bình"), ``in_running_text`` ("Xã An Bình" -> "xã An Bình").
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string

CERTIFICATE_TEMPLATE = "documents/certificate.html"
# The only folder a document may load a local file from (an emblem image, say).
ASSETS_DIR = Path(__file__).resolve().parent.parent / "core" / "templates" / "documents"

# Administrative prefixes, longest first ("Thành phố" before a hypothetical "Thành").
ADMIN_PREFIXES = ("Thành phố", "Thị trấn", "Đặc khu", "Thị xã", "Phường", "Huyện", "Quận", "Tỉnh", "Xã")
# Units named after a person keep their full name as the place (NĐ 30/2020, Appendix I, II.3.a).
FULL_NAME_PLACES = ("Thành phố Hồ Chí Minh",)


# --- text helpers -------------------------------------------------------------------------------


def date_line(place: str, day: dt.date) -> str:
    """Place and date of issue as NĐ 30/2020 writes them: "An Bình, ngày 05 tháng 01 năm 2026".

    Days below 10 and the months January and February get a leading zero; March to September do
    not ("ngày 15 tháng 3 năm 2025").
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def split_admin_prefix(name: str) -> tuple[str, str]:
    """("Xã", "An Bình") for "Xã An Bình"; ("", name) when the name has no administrative prefix."""
    clean = " ".join(name.split())
    for prefix in ADMIN_PREFIXES:
        if clean.casefold().startswith(prefix.casefold() + " "):
            return clean[: len(prefix)], clean[len(prefix) + 1:]
    return "", clean


def place_name(official_name: str) -> str:
    """The place written before the date: the unit's name without "Xã ", "Phường ", "Tỉnh ",
    "Thành phố ", ... ("Xã An Bình" -> "An Bình"). Units named by a number ("Phường 3") or after a
    person ("Thành phố Hồ Chí Minh") keep their full name."""
    prefix, rest = split_admin_prefix(official_name)
    clean = " ".join(official_name.split())
    if not prefix or not rest or rest[0].isdigit() or clean in FULL_NAME_PLACES:
        return clean
    return rest


def in_running_text(official_name: str) -> str:
    """The name as written inside a sentence: the administrative prefix in lower case
    ("Xã An Bình" -> "xã An Bình", "Thành phố Huế" -> "thành phố Huế")."""
    prefix, rest = split_admin_prefix(official_name)
    return f"{prefix.lower()} {rest}" if prefix else rest


# --- .docx --------------------------------------------------------------------------------------


def render_docx(template: Path, context: dict[str, Any]) -> bytes:
    """Fill a docxtpl template (jinja tags inside the .docx) and return the document's bytes.

    Values are autoescaped for XML. Lists render with ``{%p for %}`` (paragraphs) and
    ``{%tr for %}`` (table rows) in the template.
    """
    from docxtpl import DocxTemplate

    doc = DocxTemplate(template)
    doc.render(context, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- certificates -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Certificate:
    """One certificate page (Giấy công nhận, Giấy khen, Bằng khen), top to bottom.

    - ``body``: the issuing body in capitals, one string per line, printed bold at the top left,
      e.g. ``("ỦY BAN NHÂN DÂN", "XÃ AN BÌNH")``; ``parent_body`` is an optional line above it, not
      bold (e.g. "UBND TỈNH THỬ NGHIỆM" above "CÔNG AN TỈNH ...").
    - ``title``: the big red title, e.g. "GIẤY CÔNG NHẬN", "GIẤY KHEN", "BẰNG KHEN".
    - ``lead``: who grants it, e.g. "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ AN BÌNH"; ``verb`` the line under it,
      e.g. "Công nhận" or "Tặng" (empty: none).
    - ``recipient``: the unit or person, printed big and bold; ``recipient_lines``: smaller lines
      under it (the unit it belongs to, an individual's position and workplace).
    - ``achievement``: what for, e.g. "Đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2025"
      (a newline starts a new line).
    - ``decision_ref``: e.g. "(Quyết định số 30/QĐ-UBND ngày 15/12/2025)"; empty: none.
    - ``date_line``: place and date, italic, e.g. ``date_line("An Bình", day)``.
    - ``signer_prefix``: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH" or empty; ``signer_title``: "CHỦ TỊCH";
      ``signer_name``: the official who signs (space is left above it for signature and seal).
    - ``serial``: the register number, printed bottom left as "Số vào sổ: <serial>" (empty: none).
    """

    body: Sequence[str]
    title: str
    lead: str
    recipient: str
    achievement: str
    date_line: str
    signer_title: str
    signer_name: str
    parent_body: str = ""
    verb: str = ""
    recipient_lines: Sequence[str] = ()
    decision_ref: str = ""
    signer_prefix: str = ""
    serial: str = ""


def _recipient_class(name: str) -> str:
    """Long names get a smaller size so they fit on one or two lines."""
    if len(name) > 60:
        return "very-long"
    return "long" if len(name) > 36 else ""


def certificates_html(certs: Sequence[Certificate]) -> str:
    """The HTML that ``certificates_pdf`` prints (one ``section.sheet`` per certificate)."""
    if not certs:
        raise ValueError("Không có giấy chứng nhận nào để in.")
    sheets = [
        {"cert": c, "achievement_lines": [line for line in c.achievement.splitlines() if line.strip()],
         "recipient_class": _recipient_class(c.recipient)}
        for c in certs
    ]
    return render_to_string(CERTIFICATE_TEMPLATE, {"sheets": sheets})


def _local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses the network: only data: URLs and files under ASSETS_DIR."""
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(ASSETS_DIR):
                    return super().fetch(url, headers)
            raise ValueError(f"Documents load no external resource: {url}")

    return LocalOnlyFetcher(allowed_protocols=("data", "file"))


CERTIFICATES_PER_CHUNK = 10  # certificates laid out at a time when the caller follows the progress


def certificates_pdf(certs: Sequence[Certificate],
                     progress: Callable[[int, int], None] | None = None) -> bytes:
    """All ``certs`` in one PDF, one A4 landscape page each. Raises ``ValueError`` when empty.

    With ``progress`` (a background job's), the certificates are laid out ``CERTIFICATES_PER_CHUNK`` at a
    time and ``progress(done, total)`` is called after each chunk; the pages are then written as one PDF
    (WeasyPrint's ``Document.copy`` of every chunk's pages), the same pages as in one go."""
    from weasyprint import HTML

    html = certificates_html(certs)  # refuses an empty list before any work
    if progress is None:
        pdf = HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=_local_fetcher()).write_pdf()
        assert pdf is not None
        return bytes(pdf)
    fetcher, total = _local_fetcher(), len(certs)
    documents = []
    for start in range(0, total, CERTIFICATES_PER_CHUNK):
        chunk = certificates_html(certs[start:start + CERTIFICATES_PER_CHUNK])
        documents.append(HTML(string=chunk, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher).render())
        progress(min(start + CERTIFICATES_PER_CHUNK, total), total)
    pages = [page for document in documents for page in document.pages]
    pdf = documents[0].copy(pages).write_pdf()
    assert pdf is not None
    return bytes(pdf)
