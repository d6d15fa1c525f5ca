"""The English translation: a complete catalogue, placeholders kept, and the language switch working.

The UI is written in Vietnamese (the msgids); English lives in phongtrao/locale/en/LC_MESSAGES/django.po.
See docs/howto/translate.md for the checklist when adding or changing a UI string.
"""

from __future__ import annotations

import html
import re
import runpy
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "phongtrao" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
COMPILE_SCRIPT = ROOT / "scripts" / "compilemessages.py"

# printf-style placeholders: %(name)s, %(n)d, %s, %d, %% ...
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
# HTML tags and character references (&lt; &amp; ...), which must survive translation. Only real HTML tag
# names: "Bearer <khoá>" in an API message is text.
MARKUP = re.compile(r"</?(?:a|abbr|b|br|code|em|i|kbd|li|p|small|span|strong|sub|sup|ul)\b[^>]*>|&[a-zA-Z]+;|&#\d+;")
# Letters only Vietnamese uses; English pages should not contain any outside user data.
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]",
                                re.IGNORECASE)


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def forms(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a simple entry, one per plural form otherwise."""
    if entry.msgid_plural:
        return [(entry.msgid if n == 0 else entry.msgid_plural, text)
                for n, text in sorted(entry.msgstr_plural.items())]
    return [(entry.msgid, entry.msgstr)]


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue() -> Iterator[None]:
    """Compile the .po with the project's own script (as ./run and ./test do) when the .mo is missing or older,
    then make Django drop any catalogue it loaded before (overriding LOCALE_PATHS clears the caches)."""
    runpy.run_path(str(COMPILE_SCRIPT))
    assert MO_PATH.exists() and MO_PATH.stat().st_mtime >= PO_PATH.stat().st_mtime
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        yield


@pytest.fixture(autouse=True)
def _keep_active_language() -> Iterator[None]:
    """LocaleMiddleware activates the request's language for the thread; don't leak English into other tests."""
    previous = translation.get_language()
    yield
    translation.activate(previous)


# --- the catalogue -----------------------------------------------------------------------------------------


def test_catalogue_exists_for_english() -> None:
    po = catalogue()
    assert po.metadata.get("Language") == "en"
    assert "nplurals=2" in po.metadata.get("Plural-Forms", "")
    assert len(po) > 100


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    po = catalogue()
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    empty_plural = [e.msgid for e in po if e.msgid_plural and not all(e.msgstr_plural.values())]
    assert not untranslated, "untranslated entries (see docs/howto/translate.md):\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy entries: check the translation, then delete the '#, fuzzy' line:\n" + "\n".join(fuzzy)
    assert not empty_plural, "plural entries with an empty form:\n" + "\n".join(empty_plural)
    assert not po.metadata_is_fuzzy, "the catalogue header is marked fuzzy"


def extracted_msgids(tmp_path: Path) -> set[str]:
    """The msgids Django's makemessages finds in the code and templates (run on a copy of the package, so
    the catalogue itself is not touched; it needs GNU gettext's xgettext, as docs/howto/translate.md says)."""
    import os
    import shutil

    from django.core.management import call_command

    assert shutil.which("xgettext"), "GNU gettext is needed to extract messages (apt-get install gettext)"
    copy = tmp_path / "phongtrao"
    shutil.copytree(ROOT / "phongtrao", copy, ignore=shutil.ignore_patterns(
        "static", "migrations", "locale", "__pycache__", "*.mo"))
    (copy / "locale").mkdir()
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[str(copy / "locale")]):
            call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    return {e.msgid for e in polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")) if e.msgid}


def test_every_message_of_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    """A gettext call, {% translate %} or choice label whose msgid is not in the .po shows Vietnamese in English."""
    known = {e.msgid for e in catalogue() if not e.obsolete}
    missing = sorted(extracted_msgids(tmp_path) - known)
    assert not missing, "msgids missing from django.po (see docs/howto/translate.md):\n" + "\n".join(missing)


def test_obsolete_entries_are_removed() -> None:
    obsolete = [e.msgid for e in catalogue().obsolete_entries()]
    assert not obsolete, "delete the '#~' entries (strings no longer in the code):\n" + "\n".join(obsolete)


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for entry in catalogue().translated_entries():
        for source, text in forms(entry):
            if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(text)):
                wrong.append(f"{source!r}\n  -> {text!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_translations_keep_the_markup() -> None:
    wrong = []
    for entry in catalogue().translated_entries():
        for source, text in forms(entry):
            if Counter(MARKUP.findall(source)) != Counter(MARKUP.findall(text)):
                wrong.append(f"{source!r}\n  -> {text!r}")
    assert not wrong, "HTML tags or entities differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_python_format_translations_format() -> None:
    """Every python-format translation can be %-formatted with the msgid's own arguments."""
    for entry in catalogue().translated_entries():
        if "python-format" not in entry.flags:
            continue
        names = set(re.findall(r"%\((\w+)\)", entry.msgid))
        args: dict[str, Any] = dict.fromkeys(names, 1)
        for _source, text in forms(entry):
            text % args  # raises on a broken placeholder


def test_compiled_catalogue_translates() -> None:
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Sign in"
        assert translation.ngettext("… và %(counter)s lỗi nữa không hiển thị.",
                                    "… và %(counter)s lỗi nữa không hiển thị.", 1) % {"counter": 1} \
            == "… and 1 more error not shown."
        assert translation.ngettext("… và %(counter)s lỗi nữa không hiển thị.",
                                    "… và %(counter)s lỗi nữa không hiển thị.", 3) % {"counter": 3} \
            == "… and 3 more errors not shown."
    with translation.override("vi"):
        assert translation.gettext("Đăng nhập") == "Đăng nhập"


# --- switching the language ------------------------------------------------------------------------------


def visible_text(page: str) -> str:
    """The page's text without tags, scripts and attribute values (form values, URLs)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def switch_to_english(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_login_page_is_english_after_switching(client: Client) -> None:
    switch_to_english(client)
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in page
    assert "Sign in" in page and "Username" in page and "Password" in page
    assert "Đăng nhập" not in page
    text = visible_text(page)
    assert not VIETNAMESE_LETTERS.search(text), f"Vietnamese left on the English login page: {text!r}"


@pytest.mark.django_db
def test_unit_browser_is_english_after_switching(client: Client, make_user: Any) -> None:
    client.force_login(make_user("quantri", "admin"))
    switch_to_english(client)
    response = client.get(reverse("units:browse"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    for english in ("Unit register", "Advanced search", "Today", "Before the merger", "Sign out", "Audit log",
                    "Import data", "Subordinate units"):
        assert english in page, english
    for vietnamese in ("Danh mục đơn vị", "Tìm kiếm nâng cao", "Đăng xuất", "Nhập dữ liệu"):
        assert vietnamese not in page, vietnamese
    # The switcher shows English as the chosen language.
    assert '<option value="en" selected>' in page


@pytest.mark.django_db
def test_switching_back_to_vietnamese(client: Client) -> None:
    switch_to_english(client)
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="vi">' in page and "Đăng nhập" in page


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HTTP_ACCEPT_LANGUAGE": "vi"}, {"HTTP_ACCEPT_LANGUAGE": "vi-VN,vi;q=0.9"}])
def test_login_page_is_vietnamese_by_default(client: Client, headers: dict[str, str]) -> None:
    page = client.get(reverse("accounts:login"), **headers).content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Tên đăng nhập" in page
    assert "Sign in" not in page


@pytest.mark.django_db
def test_english_browser_gets_english_without_a_cookie(client: Client) -> None:
    """LocaleMiddleware follows Accept-Language when no language was chosen (the login page has no switcher)."""
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in page and "Sign in" in page


def test_action_messages_follow_the_language() -> None:
    """An action's refusal reaches the form in the reader's language, with its values in place."""
    from phongtrao.units.actions import validate_unit
    from phongtrao.units.models import Kind, Unit

    unit = Unit(code="", name="Xã Thử", kind=Kind.COMMUNE)
    with translation.override("en"):
        errors = validate_unit(unit, check_overlap=False)
        assert errors["code"] == ["The code must not be empty."]
        assert not any(VIETNAMESE_LETTERS.search(m) for ms in errors.values() for m in ms), errors
        wrong = validate_unit(Unit(code="X1", name="X", kind="hamlet"), check_overlap=False)
        assert wrong["kind"] == ["“hamlet” is not a valid unit kind."]
    with translation.override("vi"):
        assert validate_unit(unit, check_overlap=False)["code"] == ["Mã không được để trống."]


def test_annual_section_kind_names_match_the_report_and_translate() -> None:
    from phongtrao.recognition.templatetags.recognition_tags import SECTION_LABELS, section_label
    from phongtrao.reports.annual import RECOGNITION_LABELS

    assert set(SECTION_LABELS) == set(RECOGNITION_LABELS)
    for key, label in RECOGNITION_LABELS.items():
        assert SECTION_LABELS[key] == label[:1].upper() + label[1:], key
    with translation.override("en"):
        assert section_label("enterprise") == "Enterprise"
        assert not any(VIETNAMESE_LETTERS.search(section_label(k)) for k in SECTION_LABELS)


@pytest.mark.django_db
def test_import_row_errors_follow_the_language(official_register: None) -> None:
    """An importer's row errors reach the reader in their language, with the cell's value in place."""
    from phongtrao.audit.actions import Actor
    from phongtrao.lib.importing import run_import

    data = "code,name,kind,parent_code,valid_from\nT1,Thôn Thử,hamlet,VN,2024-13-45\n".encode()
    with translation.override("en"):
        result = run_import("units", "u.csv", data, actor=Actor.system(), dry_run=True)
    messages = {e.column: e.message for e in result.errors}
    assert messages["kind"].startswith("unit kind “hamlet” is not valid (accepted: ")
    assert messages["valid_from"] == "invalid date “2024-13-45” (use 15/12/2023 or 2023-12-15)"
    assert not any(VIETNAMESE_LETTERS.search(e.message) for e in result.errors), result.errors
    with translation.override("vi"):
        result = run_import("units", "u.csv", data, actor=Actor.system(), dry_run=True)
    assert {e.column: e.message for e in result.errors}["valid_from"] \
        == "ngày không hợp lệ “2024-13-45” (dùng 15/12/2023 hoặc 2023-12-15)"


def test_the_competent_chairman_reads_in_the_readers_language_but_is_stored_in_vietnamese(db: None) -> None:
    """Pages say "Chairman of ..." in English; the decision's signer title and the history stay Vietnamese."""
    from phongtrao.recognition.authority import Authority
    from phongtrao.units.models import Unit

    unit = Unit(code="T99001", name="Xã Một", kind="commune")
    authority = Authority(level="commune", unit=unit)
    with translation.override("en"):
        assert "Xã Một" in authority.label and not authority.label.startswith("Chủ tịch")
        assert authority.official_label == "Chủ tịch UBND Xã Một"
