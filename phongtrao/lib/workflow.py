"""Records whose status moves through allowed transitions, and what every named action may raise.

One machinery for every workflow of the apps (the ANTT cycle, a model's life cycle, award
proposals, ...). An app declares its table as data, next to its statuses::

    PROPOSALS = Workflow(
        "award_proposal", AwardProposal, ProposalStatus, ProposalEvent, event_parent="proposal",
        transitions=[
            Transition("submit", (ProposalStatus.DRAFT,), ProposalStatus.SUBMITTED, gettext_noop("gửi đề nghị")),
            Transition("return", (ProposalStatus.SUBMITTED,), ProposalStatus.RETURNED,
                       gettext_noop("trả lại đề nghị"), requires_reason=True),
        ],
        describe=lambda proposal: gettext("đề nghị"), missing=gettext_noop("Không tìm thấy đề nghị khen thưởng."),
        unit_of=lambda proposal: proposal.proposing_unit)

and a named action moves a record with one call::

    proposal = PROPOSALS.lock(pk)        # select_for_update, or "not found"
    ...                                   # the app's own role checks and validation
    PROPOSALS.move(proposal, "submit", actor=actor, expected_version=version, changes={"submitted_at": now})

``move`` runs in one ``atomic()``: it locks the row, refuses a stale version (``StaleVersion``) and a
move the table does not allow from the current status (``ActionError`` naming the status and the
move), applies the changes, bumps the version, appends the event row and records the audit row.
Importers use ``move_many`` / ``created_many``, the same checks and rows in a few statements.

``lib`` imports nothing from the apps: the audit recorder is given by the audit app at ``ready()``
(``set_audit``); until then every move is refused (fail closed: no write without its audit row).
On PostgreSQL the lock is ``SELECT ... FOR UPDATE``; on SQLite every write transaction is
``BEGIN IMMEDIATE`` (settings: ``transaction_mode``), so writers already queue one at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.lib.bulk import insert_objects, update_rows

if TYPE_CHECKING:
    from django.db.models import QuerySet


class ActionError(Exception):
    """A refused write. ``errors`` maps a field name (or "" for the whole object) to Vietnamese messages."""

    def __init__(self, errors: dict[str, list[str]] | str) -> None:
        if isinstance(errors, str):
            errors = {"": [errors]}
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


class StaleVersion(ActionError):
    """Someone else saved the object after this form was opened."""


class Actor(Protocol):
    """Who acts (``phongtrao.audit.actions.Actor`` is one): ``lib`` imports nothing from the apps."""

    @property
    def user(self) -> Any: ...  # an account, or None for the system itself

    @property
    def channel(self) -> str: ...


def acting_user(actor: Actor) -> Any:
    """The account behind ``actor``, or None for the system (and for an unsaved user)."""
    return actor.user if actor.user is not None and actor.user.pk else None


# --- the audit call, given by the audit app at ready() -------------------------------------------

AuditRow = tuple[Any, Any, dict[str, Any] | None, dict[str, Any] | None]  # (object, unit, before, after)


class AuditRecorder(Protocol):
    def __call__(self, actor: Any, action: str, obj: Any, *, unit: Any, before: dict[str, Any] | None,
                 after: dict[str, Any] | None) -> Any: ...


class AuditManyRecorder(Protocol):
    def __call__(self, actor: Any, action: str, rows: list[AuditRow]) -> None: ...


_record: AuditRecorder | None = None
_record_many: AuditManyRecorder | None = None


def set_audit(record: AuditRecorder, record_many: AuditManyRecorder) -> None:
    """Registered by the audit app at start-up (``phongtrao.audit.apps``)."""
    global _record, _record_many
    _record, _record_many = record, record_many


def _recorders() -> tuple[AuditRecorder, AuditManyRecorder]:
    if _record is None or _record_many is None:
        raise RuntimeError("no audit recorder registered (the audit app registers it at ready())")
    return _record, _record_many


# --- history rows ----------------------------------------------------------------------------------


class AppendOnlyError(Exception):
    """A history row was about to be changed or deleted."""


class AppendOnly:
    """Saved once, never changed or deleted through the ORM (PostgreSQL's trigger guards raw SQL too:
    ``phongtrao.audit.history.append_only_trigger``)."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:  # type: ignore[attr-defined]
            raise AppendOnlyError("Lịch sử chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Lịch sử chỉ được ghi thêm, không được xóa.")


class WorkflowEvent(AppendOnly, models.Model):
    """The base of a workflow's event rows (one per move, append-only). A subclass adds the foreign key to
    its record (``Workflow(event_parent=...)``) and usually redeclares ``from_status`` / ``to_status`` with
    the record's choices and ``source`` with the audit trail's channels; a field it does not keep it sets
    to ``None``. The trigger of its table is installed by the app's migration (``append_only_trigger``)."""

    at = models.DateTimeField("Thời điểm", auto_now_add=True)
    action = models.CharField("Thao tác", max_length=30)
    from_status = models.CharField("Từ trạng thái", max_length=20, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=20)
    source = models.CharField("Nguồn", max_length=10)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="Người thực hiện")
    details = models.JSONField("Chi tiết", default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


# --- the table ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One move: its name, the statuses it may start from, where it leads, and what it is called.

    ``label`` is a Vietnamese verb phrase marked with ``gettext_noop`` ("gửi đề nghị"), translated when
    shown: in a refusal ("Không thể gửi đề nghị: ...") and, capitalised, on a button (``button``).
    ``target`` is the status after the move; a tuple: one of these, given in the move's ``changes`` (a
    decision: recognised or not); None: the status stays (an edit), or is the one ``changes`` give (an
    import sets the status its file holds). ``requires_reason``: refused without a reason (a return).
    """

    action: str
    sources: tuple[str, ...]
    target: str | tuple[str, ...] | None
    label: str
    requires_reason: bool = False

    @property
    def verb(self) -> str:
        """The label in the reader's language ("gửi đề nghị", "submit the proposal")."""
        return gettext(self.label)

    @property
    def button(self) -> str:
        text = gettext(self.label)
        return text[:1].upper() + text[1:]


@dataclass
class Move:
    """One record's move in ``Workflow.move_many`` (``move``'s arguments, per record)."""

    obj: Any
    action: str
    expected_version: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    event_fields: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    before: dict[str, Any] | None = None


def _snapshot(obj: Any) -> dict[str, Any]:
    snapshot: dict[str, Any] = obj.snapshot()
    return snapshot


def _unit(obj: Any) -> Any:
    return obj.unit


class Workflow[M: models.Model]:
    """A record type whose status moves through ``transitions``.

    - ``name``: the audit actions' prefix (``"award_proposal"`` -> ``award_proposal.submit``);
    - ``statuses``: the ``TextChoices`` of the status field (their labels name the statuses in messages);
    - ``event_model``, ``event_parent``: the append-only event rows and their foreign key to the record;
    - ``describe(obj)``: the record in a sentence ("hồ sơ năm 2025 của Khu phố 1", "mô hình T1");
    - ``stale(obj)``: the message of ``StaleVersion`` (default: one built from ``describe``);
    - ``missing``: the ``gettext_noop`` message when the record is gone;
    - ``unit_of(obj)``: the unit of the audit row (default ``obj.unit``); ``snapshot(obj)``: the audit's
      before/after (default ``obj.snapshot()``);
    - ``locking()``: the QuerySet that locks a record (default ``select_for_update()``; add the
      ``select_related`` the actions read);
    - ``prepare(obj)``: called before every save (derived columns); ``derived``: the fields it writes, for
      the bulk updates of ``move_many``.
    """

    def __init__(
        self,
        name: str,
        model: type[M],
        statuses: type[models.TextChoices],
        event_model: type[models.Model],
        *,
        event_parent: str,
        transitions: Iterable[Transition],
        describe: Callable[[M], str],
        missing: str,
        stale: Callable[[M], str] | None = None,
        unit_of: Callable[[M], Any] = _unit,
        snapshot: Callable[[M], dict[str, Any]] = _snapshot,
        locking: Callable[[], QuerySet[M]] | None = None,
        prepare: Callable[[M], None] | None = None,
        derived: tuple[str, ...] = (),
        status_field: str = "status",
        version_field: str = "version",
    ) -> None:
        self.name, self.model, self.statuses = name, model, statuses
        self.event_model, self.event_parent = event_model, event_parent
        self.transitions: dict[str, Transition] = {}
        for transition in transitions:
            if transition.action in self.transitions:
                raise ValueError(f"{name}: transition {transition.action!r} declared twice")
            targets = (transition.target,) if isinstance(transition.target, str) else transition.target or ()
            named = {*transition.sources, *targets}
            unknown = named - set(statuses.values)
            if unknown:
                raise ValueError(f"{name}: {transition.action!r} names unknown statuses {sorted(unknown)}")
            self.transitions[transition.action] = transition
        self.describe, self.missing, self._stale = describe, missing, stale
        self.unit_of, self.snapshot, self._locking, self.prepare = unit_of, snapshot, locking, prepare
        self.derived, self.status_field, self.version_field = derived, status_field, version_field
        self._event_fields: frozenset[str] | None = None

    def _event_has(self, name: str) -> bool:
        """Whether the event rows keep ``name`` (``source``, ``details``, ``reason``); read at the first
        event, since a workflow is declared while the models are still loading."""
        if self._event_fields is None:
            self._event_fields = frozenset(f.name for f in self.event_model._meta.concrete_fields)
        return name in self._event_fields

    def _auto_now(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False))

    # --- reading the table ------------------------------------------------------------------------

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise ValueError(f"{self.name}: no transition {action!r}") from None

    def allows(self, obj_or_status: M | str, action: str) -> bool:
        """Whether the table allows ``action`` from the record's (or this) status."""
        status = obj_or_status if isinstance(obj_or_status, str) else getattr(obj_or_status, self.status_field)
        return status in self.transition(action).sources

    def moves_from(self, obj_or_status: M | str) -> list[Transition]:
        """The moves the table allows from the record's (or this) status, in the table's order."""
        status = obj_or_status if isinstance(obj_or_status, str) else getattr(obj_or_status, self.status_field)
        return [t for t in self.transitions.values() if status in t.sources]

    def refusal(self, obj: M, action: str, status: str | None = None) -> str | None:
        """Why the table refuses ``action`` from the record's status (or ``status``), or None."""
        transition = self.transition(action)
        current = getattr(obj, self.status_field) if status is None else status
        if current in transition.sources:
            return None
        need = ", ".join(f"“{self.statuses(s).label}”" for s in transition.sources)
        return gettext("Không thể %(action)s: %(record)s đang ở trạng thái “%(status)s” (cần %(need)s).") % {
            "action": transition.verb, "record": self.describe(obj), "status": self.statuses(current).label,
            "need": need}

    def stale_message(self, obj: M) -> str:
        if self._stale is not None:
            return self._stale(obj)
        record = self.describe(obj)
        return gettext("%(record)s vừa được người khác cập nhật sau khi bạn mở trang; thay đổi của bạn chưa được "
                       "lưu. Hãy tải lại trang rồi làm lại.") % {"record": record[:1].upper() + record[1:]}

    def refuse(self, obj: M, action: str, expected_version: int | None = None) -> None:
        """Refuse early (before the action's own validation, so its messages come in this order): a stale
        version, then a move the table does not allow. ``move`` checks both again under its lock."""
        if expected_version is not None and getattr(obj, self.version_field) != expected_version:
            raise StaleVersion(self.stale_message(obj))
        if (message := self.refusal(obj, action)) is not None:
            raise ActionError({"status": [message]})

    # --- writing ----------------------------------------------------------------------------------

    def locking(self) -> QuerySet[M]:
        if self._locking is not None:
            return self._locking()
        return self.model._default_manager.select_for_update()

    def lock(self, obj_or_pk: M | int) -> M:
        """The record, read again and locked until the transaction ends (call inside ``atomic``)."""
        pk = obj_or_pk if isinstance(obj_or_pk, int) else obj_or_pk.pk
        found = self.locking().filter(pk=pk).first()
        if found is None:
            raise ActionError(gettext(self.missing))
        return found

    def _current(self, pks: Sequence[int]) -> dict[int, tuple[int, str]]:
        """(version, status) of each record as stored, locked (one query per 900 records)."""
        current: dict[int, tuple[int, str]] = {}
        manager = self.model._default_manager
        for start in range(0, len(pks), 900):
            rows = (manager.select_for_update().filter(pk__in=pks[start:start + 900])
                    .values_list("pk", self.version_field, self.status_field))
            current.update({pk: (version, status) for pk, version, status in rows})
        return current

    def _check(self, move: Move, stored: tuple[int, str] | None) -> tuple[type[ActionError], str, str] | None:
        """(error class, field, message) refusing ``move`` against the stored row, or None."""
        obj = move.obj
        if stored is None:
            return ActionError, "", gettext(self.missing)
        version, status = stored
        # An object read before someone else saved is stale even without a form's version.
        expected = move.expected_version if move.expected_version is not None else getattr(obj, self.version_field)
        if version != expected or getattr(obj, self.version_field) != version:
            return StaleVersion, "", self.stale_message(obj)
        if (message := self.refusal(obj, move.action, status)) is not None:
            return ActionError, "status", message
        transition = self.transitions[move.action]
        if transition.requires_reason and not move.reason.strip():
            return ActionError, "reason", gettext("Phải nêu lý do %(action)s.") % {"action": transition.verb}
        return None

    def _apply(self, move: Move) -> dict[str, Any]:
        """Set the changes, the status and the next version on the object; return the audit's "before"."""
        obj, transition = move.obj, self.transitions[move.action]
        before = move.before if move.before is not None else self.snapshot(obj)
        for name, value in move.changes.items():
            setattr(obj, name, value)
        target, status = transition.target, move.changes.get(self.status_field)
        if isinstance(target, str):
            if status not in (None, target):
                raise ValueError(f"{self.name}.{move.action} leads to {target}, not {status}")
            setattr(obj, self.status_field, target)
        elif target is not None and getattr(obj, self.status_field) not in target:
            raise ValueError(f"{self.name}.{move.action} leads to one of {target}, not {status}")
        setattr(obj, self.version_field, getattr(obj, self.version_field) + 1)
        if self.prepare is not None:
            self.prepare(obj)
        return before

    def event(self, obj: M, action: str, *, actor: Actor, from_status: str | None = None, reason: str = "",
              **event_fields: Any) -> models.Model:
        """An (unsaved) event row of ``obj``: its status now, from ``from_status`` (default: the same)."""
        values: dict[str, Any] = {
            self.event_parent: obj, "action": action, "to_status": getattr(obj, self.status_field),
            "from_status": getattr(obj, self.status_field) if from_status is None else from_status,
            "user": acting_user(actor),
        }
        if self._event_has("source"):
            values["source"] = actor.channel
        values |= event_fields  # an importer's rows may name their own source
        if reason and self._event_has("reason"):
            values["reason"] = reason
        elif reason and self._event_has("details"):
            values["details"] = {**values.get("details", {}), "reason": reason}
        return self.event_model(**values)

    def note(self, obj: M, action: str, *, actor: Actor, **event_fields: Any) -> models.Model:
        """Append an event about ``obj`` that changes neither its status nor its version (a replication,
        an evaluation): the record's history, written the same way as its moves."""
        event = self.event(obj, action, actor=actor, **event_fields)
        event.save()
        return event

    def move(self, obj: M, action: str, *, actor: Actor, expected_version: int | None = None, reason: str = "",
             changes: dict[str, Any] | None = None, event_fields: dict[str, Any] | None = None,
             before: dict[str, Any] | None = None, audit_after: dict[str, Any] | None = None) -> M:
        """Move ``obj`` by ``action`` in one transaction: lock, refuse, change, event row, audit row.

        ``obj`` is the record as the action read it (``lock``); ``changes`` are the fields the move sets
        besides the status; ``event_fields`` go on the event row (``details={...}``); ``before`` is the
        audit's "before" when the action changed the object already; ``audit_after`` is added to "after".
        """
        record, _record_many = _recorders()
        step = Move(obj, action, expected_version, changes or {}, event_fields or {}, reason, before)
        with transaction.atomic():
            stored = self._current([obj.pk]).get(obj.pk)
            if (refused := self._check(step, stored)) is not None:
                error, field_name, message = refused
                raise error({field_name: [message]})
            assert stored is not None
            before_row = self._apply(step)
            obj.save()
            self.event(obj, action, actor=actor, from_status=stored[1], reason=reason, **step.event_fields).save()
            record(actor, f"{self.name}.{action}", obj, unit=self.unit_of(obj), before=before_row,
                   after=self.snapshot(obj) | (audit_after or {}))
        return obj

    def move_many(self, moves: Sequence[Move], *, actor: Actor) -> None:
        """Many moves at once (an import, one decision for many records), all or nothing: the checks of
        ``move`` for every record, then one bulk update, one insert of events, one of audit rows per move
        name (the update is one prepared statement for all records: ``lib.bulk.update_rows``). Refusals are raised
        together, keyed by the move's position in ``moves`` (as text)."""
        _record, record_many = _recorders()
        if not moves:
            return
        with transaction.atomic():
            current = self._current([m.obj.pk for m in moves])
            errors: dict[str, list[str]] = {}
            stale = False
            for index, move in enumerate(moves):
                if (refused := self._check(move, current.get(move.obj.pk))) is not None:
                    error, _field, message = refused
                    stale = stale or error is StaleVersion
                    errors[str(index)] = [message]
            if errors:
                raise (StaleVersion if stale else ActionError)(errors)
            now = timezone.now()
            auto_now = self._auto_now()
            fields = {self.status_field, self.version_field, *self.derived, *auto_now}
            events: list[models.Model] = []
            audits: dict[str, list[AuditRow]] = {}
            for move in moves:
                before = self._apply(move)
                fields.update(move.changes)
                for name in auto_now:
                    setattr(move.obj, name, now)
                events.append(self.event(move.obj, move.action, actor=actor, from_status=current[move.obj.pk][1],
                                         reason=move.reason, **move.event_fields))
                audits.setdefault(move.action, []).append(
                    (move.obj, self.unit_of(move.obj), before, self.snapshot(move.obj)))
            update_rows(self.model, sorted(fields), [m.obj for m in moves])
            insert_objects(self.event_model, events)
            for action, rows in audits.items():
                record_many(actor, f"{self.name}.{action}", rows)

    def created(self, obj: M, *, actor: Actor, action: str = "create", audit_after: dict[str, Any] | None = None,
                **event_fields: Any) -> M:
        """Record a new record's first event (from no status) and its audit row; saves it first if unsaved."""
        record, _record_many = _recorders()
        with transaction.atomic():
            if obj.pk is None:
                if self.prepare is not None:
                    self.prepare(obj)
                obj.save()
            self.event(obj, action, actor=actor, from_status="", **event_fields).save()
            record(actor, f"{self.name}.{action}", obj, unit=self.unit_of(obj), before=None,
                   after=self.snapshot(obj) | (audit_after or {}))
        return obj

    def created_many(self, objs: Sequence[M], *, actor: Actor, action: str,
                     event_fields: Sequence[dict[str, Any]] | None = None) -> None:
        """``created`` for many new records (an import): one insert of records, of events, of audit rows."""
        _record, record_many = _recorders()
        if not objs:
            return
        with transaction.atomic():
            if self.prepare is not None:
                for obj in objs:
                    self.prepare(obj)
            insert_objects(self.model, objs)
            extra = event_fields or [{} for _ in objs]
            insert_objects(self.event_model, [self.event(obj, action, actor=actor, from_status="", **fields)
                                              for obj, fields in zip(objs, extra, strict=True)])
            record_many(actor, f"{self.name}.{action}", [(obj, self.unit_of(obj), None, self.snapshot(obj))
                                                         for obj in objs])
