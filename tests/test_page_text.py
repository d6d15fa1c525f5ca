"""Every page as every persona, in Vietnamese and in English: words, not codes, in the reader's language.

The walk visits every named GET route (the URL walk of ``tests/test_access_routes.py``) with the
arguments it uses, in a world that has data on every page: the personas' world
(``tests/personas.py``), the example province's recognitions, models and awards, an enterprise
with a subtype, scopes and imports in the audit log. Each HTML page's visible text (tags and
scripts stripped; placeholders, titles, aria-labels, option labels and button values kept) must not
show:

- an answer >= 500;
- in English, a Vietnamese msgid of the catalogue (it was not translated); in Vietnamese, an
  English msgstr of the catalogue (English left on a Vietnamese page);
- a raw enum value (``residential_area``, ``cong_ty_co_phan``, ``self_assessed``) as a word;
- an object id as ``#7``;
- a year with a thousands separator (``2.025``, ``2,025``);
- a form the browser would validate itself (``required``, ``min``… without ``novalidate``).

Forms carry ``novalidate`` so that the browser does not bubble its own English "Please fill out
this field" over the Vietnamese page: the server's (translated) messages speak instead.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from phongtrao.accounts.models import User
from phongtrao.units.models import Unit
from tests.personas import Persona, World, build_world, persona_names
from tests.test_access_routes import kwarg_names, walk
from tests.test_i18n import PO_PATH, VIETNAMESE_LETTERS

pytestmark = pytest.mark.django_db

YEAR = 2025
# Routes that answer with a file, JSON or a redirect only: not pages with text to read.
NOT_PAGES = re.compile(r"^(admin:|api-v1:|set_language$|accounts:logout$)|(_export|export|:template|:certificates?"
                       r"|:decision_certificates|:decision_docx|_picker)$|^attachments:(upload|download)$"
                       r"|^reports:annual-download$")
# Routes that need arguments: how to build them for a persona's target (a residential area "X", "Y" or "Z").
UNIT_KWARG = {"units:detail": "pk", "units:edit": "pk", "units:close": "pk", "units:changes": "pk"}
RECOGNITION_ABOUT = {"recognition:unit": "unit", "recognition:commune": "commune", "recognition:bulk": "commune",
                     "recognition:province": "province"}
# Shortest msgid/msgstr compared with the page text: shorter ones ("Có", "Năm", "API") are words of data too.
MIN_CATALOGUE_TEXT = 12
# Attributes that make the browser check a field itself (with messages in the browser's language).
BROWSER_CONSTRAINTS = {"required", "pattern", "min", "max", "minlength", "maxlength", "step"}
# Found by this walk and not fixed yet: each entry is a bug to fix, then delete here.
# - units:edit: the subtype is free text whose help lists code-like values (issue 15 item 4 makes it a
#   choice list per kind, with labels).
KNOWN_GAPS: dict[str, set[str]] = {
    "units:edit": {"raw code 'khu_pho'", "raw code 'dac_khu'"},
}
# Pages that list codes on purpose: the import guide tells which values (codes and their Vietnamese
# labels) a file's cells may hold, whatever the UI language.
SHOWS_CODES = {"imports:upload", "imports:job"}  # the job page shows the same guide


# --- the visible text ----------------------------------------------------------------------------------


class _TextParser(HTMLParser):
    """Text a person sees: character data outside scripts and styles, plus the attributes shown to them."""

    SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.forms: list[dict[str, str | None]] = []  # forms whose fields the browser would validate itself
        self.form: dict[str, str | None] | None = None
        # An element marked lang="vi" (an official Vietnamese document shown on the page, whatever the UI
        # language): where its text starts and ends in ``parts``, kept out of the "untranslated" check.
        self.vietnamese: list[tuple[int, int]] = []
        self.vi_tag, self.vi_depth, self.vi_start = "", 0, 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.vi_depth and tag == self.vi_tag:
            self.vi_depth += 1
        elif not self.vi_depth and (values.get("lang") or "").startswith("vi"):
            self.vi_tag, self.vi_depth, self.vi_start = tag, 1, len(self.parts)
        if tag in ("script", "style", "template"):
            self.skip += 1
            return
        for name in self.SHOWN_ATTRIBUTES:
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
            self.parts.append(str(values["value"]))
        if tag == "form":
            self.form = values
        elif tag in ("input", "select", "textarea") and self.form is not None and self.form not in self.forms \
                and (set(values) & BROWSER_CONSTRAINTS or values.get("type") in ("email", "url", "number")):
            self.forms.append(self.form)
        if tag == "option" and values.get("label"):
            self.parts.append(str(values["label"]))
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.vi_depth and tag == self.vi_tag:
            self.vi_depth -= 1
            if not self.vi_depth:
                self.vietnamese.append((self.vi_start, len(self.parts)))
        if tag == "form":
            self.form = None
        if tag in ("script", "style", "template"):
            self.skip = max(0, self.skip - 1)
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


@dataclass
class Page:
    text: str
    forms: list[dict[str, str | None]] = field(default_factory=list)
    reader_text: str = ""  # the text without the parts marked lang="vi" (the UI's own words)


def read_page(content: str) -> Page:
    parser = _TextParser()
    parser.feed(content)
    parser.close()
    parts = list(parser.parts)
    for start, end in parser.vietnamese:
        parts[start:end] = [" "] * (end - start)

    def clean(pieces: list[str]) -> str:
        return re.sub(r"\s+", " ", html.unescape("".join(pieces)))

    return Page(clean(parser.parts), parser.forms, clean(parts))


# --- what must not be on a page -------------------------------------------------------------------------


def enum_values() -> set[str]:
    """Raw values of every choice field of the project's models, and the stored unit subtypes."""
    values: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("phongtrao."):
            continue
        for f in model._meta.get_fields():
            for value, _label in getattr(f, "flatchoices", None) or ():
                if isinstance(value, str) and value:
                    values.add(value)
    # Stored subtypes that look like codes ("khu_pho"; a bare "xa" or "quan" is also a Vietnamese word).
    values.update(v for v in Unit.objects.filter(subtype__contains="_").values_list("subtype", flat=True).distinct())
    # Words of the labels themselves ("web" in "Giao diện web") are words, not codes.
    label_words = {w.lower() for model in apps.get_models() if model.__module__.startswith("phongtrao.")
                   for f in model._meta.get_fields() for _v, label in (getattr(f, "flatchoices", None) or ())
                   for w in re.findall(r"\w+", str(label))}
    values -= label_words
    # The personas' usernames ("admin", "province", "viewer") are data shown on pages, not codes.
    return values - set(User.objects.values_list("username", flat=True))


def raw_codes(text: str, values: set[str], *, english: bool) -> set[str]:
    """Enum values standing as words in ``text``. In English, single lower-case words ("province",
    "draft") are English words too, so only values with an underscore count there."""
    found = set()
    for value in values:
        if english and "_" not in value:
            continue
        if len(value) < 3 and "_" not in value:
            continue
        if value in text and re.search(rf"(?<![\w./:-]){re.escape(value)}(?![\w/-])", text):
            found.add(value)
    return found


def catalogue_fragments() -> tuple[set[str], set[str]]:
    """(Vietnamese msgid pieces, English msgstr pieces) long enough to be told apart from data; the pieces
    between placeholders, so "Đã lưu %(name)s." is caught as "Đã lưu" … too when long enough."""
    vietnamese: set[str] = set()
    english: set[str] = set()
    for entry in polib.pofile(str(PO_PATH)):
        if entry.obsolete:
            continue
        pairs = [(entry.msgid, entry.msgstr)] if not entry.msgid_plural else [
            (entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
        for source, text in pairs:
            if source == text:
                continue
            for piece in _pieces(source):
                if VIETNAMESE_LETTERS.search(piece):
                    vietnamese.add(piece)
            for piece in _pieces(text):
                if not VIETNAMESE_LETTERS.search(piece) and piece not in _pieces(source):
                    english.add(piece)
    # Import column headings are data: a file's header row holds them, in Vietnamese, whatever the UI language.
    return vietnamese - import_headings(), english


def data_strings() -> set[str]:
    """Every text value stored by the project's models (names, titles, catalogue entries)."""
    found: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("phongtrao."):
            continue
        columns = [f.name for f in model._meta.concrete_fields
                   if isinstance(f, (models.CharField, models.TextField)) and not f.choices]
        if columns:
            for row in model._default_manager.values_list(*columns):
                found.update(v.strip() for v in row if isinstance(v, str) and VIETNAMESE_LETTERS.search(v))
    return found


def import_headings() -> set[str]:
    from phongtrao.lib.importing import IMPORT_KINDS

    return {str(column.label) for spec in IMPORT_KINDS.values() for column in spec.columns}


def _pieces(message: str) -> set[str]:
    plain = re.sub(r"<[^>]+>", " ", message)
    parts = re.split(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{\{[^}]*\}\}|\{[^}]*\}", html.unescape(plain))
    return {p.strip(" .,:;·—–-()“”\"'") for p in parts if len(p.strip(" .,:;·—–-()“”\"'")) >= MIN_CATALOGUE_TEXT}


YEAR_WITH_SEPARATOR = re.compile(r"(?<![\d.,])[12][.,]\d{3}(?![\d.,]\d)")


def year_with_separator(text: str) -> list[str]:
    """"2.025" or "2,025" standing alone: a year formatted as a number (amounts like 2.025.000 don't match)."""
    return [m.group(0) for m in YEAR_WITH_SEPARATOR.finditer(text)
            if int(m.group(0).replace(".", "").replace(",", "")) in range(1990, 2101)]


# --- the world ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def text_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module inside a transaction rolled back at the end (each test's own
    transaction is a savepoint inside it)."""
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), transaction.atomic():
        world = _build()
        vietnamese, english = catalogue_fragments()
        # A msgid (or a piece of one) that is also in a value of the database can't be told from data on a page:
        # leave it out ("Cơ quan, doanh nghiệp, cơ sở giáo dục" is a role's label and the seeded initiator
        # catalogue's name; "đã thanh loại" a piece of a message and of a model's name).
        data = "\n".join(data_strings())
        world.expect = Expectations(enum_values(), {m for m in vietnamese if m not in data},  # type: ignore[attr-defined]
                                    english)
        yield world
        transaction.set_rollback(True)


def _build() -> World:
    from phongtrao.accounts.actions import do_set_scopes
    from phongtrao.accounts.models import ScopeKind
    from phongtrao.audit.actions import Actor
    from phongtrao.lib.importing import run_import
    from phongtrao.recognition.actions import do_register
    from phongtrao.units.actions import do_create_unit
    from phongtrao.units.models import EnterpriseSize, Kind, ManagingLevel
    from tests.conftest import EXAMPLES
    from tests.test_awards_access import award_objects
    from tests.test_models_access import model_targets

    system = Actor.system()
    for kind, name in (("units", "units.csv"), ("recognitions", "recognitions.csv"), ("models", "models.csv"),
                       ("model_sites", "model_sites.csv"), ("awards", "awards.csv")):
        result = run_import(kind, name, (EXAMPLES / name).read_bytes(), actor=system)
        assert result.ok, (kind, [str(e) for e in result.errors][:5])
    world = build_world()
    commune_x = world.targets["X"].parent
    do_create_unit(system, code="DN-TEXT-X", name="Công ty Cổ phần Dấu Vết", kind=Kind.ENTERPRISE,
                   subtype="cong_ty_co_phan", size=EnterpriseSize.MEDIUM, managed_by=ManagingLevel.COMMUNE,
                   parent=commune_x, valid_from=dt.date(2025, 7, 1))
    do_register(system, world.targets["X"], YEAR)
    target = world.target_users["X"]
    do_set_scopes(system, target.pk, [(commune_x, ScopeKind.CAPTURE), (commune_x.parent, ScopeKind.VIEW)])
    model_targets(world)
    award_objects(world)
    from tests.test_datasets_access import entered_for_walk

    entered_for_walk(world)
    from tests.test_forces_access import force_objects

    force_objects(world)
    from tests.test_classification_access import classification_objects

    classification_objects(world)
    from tests.test_budget_access import budget_objects

    budget_objects(world)
    from tests.test_plans_access import plan_objects

    plan_objects(world)
    return world


@dataclass
class Expectations:
    enums: set[str]
    vietnamese: set[str]  # msgid pieces: not on an English page
    english: set[str]  # msgstr pieces: not on a Vietnamese page


def route_urls(world: World, persona: Persona) -> Iterator[tuple[str, str]]:
    """(route name, URL) for every page route, the arguments pointing at data the persona may see."""
    from tests.test_awards_access import award_objects
    from tests.test_models_access import model_targets

    key = min(persona.sees) if persona.sees else "X"
    target = world.targets[key]
    about = {"unit": target, "commune": target.parent, "province": target.parent.parent}
    objects = {"decision": award_objects(world)["decision"][key], "proposal": award_objects(world)["proposal"][key]}
    unclassified = []
    for name, pattern in walk():
        if NOT_PAGES.search(name):
            continue
        kwargs = kwarg_names(pattern)
        if not kwargs:
            yield name, reverse(name)
        elif name in UNIT_KWARG:
            yield name, reverse(name, kwargs={"pk": target.pk})
        elif name in RECOGNITION_ABOUT:
            yield name, reverse(name, args=[about[RECOGNITION_ABOUT[name]].code, YEAR])
        elif name.startswith("models_registry:") and kwargs == ["pk"]:
            yield name, reverse(name, kwargs={"pk": model_targets(world)[key].pk})
        elif name.startswith("awards:proposal_") or name == "awards:decision_detail":
            obj = objects["decision" if name.startswith("awards:decision") else "proposal"]
            yield name, reverse(name, kwargs={"pk": obj.pk})
        elif name == "awards:award_type_edit":
            from phongtrao.awards.models import AwardType

            first = AwardType.objects.order_by("order").values_list("pk", flat=True)[0]
            yield name, reverse(name, kwargs={"pk": first})
        elif name.startswith("users:") and kwargs == ["user_id"]:
            yield name, reverse(name, kwargs={"user_id": world.target_users[key].pk})
        elif kwargs == ["kind"]:
            for kind in ("units", "recognitions", "models", "model_sites", "awards", "data_values", "force_teams",
                         "force_ratings", "classifications", "budget_lines", "spending",
                         "plans", "plan_objectives", "plan_tasks"):
                yield name, reverse(name, kwargs={"kind": kind})
        elif name == "datasets:dataset":
            yield name, reverse(name, args=["xa_nam"])
        elif name == "datasets:unit":
            yield name, reverse(name, args=[target.pk])
        elif name.startswith("datasets:"):  # the entry page (its POST-only actions answer 405 to a GET)
            yield name, reverse(name, args=[target.pk, "kdc_nam", dataset_period()])
        elif name in ("forces:area", "forces:dissolve"):  # dissolve: POST only, 405 to a GET
            yield name, reverse(name, args=[target.pk])
        elif name.startswith("forces:"):  # a commune's ratings (submit and return: POST only)
            yield name, reverse(name, args=[target.parent.pk, YEAR])
        elif name.startswith("classification:"):  # a commune's grid, a unit's scoring page, a province's figures
            from tests.test_classification_access import address

            yield name, address(name, target)
        elif name.startswith("budget:"):  # a commune's year, a province's fund
            from tests.test_budget_access import address as budget_address

            yield name, budget_address(name, target)
        elif name.startswith("plans:"):  # a plan of the target's commune, its forms, a task's history
            from phongtrao.plans.models import Plan
            from tests.test_plans_access import _url

            yield name, _url(name, Plan.objects.get(unit=target.parent, number=f"{key}/KH-UBND"))
        elif name == "dashboard:dossiers":  # the waiting ANTT dossiers of each step
            for step in ("review", "decide"):
                yield name, reverse(name, args=[step])
        elif name == "audit:history":
            yield name, reverse(name, kwargs={"object_type": "units.unit", "object_id": str(target.pk)})
        elif name == "api_tokens:revoke":
            continue  # a POST-only confirmation of the persona's own token
        elif name == "attachments:remove":  # the confirmation page before a dossier file is removed
            from tests.test_attachments import _WALK_STORE, _walk_attachment, storages_in

            with override_settings(STORAGES=storages_in(_WALK_STORE)):
                _, attachment = _walk_attachment(target)
            yield name, reverse(name, args=[attachment.pk])
        elif name.startswith("reports_record:"):  # the report record of the target's commune and province
            if name == "reports_record:page":
                yield name, reverse(name, args=[target.parent.code, YEAR])
                yield name, reverse(name, args=[target.parent.parent.code, YEAR])
            elif name == "reports_record:history":
                yield name, reverse(name, args=[target.parent.code, YEAR, "situation"])
            continue  # save_slot, issue, document: POST only
        elif name == "core:job_download":
            continue  # a file
        elif name == "core:job":  # the progress page of the persona's own background document
            if persona.user is None:
                yield name, reverse(name, kwargs={"job_id": uuid.uuid4()})
                continue
            from phongtrao.core.models import FileJob

            job = FileJob.objects.create(user=persona.user, kind="certificates", unit=target.parent,
                                         title="Giấy công nhận", total=120, done=30, status="running")
            yield name, reverse(name, kwargs={"job_id": job.pk})
        elif name == "imports:job":  # the progress page of the persona's own background import
            if persona.user is None:
                yield name, reverse(name, kwargs={"kind": "units", "job_id": uuid.uuid4()})
                continue
            from phongtrao.imports.models import ImportJob

            job = ImportJob.objects.create(user=persona.user, kind="units", file_name="don-vi.csv", token="walk")
            yield name, reverse(name, kwargs={"kind": "units", "job_id": job.pk})
        else:
            unclassified.append(name)
    assert not unclassified, f"page routes the text walk does not know: {unclassified}; add them in {__file__}"


def dataset_period() -> str:
    from django.utils import timezone

    return str(timezone.localdate().year)


def page_problems(expect: Expectations, name: str, page: Page, language: str) -> list[str]:
    english = language == "en"
    problems = []
    if name not in SHOWS_CODES:
        problems += [f"raw code {value!r}" for value in sorted(raw_codes(page.text, expect.enums, english=english))]
    problems += [f"object id {m!r}" for m in sorted(set(re.findall(r"#\d+\b", page.text)))]
    problems += [f"year with a separator {y!r}" for y in year_with_separator(page.text)]
    if english and name not in SHOWS_CODES:
        problems += [f"untranslated {m!r}" for m in sorted(expect.vietnamese) if m in page.reader_text]
    if not english:
        problems += [f"English left {m!r}" for m in sorted(expect.english)  # substring first: 50x faster
                     if m in page.text and re.search(rf"(?<!\w){re.escape(m)}(?!\w)", page.text)]
    problems += [f"form validated by the browser, not the server (no novalidate; action={f.get('action')!r})"
                 for f in page.forms if "novalidate" not in f]
    return problems


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("persona_name", persona_names())
def test_every_page_speaks_the_language_in_words(text_world: World, persona_name: str, language: str) -> None:
    persona = text_world.personas[persona_name]
    expect: Expectations = text_world.expect  # type: ignore[attr-defined]
    client = persona.client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    found = []
    try:
        for name, url in route_urls(text_world, persona):
            response = client.get(url)
            assert response.status_code < 500, (persona_name, language, name, url, response.status_code)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            page = read_page(response.content.decode())
            found += [f"{name} ({url}): {p}" for p in page_problems(expect, name, page, language)
                      if p not in KNOWN_GAPS.get(name, set())]
    finally:
        translation.activate(settings.LANGUAGE_CODE)
    assert not found, f"{persona_name}, {language}:\n" + "\n".join(found)


# --- the checks themselves -------------------------------------------------------------------------------


def test_visible_text_keeps_what_people_see_and_drops_code() -> None:
    page = read_page('<form method="post"><input name="q" placeholder="Tìm đơn vị" required>'
                     '<select><option value="residential_area">Khu dân cư</option></select>'
                     '<button title="Lưu lại" aria-label="Lưu">OK</button><input type="submit" value="Gửi"></form>'
                     '<script>var kind = "residential_area";</script><a href="/don-vi/7/">Xã &amp; phường</a>')
    for seen in ("Tìm đơn vị", "Khu dân cư", "Lưu lại", "Lưu", "OK", "Gửi", "Xã & phường"):
        assert seen in page.text, seen
    assert "residential_area" not in page.text and "/don-vi/7/" not in page.text
    assert len(page.forms) == 1  # validated by the browser: a required field and no novalidate
    assert read_page('<form novalidate method="post"><input required></form>').forms == [{"novalidate": None,
                                                                                          "method": "post"}]


def test_codes_ids_and_years_as_numbers_are_found() -> None:
    assert raw_codes("Loại: residential_area.", {"residential_area", "draft"}, english=True) == {"residential_area"}
    assert raw_codes("a draft of the plan", {"residential_area", "draft"}, english=True) == set()
    assert raw_codes("Trạng thái: draft", {"draft"}, english=False) == {"draft"}
    assert raw_codes("/mo-hinh/draft/ draft-1", {"draft"}, english=False) == set()
    assert year_with_separator("Năm: 2.026 · 2,025 · 1.234.567 · 2026 · 2.500,5") == ["2.026", "2,025"]
