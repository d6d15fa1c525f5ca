"""Reads behind the attachment pages: the record a URL names and the file list of one record.

Records and files come only through the owner's policy (``visible``): out of view scope is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404

from phongtrao.attachments.files import ACCEPT, size_text
from phongtrao.attachments.forms import AttachForm
from phongtrao.attachments.models import Attachment, max_bytes
from phongtrao.attachments.policy import OwnerPolicy, policy_for, policy_for_key

if TYPE_CHECKING:
    from django.db.models import Model

    from phongtrao.accounts.access import AnyUser

MAX_ID = 9_223_372_036_854_775_807


def owner_for_user(user: AnyUser, key: str, object_id: int) -> tuple[OwnerPolicy, Any]:
    """The record of kind ``key`` the user may see, else 404."""
    policy = policy_for_key(key)
    if policy is None or not 0 < object_id <= MAX_ID:
        raise Http404("Không tìm thấy hồ sơ.")
    owner = policy.visible(user).filter(pk=object_id).first()
    if owner is None:
        raise Http404("Không tìm thấy hồ sơ.")
    return policy, owner


def attachment_for_user(user: AnyUser, pk: int) -> Attachment:
    """A file on a record the user may see, else 404 (existence must not leak)."""
    if not 0 < pk <= MAX_ID:
        raise Http404("Không tìm thấy tệp.")
    found = Attachment.objects.visible_to(user).select_related("owner_type", "uploaded_by").filter(pk=pk).first()
    if found is None:
        raise Http404("Không tìm thấy tệp.")
    return found


def section(user: AnyUser, owner: Model, form: AttachForm | None = None) -> dict[str, Any]:
    """What ``attachments/_section.html`` shows for one record: its files and, if allowed, the upload form."""
    policy = policy_for(owner)
    return {
        "key": policy.key, "owner_id": owner.pk,
        "items": list(Attachment.objects.of(owner).select_related("uploaded_by")),
        "can_attach": policy.can_attach(user, owner), "form": form or AttachForm(),
        "accept": ACCEPT, "max_size": size_text(max_bytes()),
    }
