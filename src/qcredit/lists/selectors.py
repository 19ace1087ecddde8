"""Reads of the public lists (HackSoft selectors).

Public selectors return only what SPEC §7.1 allows anyone to see — name, USCC, region, the
list's facts and dates, and the enterprise's approved statement — as plain frozen records
built field by field from the public columns. They never touch a computed grade, a criterion,
evidence, a reviewer's note, an application, or a draft, so nothing they return lets anyone
infer an internal grade (SPEC §7.1 last paragraph). Internal selectors are separate, check the
reader's role and jurisdiction, and log the access (SPEC §7.3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from django.db.models import Q, QuerySet

from qcredit.accounts.models import Membership, Role, covers
from qcredit.accounts.services import AccessDenied, AccessErrorCode, authorize, enterprise_account
from qcredit.audit.services import audit_access

from .models import AApplication, BlacklistEntry, Objection, PublishedA, Recheck, Statement, TargetKind
from .services.blacklist import CATEGORY as BLACKLIST_CATEGORY
from .services.objections import normalize_receipt
from .services.published_a import CATEGORY as PUBLISHED_A_CATEGORY
from .services.published_a import PUBLIC_REASON

# --- public (portal, open data, API) ------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedAPublic:
    name: str
    uscc: str
    region: str
    category: str  # 名单类别
    reason: str  # 列入原因 (the article, the same for every entry)
    authority: str  # 认定部门
    published_on: date
    valid_until: date
    statement: str  # the enterprise's approved statement, its own words ("" if none)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class BlacklistPublic:
    name: str
    uscc: str
    region: str
    category: str
    facts: str  # 列入原因: the facts the re-check confirmed
    authority: str
    listed_on: date
    statement: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ObjectionStatusPublic:
    receipt: str
    target: str  # the list (名单类别)
    subject: str  # the name of the entry objected to
    lodged_on: date
    due_on: date
    status: str
    answered_on: date | None
    outcome: str
    answer: str

    def as_dict(self) -> dict:
        return asdict(self)


def _approved_statements(kind: str, ids: list[int]) -> dict[int, str]:
    return dict(Statement.objects.filter(target_kind=kind, target_id__in=ids, state=Statement.State.APPROVED)
                .values_list("target_id", "text"))


def _filter(queryset: QuerySet, *, region: str | None, uscc: str | None, name: str | None) -> QuerySet:
    if region:
        queryset = queryset.filter(region__startswith=region)
    if uscc:
        queryset = queryset.filter(uscc=uscc.strip().upper())
    if name:
        queryset = queryset.filter(name__contains=name.strip())
    return queryset


def published_a_public(*, region: str | None = None, uscc: str | None = None, name: str | None = None,
                       limit: int | None = None, on: date | None = None) -> list[PublishedAPublic]:
    """The published A (SPEC §5.2) public on ``on`` (default today), newest first: published
    and within their validity — also before the daily expiry has run."""
    from .services import common

    on = on or common.today()
    rows = list(_filter(PublishedA.objects.filter(state=PublishedA.State.PUBLISHED, published_on__lte=on,
                                                  valid_until__gte=on),
                        region=region, uscc=uscc, name=name).order_by("-published_on", "-id")
                .values("id", "name", "uscc", "region", "owner__name", "published_on", "valid_until")[:limit])
    statements = _approved_statements(TargetKind.PUBLISHED_A, [r["id"] for r in rows])
    return [PublishedAPublic(name=r["name"], uscc=r["uscc"], region=r["region"], category=PUBLISHED_A_CATEGORY,
                             reason=PUBLIC_REASON, authority=r["owner__name"], published_on=r["published_on"],
                             valid_until=r["valid_until"], statement=statements.get(r["id"], ""))
            for r in rows]


def blacklist_public(*, region: str | None = None, uscc: str | None = None, name: str | None = None,
                     limit: int | None = None) -> list[BlacklistPublic]:
    """The black-list entries now exposed (SPEC §5.3), newest first."""
    rows = list(_filter(BlacklistEntry.objects.filter(state=BlacklistEntry.State.EXPOSED), region=region, uscc=uscc,
                        name=name).order_by("-listed_on", "-id")
                .values("id", "name", "uscc", "region", "facts", "owner__name", "listed_on")[:limit])
    statements = _approved_statements(TargetKind.BLACKLIST, [r["id"] for r in rows])
    return [BlacklistPublic(name=r["name"], uscc=r["uscc"], region=r["region"], category=BLACKLIST_CATEGORY,
                            facts=r["facts"], authority=r["owner__name"], listed_on=r["listed_on"],
                            statement=statements.get(r["id"], ""))
            for r in rows]


def statement_public(*, target_kind: str, target_id: int) -> str:
    """The approved statement of a public entry (e.g. a red-list entry on the portal), or ""."""
    return _approved_statements(target_kind, [target_id]).get(int(target_id), "")


def statements_public(*, target_kind: str, target_ids: list[int]) -> dict[int, str]:
    """The approved statements of several public entries at once (a page of a list): id → text."""
    return _approved_statements(target_kind, list(target_ids))


_PUBLIC_STATUS = {
    Objection.State.RECEIVED: "已受理",
    Objection.State.INVESTIGATING: "调查核实中",
    Objection.State.ANSWERED: "已答复",
}


def objection_status_public(receipt: str) -> ObjectionStatusPublic | None:
    """What the objector may follow with the receipt: the status, the due date and the answer —
    never the assignee, the internal route or other objections. None for an unknown receipt
    (the same answer whether it never existed or is mistyped)."""
    receipt = normalize_receipt(receipt)
    if not receipt.startswith("YY-"):
        return None
    objection = Objection.objects.filter(receipt=receipt).first()
    if objection is None:
        return None
    answered = objection.state == Objection.State.ANSWERED
    return ObjectionStatusPublic(
        receipt=objection.receipt, target=TargetKind(objection.target_kind).label, subject=_subject(objection),
        lodged_on=objection.lodged_on, due_on=objection.due_on, status=_PUBLIC_STATUS[objection.state],
        answered_on=objection.answered_on if answered else None,
        outcome=Objection.Outcome(objection.outcome).label if answered else "",
        answer=objection.answer if answered else "")


def _subject(objection: Objection) -> str:
    """The name of the entry as it was published (entries keep their public name)."""
    from .targets import resolve_target

    try:
        return resolve_target(objection.target_kind, objection.target_id).name
    except Exception:  # the entry was public when the objection was lodged; keep the page working
        return ""


# --- internal (workspace): role and jurisdiction checked, access logged -----------------------------------


def _memberships(user, role: Role) -> list[Membership]:
    authorize(user=user, role=role)  # NOT_AUTHENTICATED / NO_ROLE
    return list(Membership.objects.select_related("unit").filter(user=user, role=role, unit__active=True))


def _covered(memberships: list[Membership]) -> Q:
    q = Q(pk__in=[])
    for m in memberships:
        q |= Q(enterprise__region__startswith=m.unit.jurisdiction)
    return q


def a_applications_to_handle(*, user) -> list[AApplication]:
    """Open applications an evaluator (provincial) or inspection unit may act on. The computed A
    behind them is internal (SPEC §7.1): the read is logged."""
    evaluator = [m for m in Membership.objects.select_related("unit").filter(user=user, role=Role.EVALUATOR,
                                                                             unit__active=True)
                 if len(m.unit.jurisdiction) == 2]
    inspection = list(Membership.objects.select_related("unit").filter(user=user, role=Role.INSPECTION,
                                                                       unit__active=True))
    if not (evaluator or inspection):
        authorize(user=user, role=(Role.EVALUATOR, Role.INSPECTION))
        raise AccessDenied(AccessErrorCode.OUT_OF_JURISDICTION, "A级公示由省级评价人员评价（QCO 三(五)）")
    q = Q(pk__in=[])
    if evaluator:
        q |= Q(state=AApplication.State.AWAITING_EVALUATION) & _covered(evaluator)
    if inspection:
        q |= Q(state=AApplication.State.AWAITING_INSPECTION) & _covered(inspection)
    applications = list(AApplication.objects.filter(q).select_related("enterprise").order_by("applied_at", "id"))
    audit_access(actor=user, action="lists.a_application.view_queue", obj=("lists.aapplication", "queue", "待办"),
                 detail={"ids": [a.pk for a in applications]})
    return applications


def rechecks_to_handle(*, user) -> list[Recheck]:
    """Open re-checks in the reviewer's jurisdiction (internal: the computed D, its criteria and
    evidence; the read is logged)."""
    memberships = _memberships(user, Role.REVIEWER)
    rechecks = list(Recheck.objects.filter(_covered(memberships), state=Recheck.State.OPEN)
                    .select_related("enterprise").order_by("opened_on", "id"))
    audit_access(actor=user, action="lists.recheck.view_queue", obj=("lists.recheck", "queue", "待复核"),
                 detail={"ids": [r.pk for r in rechecks]})
    return rechecks


def objections_to_handle(*, user, open_only: bool = False) -> list[Objection]:
    """Objections owned by the bureaus of the user's office units (the objector's personal data
    and the investigation are internal; the read is logged). ``open_only``: only those still
    to be answered (the inbox and the dashboard; the answered ones grow for ever)."""
    memberships = _memberships(user, Role.OFFICE)
    objections = Objection.objects.filter(owner_jurisdiction__in={m.unit.jurisdiction for m in memberships})
    if open_only:
        objections = objections.filter(state__in=Objection.OPEN_STATES)
    objections = list(objections.select_related("enterprise", "assignee").order_by("state", "due_on", "id"))
    audit_access(actor=user, action="lists.objection.view_queue", obj=("lists.objection", "queue", "异议"),
                 detail={"ids": [o.pk for o in objections]})
    return objections


def statements_to_moderate(*, user) -> list[Statement]:
    memberships = _memberships(user, Role.OFFICE)
    return list(Statement.objects.filter(owner_jurisdiction__in={m.unit.jurisdiction for m in memberships},
                                         state=Statement.State.PENDING).select_related("enterprise")
                .order_by("submitted_at", "id"))


def blacklist_archive(*, user, region: str | None = None) -> list[BlacklistEntry]:
    """Every black-list entry, exposed or in the archive (备查), for staff of the jurisdiction
    (SPEC §7.1 "expired / revoked / archived entries: staff of the jurisdiction")."""
    authorize(user=user, role=[r for r in Role if r != Role.AUDITOR])
    jurisdictions = set(Membership.objects.filter(user=user, unit__active=True).exclude(role=Role.AUDITOR)
                        .values_list("unit__jurisdiction", flat=True))
    q = Q(pk__in=[])
    for j in jurisdictions:
        q |= Q(region__startswith=j)
    entries = BlacklistEntry.objects.filter(q)
    if region:
        if not any(covers(j, region) for j in jurisdictions):
            raise AccessDenied(AccessErrorCode.OUT_OF_JURISDICTION, f"您的管辖范围不包括行政区划 {region}")
        entries = entries.filter(region__startswith=region)
    return list(entries.select_related("owner").order_by("-listed_on", "-id"))


@dataclass(frozen=True)
class EnterpriseOwnLists:
    applications: list[AApplication]
    published: list[PublishedA]
    blacklist: list[BlacklistEntry]
    statements: list[Statement]


def enterprise_own_lists(*, user, enterprise) -> EnterpriseOwnLists:
    """What the enterprise sees of itself (SPEC §7.1 "the enterprise itself"): its applications,
    its published A and black-list entries (public and archived), its statements."""
    enterprise_account(user=user, enterprise=enterprise)
    return EnterpriseOwnLists(
        applications=list(AApplication.objects.filter(enterprise=enterprise)),
        published=list(PublishedA.objects.filter(enterprise=enterprise)),
        blacklist=list(BlacklistEntry.objects.filter(enterprise=enterprise)),
        statements=list(Statement.objects.filter(enterprise=enterprise)),
    )


# --- public, added for the portal (qcredit.portal): objection targets and the partner field set ---------


@dataclass(frozen=True)
class PublicTarget:
    """A public entry of one enterprise that anyone may object to (SPEC §5.4), named by the
    (``target_kind``, ``target_id``) that :func:`qcredit.lists.services.objection_lodge` takes."""

    target_kind: str
    target_id: int
    category: str  # 名单类别
    name: str
    uscc: str
    authority: str  # 认定部门
    listed_on: date

    @property
    def key(self) -> str:
        return f"{self.target_kind}:{self.target_id}"

    def as_dict(self) -> dict:
        return {**asdict(self), "key": self.key}


def objection_targets_public(*, uscc: str) -> list[PublicTarget]:
    """The entries of the enterprise ``uscc`` that are public now — red list (every list it is
    on), published A, black list — with the identifiers an objection needs. Only what the public
    selectors already show; nothing for an enterprise on no public list."""
    from qcredit.redlist.selectors import public_entries  # sibling app, imported where needed

    uscc = (uscc or "").strip().upper()
    if not uscc:
        return []
    targets = [PublicTarget(target_kind=TargetKind.REDLIST.value, target_id=int(e.key.split(":", 1)[1]),
                            category=TargetKind.REDLIST.label, name=e.name, uscc=e.uscc, authority=e.decided_by,
                            listed_on=e.published_on)
               for e in public_entries(uscc=uscc)]
    from .services import common

    on = common.today()
    for r in (PublishedA.objects.filter(state=PublishedA.State.PUBLISHED, published_on__lte=on, valid_until__gte=on,
                                        uscc=uscc).order_by("-published_on", "-id")
              .values("id", "name", "uscc", "owner__name", "published_on")):
        targets.append(PublicTarget(target_kind=TargetKind.PUBLISHED_A.value, target_id=r["id"],
                                    category=TargetKind.PUBLISHED_A.label, name=r["name"], uscc=r["uscc"],
                                    authority=r["owner__name"], listed_on=r["published_on"]))
    for r in (BlacklistEntry.objects.filter(state=BlacklistEntry.State.EXPOSED, uscc=uscc).order_by("-listed_on", "-id")
              .values("id", "name", "uscc", "owner__name", "listed_on")):
        targets.append(PublicTarget(target_kind=TargetKind.BLACKLIST.value, target_id=r["id"],
                                    category=TargetKind.BLACKLIST.label, name=r["name"], uscc=r["uscc"],
                                    authority=r["owner__name"], listed_on=r["listed_on"]))
    return targets


def published_a_partner_rows(*, on: date | None = None) -> list[dict]:
    """The published A public on ``on`` (default today) in the partner field set of SPEC §7.2
    (open data), the same entries as :func:`published_a_public`."""
    from .services import common
    from .services.published_a import partner_fields

    on = on or common.today()
    return [partner_fields(e) for e in PublishedA.objects.filter(
        state=PublishedA.State.PUBLISHED, published_on__lte=on, valid_until__gte=on)
        .select_related("owner").order_by("-published_on", "-id")]


def blacklist_partner_rows() -> list[dict]:
    """The black-list entries exposed now in the partner field set of SPEC §7.2 (open data), the
    same entries as :func:`blacklist_public`."""
    from .services.blacklist import partner_fields

    return [partner_fields(e) for e in BlacklistEntry.objects.filter(state=BlacklistEntry.State.EXPOSED)
            .select_related("owner").order_by("-listed_on", "-id")]
