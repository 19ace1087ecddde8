"""The public entries objections and statements refer to (SPEC §5.4): a red-list entry, a
published A or a black-list entry, named generically by (``target_kind``, ``target_id``).
One place decides which entry that is, whether it is public now, and which bureau owns it
(its office answers objections and moderates statements)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ListsError, ListsErrorCode
from .models import BlacklistEntry, PublishedA, TargetKind


@dataclass(frozen=True)
class Target:
    kind: str
    id: int
    entry: object
    enterprise_id: int
    name: str
    uscc: str
    owner_jurisdiction: str
    public: bool

    @property
    def label(self) -> str:
        return TargetKind(self.kind).label


def resolve_target(kind: str, target_id, *, lock: bool = False) -> Target:
    """The entry (``lock``: locked for update, inside a transaction), or UNKNOWN_TARGET."""
    try:
        kind = TargetKind(kind)
        target_id = int(target_id)
    except (ValueError, TypeError):
        raise ListsError(ListsErrorCode.UNKNOWN_TARGET, "异议或声明的对象不存在") from None
    if kind == TargetKind.REDLIST:
        from qcredit.redlist.models import Entry  # sibling app, imported where needed

        queryset = Entry.objects.select_related("redlist__owner")
    elif kind == TargetKind.PUBLISHED_A:
        queryset = PublishedA.objects.select_related("owner")
    else:
        queryset = BlacklistEntry.objects.select_related("owner")
    if lock:
        queryset = queryset.select_for_update()
    entry = queryset.filter(pk=target_id).first()
    if entry is None:
        raise ListsError(ListsErrorCode.UNKNOWN_TARGET, "异议或声明的对象不存在")
    if kind == TargetKind.REDLIST:
        owner = entry.redlist.owner.jurisdiction
        # Public exactly when the portal shows it (redlist.selectors.public_entries): published
        # and inside its period, also before the daily expiry has moved it to the archive.
        from .services.common import today

        on = today()
        public = (entry.state == "published" and entry.published_on is not None and entry.published_on <= on
                  and entry.valid_until is not None and on <= entry.valid_until)
    else:
        owner = entry.owner.jurisdiction
        public = entry.is_public
    return Target(kind=str(kind), id=entry.pk, entry=entry, enterprise_id=entry.enterprise_id, name=entry.name,
                  uscc=entry.uscc, owner_jurisdiction=owner, public=public)


def target_of(entry) -> tuple[str, int]:
    """(target_kind, target_id) of an entry object."""
    if isinstance(entry, PublishedA):
        return TargetKind.PUBLISHED_A.value, entry.pk
    if isinstance(entry, BlacklistEntry):
        return TargetKind.BLACKLIST.value, entry.pk
    if entry._meta.label == "redlist.Entry":
        return TargetKind.REDLIST.value, entry.pk
    raise ListsError(ListsErrorCode.UNKNOWN_TARGET, "异议或声明的对象不存在")
