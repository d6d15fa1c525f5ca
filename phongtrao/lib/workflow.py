"""What every named action may raise: shared by the apps, so none imports another's actions for it."""

from __future__ import annotations


class ActionError(Exception):
    """A refused write. ``errors`` maps a field name (or "" for the whole object) to Vietnamese messages."""

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"": [errors]}
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


class StaleVersion(ActionError):
    """Someone else saved the object after this form was opened."""
