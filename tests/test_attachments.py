"""Files attached to a unit's ANTT dossier (phongtrao.attachments): type and size checks from the bytes,
storage under the attachments storage, access by the owning record's rules (404 out of view scope,
403 when visible but not changeable), the audit rows, download headers and removal with confirmation.
Personas: a commune officer, an officer of another commune, a province viewer, anonymous."""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from phongtrao.accounts.models import Role
from phongtrao.attachments.actions import check_file, do_attach, do_remove_attachment
from phongtrao.attachments.models import Attachment, AttachmentKind, attachment_storage
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError
from phongtrao.recognition.actions import do_register
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.recognition.models import Recognition
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
Y = 2025
SYSTEM = Actor.system()
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Bảng tự chấm điểm")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def storages_in(folder: str) -> dict[str, Any]:
    return {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                            "OPTIONS": {"location": folder}}}


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = storages_in(str(tmp_path))
    return tmp_path


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, f"{Y}-12-31").get()


@pytest.fixture
def people(example_units: None, make_user: Any) -> dict[str, Any]:
    seed_criteria_sets()
    return {
        "commune": make_user("xa", Role.COMMUNE_OFFICER, unit("T99000"), first_name="Cán bộ xã An Bình"),
        "other_commune": make_user("xa_khac", Role.COMMUNE_OFFICER, unit("T99001")),
        "viewer": make_user("xem", Role.VIEWER, unit("T99")),
    }


@pytest.fixture
def rec(people: dict[str, Any]) -> Recognition:
    return do_register(SYSTEM, unit("KDC-T99000-01"), Y, households_committed=234)


def client(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def upload_url(rec: Recognition) -> str:
    return reverse("attachments:upload", args=["antt", rec.pk])


def post_file(user: Any, rec: Recognition, name: str, data: bytes, kind: str = "minutes") -> Any:
    return client(user).post(upload_url(rec), {"kind": kind, "file": SimpleUploadedFile(name, data)})


def test_commune_officer_attaches_the_minutes_and_it_is_stored_hashed_and_audited(
        store: Path, people: dict[str, Any], rec: Recognition) -> None:
    page = reverse("recognition:unit", args=["KDC-T99000-01", Y])
    response = post_file(people["commune"], rec, "Biên bản họp bình xét.pdf", PDF)
    assert response.status_code == 302 and response["Location"] == f"{page}#attachments"
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.original_name, attachment.content_type, attachment.size) == (
        AttachmentKind.MINUTES, "Biên bản họp bình xét.pdf", "application/pdf", len(PDF))
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.uploaded_by == people["commune"] and attachment.unit == unit("KDC-T99000-01")
    # Stored under a random name in the attachments storage, never under the uploaded name.
    stored = store / attachment.stored_name
    assert stored.read_bytes() == PDF and attachment.stored_name.startswith("antt/")
    assert "Bi" not in attachment.stored_name
    entry = AuditEntry.objects.get(action="attachment.attach")
    assert entry.user == people["commune"] and entry.unit == unit("KDC-T99000-01")
    assert entry.after["sha256"] == attachment.sha256 and entry.after["original_name"] == attachment.original_name
    # The unit's page lists it with a download link and the upload form.
    body = client(people["commune"]).get(page).content.decode()
    assert "Biên bản họp bình xét.pdf" in body and reverse("attachments:download", args=[attachment.pk]) in body
    assert 'id="attach-form"' in body


def test_download_is_an_attachment_with_nosniff_under_the_original_name(
        store: Path, people: dict[str, Any], rec: Recognition) -> None:
    attachment = do_attach(Actor(user=people["commune"]), rec, SimpleUploadedFile("Tờ trình.pdf", PDF),
                           kind=AttachmentKind.SUBMISSION)
    response = client(people["viewer"]).get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''T%E1%BB%9D%20tr%C3%ACnh.pdf" in response["Content-Disposition"]


def test_an_officer_of_another_commune_gets_404_for_every_attachment_route(
        store: Path, people: dict[str, Any], rec: Recognition) -> None:
    attachment = do_attach(SYSTEM, rec, SimpleUploadedFile("bb.pdf", PDF), kind=AttachmentKind.MINUTES)
    other = client(people["other_commune"])
    before = AuditEntry.objects.count()
    assert other.get(reverse("attachments:download", args=[attachment.pk])).status_code == 404
    assert other.get(reverse("attachments:remove", args=[attachment.pk])).status_code == 404
    assert other.post(reverse("attachments:remove", args=[attachment.pk]), {"confirm": "1"}).status_code == 404
    assert other.post(upload_url(rec), {"kind": "minutes",
                                        "file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
    assert AuditEntry.objects.count() == before and Attachment.objects.count() == 1
    # Unknown kinds of record and ids are 404 too, never 500.
    assert other.post(reverse("attachments:upload", args=["khong_co", 1])).status_code == 404
    assert other.get("/dinh-kem/99999999999999999999/tai-ve/").status_code == 404


def test_a_viewer_may_download_but_not_attach_or_remove(
        store: Path, people: dict[str, Any], rec: Recognition) -> None:
    attachment = do_attach(SYSTEM, rec, SimpleUploadedFile("bb.pdf", PDF), kind=AttachmentKind.MINUTES)
    viewer = client(people["viewer"])
    assert post_file(people["viewer"], rec, "x.pdf", PDF).status_code == 403
    assert viewer.post(reverse("attachments:remove", args=[attachment.pk]), {"confirm": "1"}).status_code == 403
    body = viewer.get(reverse("recognition:unit", args=["KDC-T99000-01", Y])).content.decode()
    assert "bb.pdf" in body and 'id="attach-form"' not in body
    with pytest.raises(ActionError):
        do_attach(Actor(user=people["viewer"]), rec, SimpleUploadedFile("x.pdf", PDF), kind="minutes")
    assert Attachment.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(store: Path, rec: Recognition) -> None:
    attachment = do_attach(SYSTEM, rec, SimpleUploadedFile("bb.pdf", PDF), kind=AttachmentKind.MINUTES)
    response = Client().get(reverse("attachments:download", args=[attachment.pk]))
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("a.pdf", PDF, "application/pdf"), ("anh.PNG", PNG, "image/png"), ("anh.jpg", JPEG, "image/jpeg"),
    ("anh.jpeg", JPEG, "image/jpeg"),
    ("bang.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_accepted_types_are_read_from_the_bytes(name: str, data: bytes | None, content_type: str) -> None:
    assert check_file(name, data if data is not None else docx_bytes()) == content_type


@pytest.mark.parametrize(("name", "data", "says"), [
    ("a.exe", b"MZ\x90\x00", "Chỉ nhận tệp PDF"),
    ("a.pdf", b"<html><script>alert(1)</script>", "Chỉ nhận tệp PDF"),
    ("a.docx", PDF, "không khớp"),  # a PDF called .docx
    ("a.pdf", PNG, "không khớp"),
    ("a", PDF, "không khớp"),
    ("a.zip", b"PK\x03\x04 not really a zip", "Chỉ nhận tệp PDF"),
    ("a.pdf", b"", "Tệp rỗng"),
])
def test_other_types_and_mismatched_names_are_refused(name: str, data: bytes, says: str) -> None:
    with pytest.raises(ActionError) as refused:
        check_file(name, data)
    assert says in str(refused.value)


def test_a_plain_zip_is_not_a_docx() -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(ActionError):
        check_file("a.docx", out.getvalue())


def test_a_refused_upload_stores_nothing_and_says_why_on_the_page(
        store: Path, people: dict[str, Any], rec: Recognition, settings: Any) -> None:
    settings.PHONGTRAO = {**settings.PHONGTRAO, "ATTACHMENT_MAX_BYTES": 1024}
    officer = client(people["commune"])
    response = officer.post(upload_url(rec), {"kind": "minutes",
                                              "file": SimpleUploadedFile("lon.pdf", PDF + b"0" * 2048)})
    assert response.status_code == 302
    page = officer.get(response["Location"].split("#")[0]).content.decode()
    assert "Chưa đính kèm được tệp: Tệp quá lớn (2 KB); tối đa 1 KB." in page
    post_file(people["commune"], rec, "gia.pdf", b"GIF89a....")
    assert Attachment.objects.count() == 0 and not any(store.rglob("*.*"))
    assert not AuditEntry.objects.filter(action="attachment.attach").exists()
    # No kind chosen, no file: refused by the form in Vietnamese (the browser does not check), nothing written.
    assert post_file(people["commune"], rec, "a.pdf", PDF, kind="").status_code == 302
    officer.post(upload_url(rec), {"kind": "minutes"})
    page = officer.get(reverse("recognition:unit", args=["KDC-T99000-01", Y])).content.decode()
    assert "Chưa đính kèm được tệp: Chọn tệp cần đính kèm." in page and 'id="attach-form" novalidate' in page
    assert Attachment.objects.count() == 0


def test_a_failed_write_removes_the_stored_bytes(store: Path, rec: Recognition, monkeypatch: Any) -> None:
    import phongtrao.attachments.actions as actions

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit failed")

    monkeypatch.setattr(actions, "record", boom)
    with pytest.raises(RuntimeError):
        do_attach(SYSTEM, rec, SimpleUploadedFile("a.pdf", PDF), kind="minutes")
    assert not any(p.is_file() for p in store.rglob("*")) and Attachment.objects.count() == 0


def test_removal_asks_first_then_removes_the_row_and_the_bytes(
        store: Path, people: dict[str, Any], rec: Recognition, django_capture_on_commit_callbacks: Any) -> None:
    attachment = do_attach(SYSTEM, rec, SimpleUploadedFile("bb.pdf", PDF), kind=AttachmentKind.MINUTES)
    officer = client(people["commune"])
    url = reverse("attachments:remove", args=[attachment.pk])
    confirm = officer.get(url)
    assert confirm.status_code == 200 and "Xác nhận gỡ tệp" in confirm.content.decode()
    officer.post(url, {})  # without the confirmation: nothing happens
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(url, {"confirm": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    assert not Attachment.objects.exists() and not (store / attachment.stored_name).exists()
    entry = AuditEntry.objects.get(action="attachment.remove")
    assert entry.before["sha256"] == attachment.sha256 and entry.after is None and entry.user == people["commune"]


def test_the_dossier_asks_for_registration_first(store: Path, people: dict[str, Any]) -> None:
    body = client(people["commune"]).get(reverse("recognition:unit", args=["KDC-T99000-01", Y])).content.decode()
    assert "Đăng ký trước khi đính kèm hồ sơ." in body and 'id="attach-form"' not in body


def test_visible_to_follows_the_owner_policy(store: Path, people: dict[str, Any], rec: Recognition) -> None:
    mine = do_attach(SYSTEM, rec, SimpleUploadedFile("a.pdf", PDF), kind="minutes")
    other_rec = do_register(SYSTEM, unit("KDC-T99001-03"), Y, households_committed=509)
    theirs = do_attach(SYSTEM, other_rec, SimpleUploadedFile("b.pdf", PDF), kind="minutes")
    assert set(Attachment.objects.visible_to(people["commune"])) == {mine}
    assert set(Attachment.objects.visible_to(people["other_commune"])) == {theirs}
    assert set(Attachment.objects.visible_to(people["viewer"])) == {mine, theirs}
    with pytest.raises(ActionError):
        do_remove_attachment(Actor(user=people["other_commune"]), mine.pk)


# --- the route walk (tests/test_access_routes.py) ---------------------------------------------------

ATTACHMENT_ROUTES = {"attachments:upload", "attachments:download", "attachments:remove"}
_WALK_STORE = tempfile.mkdtemp(prefix="phongtrao-walk-attachments-")


def _walk_attachment(target: Unit) -> tuple[Recognition, Attachment]:
    """Each target's dossier of the year with one file (made once, through the real actions)."""
    rec = Recognition.objects.filter(unit=target, year=Y).first() or do_register(SYSTEM, target, Y)
    found = Attachment.objects.of(rec).first()
    return rec, found or do_attach(SYSTEM, rec, SimpleUploadedFile("walk.pdf", PDF), kind="minutes")


def check_attachment_route(world: Any, persona: Any, name: str) -> None:
    """For each target's dossier file: anonymous visitors are sent to sign in; a persona that cannot see
    the target gets 404 (405 for a wrong method); one that sees it but may not capture its data gets 403
    on the writes; a refused request writes nothing; no answer shows a marker it may not see; no 500."""
    from tests.personas import leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, body_text, snapshot

    with override_settings(STORAGES=storages_in(_WALK_STORE)):
        assert attachment_storage().location == _WALK_STORE  # type: ignore[attr-defined]
        for key, target in world.targets.items():
            rec, attachment = _walk_attachment(target)
            url = (reverse(name, args=["antt", rec.pk]) if name == "attachments:upload"
                   else reverse(name, args=[attachment.pk]))
            for method in ("get", "post"):
                before = snapshot()
                c = persona.client()
                data = {"kind": "minutes", "file": SimpleUploadedFile("w.pdf", PDF)} if name.endswith("upload") else {}
                response = c.get(url) if method == "get" else c.post(url, data)
                code = response.status_code
                where = (persona.name, name, key, method, code)
                assert code < 500, where
                if persona.user is None:
                    assert_anonymous_refused(name, response)
                elif key not in persona.sees:
                    assert code in (404, 405), where
                elif key not in persona.changes and method == "post":
                    assert code in (403, 405), where
                if code == 200 and not name.endswith("download"):
                    body = body_text(response)
                    assert not leaked_markers(persona, body), (*where, leaked_markers(persona, body))
                if persona.user is None or key not in persona.sees or key not in persona.changes:
                    assert snapshot() == before, (*where, "a refused request wrote something")
                elif method == "post" and code == 302:  # an allowed upload or (unconfirmed) removal: undo
                    Attachment.objects.of(rec).exclude(pk=attachment.pk).delete()
