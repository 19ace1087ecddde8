"""What every red-list service shares: who may act (SRL 第五、十、十八条), state guards, the
people to notify, and publication/withdrawal of an entry (SRL 第四、十一、十五、十六条)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Q
from django_fsm import can_proceed

from qcredit.accounts.models import Membership, Role, Unit
from qcredit.accounts.services import AccessDenied, AccessErrorCode, authorize, users_with_role
from qcredit.exchange.services import publication_event_record

from ..errors import RedListError, RedListErrorCode
from ..models import AgendaItem, Entry, RedList, RemovalItem, RevocationReview

LIST_KIND = "redlist"
LIST_CATEGORY = "守信红名单"  # 名单类别 in the partner field set (SPEC §7.2)


def today() -> date:
    from qcredit.grading.services import today as grading_today

    return grading_today()


def required(text: str | None, code: RedListErrorCode, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RedListError(code, message)
    return text


# --- who may act --------------------------------------------------------------------------------


def list_role(actor, role: Role, redlist: RedList) -> Membership:
    """A list-level role (legal, office): the unit of the list's own jurisdiction (SRL 第十八条)."""
    return authorize(user=actor, role=role, jurisdiction=redlist.jurisdiction)


def nominating_division(actor, redlist: RedList, enterprise, unit: Unit | None = None) -> Membership:
    """A division of the list's jurisdiction whose unit covers the enterprise (SRL 第五条、第十八条);
    for an existing nomination, the very division that drafted it ("谁拟定、谁上报、谁负责")."""
    membership = authorize(user=actor, role=Role.DIVISION, jurisdiction=redlist.jurisdiction,
                           region=enterprise.region)
    if unit is None or membership.unit_id == unit.pk:
        return membership
    own = Membership.objects.select_related("unit").filter(user=actor, unit=unit, role=Role.DIVISION,
                                                           unit__active=True).first()
    if own is None:
        raise AccessDenied(AccessErrorCode.OUT_OF_JURISDICTION,
                           f"该事项由提报单位“{unit.name}”负责（谁拟定、谁上报、谁负责，SRL 第五条），"
                           "其他处室不能办理")
    return own


def guard(obj, transition_name: str, action: str):
    """The object's state allows the transition, or a coded error naming its state."""
    method = getattr(obj, transition_name)
    if not can_proceed(method):
        raise RedListError(RedListErrorCode.WRONG_STATE,
                           f"{obj._meta.verbose_name}当前状态为“{obj.get_state_display()}”，不能{action}")
    return method


# --- who is told --------------------------------------------------------------------------------


def division_users(unit: Unit) -> list:
    return list(get_user_model().objects.filter(
        is_active=True, memberships__unit=unit, memberships__role=Role.DIVISION).distinct())


def list_users(role: Role, redlist: RedList) -> list:
    return users_with_role(role=role, jurisdiction=redlist.jurisdiction)


# --- publication and withdrawal (SRL 第四、十一、十五、十六条; SPEC §7.2) ------------------------


def bureau_of(unit: Unit) -> Unit:
    """The bureau a functional unit belongs to (the unit whose parent has another jurisdiction):
    认定部门 and 数据来源单位 of a list's entries."""
    while unit.parent_id is not None and unit.parent.jurisdiction == unit.jurisdiction:
        unit = unit.parent
    return unit


def partner_fields(entry: Entry) -> dict:
    """The public fields of an entry in the partner field set (SPEC §7.2); the payload of its
    publication event and the export row."""
    bureau = bureau_of(entry.redlist.owner)
    return {
        "主体名称": entry.name,
        "统一社会信用代码": entry.uscc,
        "名单类别": LIST_CATEGORY,
        "列入原因": entry.credit_facts,
        "认定部门": bureau.name,
        "列入日期": entry.published_on.isoformat(),
        "有效期至": entry.valid_until.isoformat(),
        "数据来源单位": bureau.name,
        "数据来源单位统一社会信用代码": bureau.uscc,
    }


def record_publication(entry: Entry) -> None:
    publication_event_record(list_kind=LIST_KIND, kind="published", entry_key=entry.entry_key,
                             payload=partner_fields(entry))


EXIT_LABELS = {Entry.State.REVOKED: "撤销", Entry.State.REMOVED: "删除", Entry.State.EXPIRED: "期满"}


def end_entry(entry: Entry, transition_name: str, *, reason: str, public_reason: str, on: date) -> dict:
    """The entry leaves the list (revoked, removed, expired) and moves to the archive (备查库):
    its publication is withdrawn everywhere (SRL 第十五条; SPEC §7.2 "a withdrawal reaches
    partners like a publication does") with ``public_reason`` — the article, never the
    internal reasoning kept in ``reason`` — and every other exit procedure still open for it
    ends as moot. Call inside the transaction, with the entry locked. Returns what was ended."""
    getattr(entry, transition_name)()
    entry.exited_on = on
    entry.exit_reason = reason
    entry.save()
    ended = {"revocation_reviews": [], "removal_items": [], "agenda_items": []}
    for review in RevocationReview.objects.select_for_update().filter(
            entry=entry, state__in=RevocationReview.OPEN_STATES):
        review.end_moot()
        review.closed_on = on
        review.save()
        ended["revocation_reviews"].append(review.pk)
    for item in RemovalItem.objects.select_for_update().filter(entry=entry, state=RemovalItem.State.OPEN):
        item.end_moot()
        item.closed_on = on
        item.save()
        ended["removal_items"].append(item.pk)
    pending = AgendaItem.objects.select_for_update().filter(
        Q(revocation_review_id__in=ended["revocation_reviews"]) | Q(removal_item_id__in=ended["removal_items"]),
        state=AgendaItem.State.PENDING)
    for agenda_item in pending:
        agenda_item.end_moot()
        agenda_item.note = f"主体已{EXIT_LABELS[entry.state]}，退出名单"
        agenda_item.save()
        ended["agenda_items"].append(agenda_item.pk)
    publication_event_record(
        list_kind=LIST_KIND, kind="withdrawn", entry_key=entry.entry_key,
        payload={"主体名称": entry.name, "统一社会信用代码": entry.uscc, "名单类别": LIST_CATEGORY,
                 "撤下类别": EXIT_LABELS[entry.state], "撤下原因": public_reason, "撤下日期": on.isoformat()})
    return ended


def entry_json(entry: Entry) -> dict:
    return {"state": entry.state, "published_on": entry.published_on, "valid_until": entry.valid_until,
            "exited_on": entry.exited_on, "exit_reason": entry.exit_reason}
