"""Named actions on attached files: attach (type- and size-checked, hashed, stored) and remove.

Both check the owning record's policy for the acting user (the system may always act), run in one
transaction and append an audit row. Stored bytes are written before the row and removed if the
transaction fails; a removed file's bytes go after the removal commits.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.attachments.files import EXTENSIONS, STORED_EXTENSION, clean_filename, extension, size_text, sniff
from phongtrao.attachments.models import Attachment, AttachmentKind, attachment_storage, max_bytes
from phongtrao.attachments.policy import policy_for
from phongtrao.audit.actions import Actor, record
from phongtrao.lib.workflow import ActionError

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.db.models import Model


def _refuse_unless_allowed(actor: Actor, owner: Model) -> None:
    if actor.user is not None and not policy_for(owner).can_attach(actor.user, owner):
        raise ActionError(gettext("Bạn không có quyền đính kèm hay gỡ tệp của hồ sơ này."))


def check_file(filename: str, data: bytes) -> str:
    """The content type of an upload, or ActionError saying why it is refused (type, name, size)."""
    limit = max_bytes()
    if len(data) > limit:
        raise ActionError({"file": [gettext("Tệp quá lớn (%(size)s); tối đa %(limit)s.")
                                    % {"size": size_text(len(data)), "limit": size_text(limit)}]})
    if not data:
        raise ActionError({"file": [gettext("Tệp rỗng.")]})
    sniffed = sniff(data)
    if sniffed is None:
        raise ActionError({"file": [gettext("Chỉ nhận tệp PDF, ảnh PNG/JPEG hoặc Word .docx.")]})
    named = EXTENSIONS.get(extension(filename))
    if named != sniffed:
        raise ActionError({"file": [gettext("Phần mở rộng của tên tệp không khớp với nội dung tệp "
                                            "(nội dung là %(type)s).") % {"type": STORED_EXTENSION[sniffed]}]})
    return sniffed


def do_attach(actor: Actor, owner: Model, upload: UploadedFile, *, kind: str) -> Attachment:
    """Attach ``upload`` to ``owner`` as a document of ``kind``."""
    _refuse_unless_allowed(actor, owner)
    if kind not in AttachmentKind.values:
        raise ActionError({"kind": [gettext("Chọn loại tài liệu.")]})
    if upload.size is not None and upload.size > max_bytes():
        raise ActionError({"file": [gettext("Tệp quá lớn (%(size)s); tối đa %(limit)s.")
                                    % {"size": size_text(upload.size), "limit": size_text(max_bytes())}]})
    data = b"".join(upload.chunks())
    original = clean_filename(upload.name or "")
    content_type = check_file(original, data)
    policy = policy_for(owner)
    storage = attachment_storage()
    day = timezone.localdate()
    name = f"{policy.key}/{day:%Y/%m}/{uuid.uuid4().hex}{STORED_EXTENSION[content_type]}"
    stored = storage.save(name, ContentFile(data))
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk, unit=policy.unit_of(owner),
                kind=kind, original_name=original, stored_name=stored, content_type=content_type, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=actor.user if actor.user is not None and actor.user.pk else None)
            record(actor, "attachment.attach", attachment, unit=attachment.unit, before=None,
                   after=attachment.snapshot())
    except BaseException:
        storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def do_remove_attachment(actor: Actor, attachment_id: int) -> Attachment:
    """Remove an attached file: the row and (after commit) its bytes; the audit row keeps its name and hash."""
    attachment = Attachment.objects.select_for_update().select_related("owner_type").get(pk=attachment_id)
    owner = owner_of(attachment)
    if owner is not None:
        _refuse_unless_allowed(actor, owner)
    elif actor.user is not None:
        raise ActionError(gettext("Bạn không có quyền đính kèm hay gỡ tệp của hồ sơ này."))
    before = attachment.snapshot()
    stored, pk = attachment.stored_name, attachment.pk
    record(actor, "attachment.remove", attachment, unit=attachment.unit, before=before, after=None)
    attachment.delete()
    attachment.pk = pk
    transaction.on_commit(lambda: attachment_storage().delete(stored))
    return attachment


def owner_of(attachment: Attachment) -> Any:
    """The record the file is attached to (None if its kind of record is no longer registered)."""
    model = attachment.owner_type.model_class()
    if model is None:
        return None
    try:
        policy_for(model)
    except LookupError:
        return None
    return model._default_manager.filter(pk=attachment.owner_id).first()
