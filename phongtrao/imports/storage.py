"""Uploaded files kept on the server between the preview and the confirmation.

The file lives under ``DATA_DIR/uploads`` named by a random token; the token, the import kind and the
original file name are kept in the user's session. The browser only ever sends the token back, and a
token counts only if it is in that user's session: no path or file name from the client is trusted.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.files.uploadedfile import UploadedFile

SESSION_KEY = "imports_pending"
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")
MAX_AGE_SECONDS = 24 * 3600  # files left behind (an abandoned preview) are removed after a day
SUFFIX = ".upload"
CLAIMED = ".claimed"


@dataclass(frozen=True)
class PendingUpload:
    token: str
    kind: str
    name: str
    size: int


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def _path(token: str) -> Path:
    assert TOKEN_RE.fullmatch(token)
    return upload_dir() / f"{token}{SUFFIX}"


def _entries(session: SessionBase) -> dict[str, dict[str, object]]:
    entries = session.get(SESSION_KEY)
    return entries if isinstance(entries, dict) else {}


def _size(entry: dict[str, object]) -> int:
    """The stored size of an upload (``save`` writes an int; anything else reads as 0)."""
    size = entry.get("size", 0)
    return int(size) if isinstance(size, int | float | str) else 0


def save(session: SessionBase, kind: str, name: str, data: bytes | UploadedFile) -> PendingUpload:
    """Keep the file for a later confirmation (or a background check); a newer upload of the same kind
    replaces an older one. An uploaded file is copied chunk by chunk, never read whole."""
    sweep()
    for token, entry in list(_entries(session).items()):
        if entry.get("kind") == kind:
            discard(session, token)
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(24)  # 32 characters
    fd = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    size = 0
    with os.fdopen(fd, "wb") as out:
        for chunk in ([data] if isinstance(data, bytes) else data.chunks()):
            out.write(chunk)
            size += len(chunk)
    pending = PendingUpload(token=token, kind=kind, name=Path(name).name[-200:], size=size)
    entries = _entries(session)
    entries[token] = {"kind": kind, "name": pending.name, "size": pending.size}
    session[SESSION_KEY] = entries
    return pending


def _take(session: SessionBase, kind: str, token: str) -> tuple[dict[str, Any], Path] | None:
    """Take this session's upload of ``kind`` under ``token`` out of the session and rename its file aside
    (atomic: of two concurrent confirmations only one gets the file). None if it is not there."""
    if not isinstance(token, str) or not TOKEN_RE.fullmatch(token):
        return None
    entry = _entries(session).get(token)
    if not isinstance(entry, dict) or entry.get("kind") != kind:
        return None
    discard_entry(session, token)
    claimed = _path(token).with_suffix(CLAIMED)
    try:
        _path(token).rename(claimed)
    except OSError:
        return None
    return entry, claimed


def claim(session: SessionBase, kind: str, token: str) -> tuple[PendingUpload, bytes] | None:
    """Take the pending upload out of storage for the real import, or None if the token is not this
    session's upload of this kind (or was claimed already: a double click imports once)."""
    taken = _take(session, kind, token)
    if taken is None:
        return None
    entry, claimed = taken
    try:
        data = claimed.read_bytes()
    except OSError:
        return None
    finally:
        claimed.unlink(missing_ok=True)
    return PendingUpload(token=token, kind=kind, name=str(entry.get("name", "")), size=len(data)), data


def claim_file(session: SessionBase, kind: str, token: str) -> PendingUpload | None:
    """Like ``claim``, but the file stays on disk (renamed, so no second confirmation finds it) for a background
    import to read and delete; see ``stored_path(token, claimed=True)``."""
    taken = _take(session, kind, token)
    if taken is None:
        return None
    entry, _claimed = taken
    return PendingUpload(token=token, kind=kind, name=str(entry.get("name", "")), size=_size(entry))


def pending_upload(session: SessionBase, kind: str, token: str) -> PendingUpload | None:
    """This session's stored upload of ``kind`` under ``token``, if it is still there."""
    entry = _entries(session).get(token)
    if not isinstance(entry, dict) or entry.get("kind") != kind or not _path(token).is_file():
        return None
    return PendingUpload(token=token, kind=kind, name=str(entry.get("name", "")), size=_size(entry))


def stored_path(token: str, *, claimed: bool = False) -> Path:
    return _path(token).with_suffix(CLAIMED) if claimed else _path(token)


def discard_entry(session: SessionBase, token: str) -> None:
    entries = _entries(session)
    if token in entries:
        del entries[token]
        session[SESSION_KEY] = entries


def discard(session: SessionBase, token: str) -> None:
    discard_entry(session, token)
    if TOKEN_RE.fullmatch(token):
        _path(token).unlink(missing_ok=True)


def sweep(max_age: float = MAX_AGE_SECONDS) -> None:
    """Remove stored uploads older than ``max_age`` seconds (previews that were never confirmed)."""
    directory = upload_dir()
    if not directory.is_dir():
        return
    limit = time.time() - max_age
    for path in directory.iterdir():
        try:
            if path.suffix in (SUFFIX, CLAIMED) and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
