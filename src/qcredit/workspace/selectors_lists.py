"""Reads for the staff screens of the public lists (A-grade publication, D re-check and black
list, objections, statements; SPEC §5.2–§5.4) that :mod:`qcredit.lists.selectors` does not
offer: single objects with their internals, the published A of a jurisdiction, counts for the
index page. Each checks the reader's role and jurisdiction with
:func:`qcredit.accounts.services.authorize` and logs the read of internal data (SPEC §7.1,
§7.3). ``None`` means "not for this reader": the view answers 404, as if it did not exist
(docs/decisions.md, "outside it an enterprise page answers 404").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Q

from qcredit.accounts.models import Membership, Role
from qcredit.accounts.services import AccessDenied, authorize, has_role, users_with_role
from qcredit.archive.models import Record
from qcredit.audit.services import audit_access
from qcredit.grading.models import Evaluation as EvaluationSnapshot
from qcredit.grading.models import GradeState
from qcredit.grading.services import available_rulesets, parse_evidence
from qcredit.lists.models import (
    AApplication,
    BlacklistEntry,
    Objection,
    ObjectionAttachment,
    PublishedA,
    Recheck,
    Statement,
)
from qcredit.rules.evaluate import Evaluation, evaluation_from_snapshot
from qcredit.rules.kinds import KINDS, display_value
from qcredit.workdays.calendar import workdays_between
from qcredit.workdays.errors import WorkdayError

STAFF_ROLES = tuple(r for r in Role if r != Role.AUDITOR)
PAGE_SIZE = 50


def explain(snapshot: EvaluationSnapshot) -> Evaluation | None:
    """A stored grade snapshot with its criteria, articles and evidence (SPEC §4.2)."""
    ruleset = next((r for r in available_rulesets() if r.version == snapshot.ruleset), None)
    if ruleset is None:
        return None
    return evaluation_from_snapshot(uscc=snapshot.enterprise.uscc, as_of=snapshot.as_of, ruleset=ruleset,
                                    grade=snapshot.grade, holds_code=snapshot.holds,
                                    evidence=parse_evidence(snapshot.evidence))


def _staff_jurisdictions(user) -> list[str]:
    return sorted(set(Membership.objects.filter(user=user, unit__active=True, role__in=STAFF_ROLES)
                      .values_list("unit__jurisdiction", flat=True)))


def _covering(field: str, jurisdictions: list[str]) -> Q:
    q = Q(pk__in=[])
    for j in jurisdictions:
        q |= Q(**{f"{field}__startswith": j})
    return q


# --- who may do what here (to hide what a user may not do; the services enforce) -----------------------


@dataclass(frozen=True)
class ListsRoles:
    evaluator: bool  # provincial evaluator (QCO 三(五) "省级")
    inspection: bool
    reviewer: bool
    office: bool

    @property
    def any(self) -> bool:
        return self.evaluator or self.inspection or self.reviewer or self.office


def lists_roles(user) -> ListsRoles:
    held = set(Membership.objects.filter(user=user, unit__active=True).values_list("role", "unit__jurisdiction"))
    return ListsRoles(
        evaluator=any(r == Role.EVALUATOR and len(j) == 2 for r, j in held),
        inspection=any(r == Role.INSPECTION for r, _ in held),
        reviewer=any(r == Role.REVIEWER for r, _ in held),
        office=any(r == Role.OFFICE for r, _ in held),
    )


def index_counts(*, user) -> dict[str, int]:
    """How many items wait in each queue the user works (counts only: nothing internal is shown,
    so this read is not an access event)."""
    memberships = list(Membership.objects.filter(user=user, unit__active=True).values_list("role", "unit__jurisdiction"))

    def where(role: Role, *, province_only: bool = False) -> list[str]:
        return [j for r, j in memberships if r == role and (len(j) == 2 or not province_only)]

    office = where(Role.OFFICE)
    return {
        "evaluation": AApplication.objects.filter(_covering("enterprise__region", where(Role.EVALUATOR,
                                                                                        province_only=True)),
                                                  state=AApplication.State.AWAITING_EVALUATION).count(),
        "inspection": AApplication.objects.filter(_covering("enterprise__region", where(Role.INSPECTION)),
                                                  state=AApplication.State.AWAITING_INSPECTION).count(),
        "rechecks": Recheck.objects.filter(_covering("enterprise__region", where(Role.REVIEWER)),
                                           state=Recheck.State.OPEN).count(),
        "objections": Objection.objects.filter(owner_jurisdiction__in=office,
                                               state__in=Objection.OPEN_STATES).count(),
        "objections_overdue": Objection.objects.filter(owner_jurisdiction__in=office,
                                                       state__in=Objection.OPEN_STATES,
                                                       due_on__lt=_today()).count(),
        "statements": Statement.objects.filter(owner_jurisdiction__in=office, state=Statement.State.PENDING).count(),
    }


def _today() -> date:
    from qcredit.lists.services import common

    return common.today()


# --- A-grade publication (SPEC §5.2) --------------------------------------------------------------


def a_application_detail(*, user, pk: int) -> tuple[AApplication, Membership] | None:
    """An application for the provincial evaluator or an inspection unit covering the
    enterprise, with the computed A it rests on (internal: logged)."""
    application = AApplication.objects.select_related(
        "enterprise", "evaluation__enterprise", "inspection_by", "inspection_unit", "evaluated_by",
        "evaluated_unit", "published").filter(pk=pk).first()
    if application is None:
        return None
    region = application.enterprise.region
    try:
        membership = authorize(user=user, role=Role.EVALUATOR, region=region, jurisdiction=region[:2])
    except AccessDenied:
        try:
            membership = authorize(user=user, role=Role.INSPECTION, region=region)
        except AccessDenied:
            return None
    audit_access(actor=user, membership=membership, action="lists.a_application.view", obj=application,
                 detail={"enterprise": application.enterprise.uscc, "grade": application.evaluation.grade})
    return application, membership


def current_grade(enterprise) -> GradeState | None:
    return GradeState.objects.filter(enterprise=enterprise).first()


def published_a_for_staff(*, user, state: str | None = None, page: str | int | None = None) -> Page:
    """One page of the published A of the user's jurisdictions, public or in the archive (备查),
    newest first, with the way each ended (SPEC §7.1: archived entries are for staff of the
    jurisdiction; an exit reason may name the new internal grade, so the read is logged with
    the entries shown)."""
    authorize(user=user, role=STAFF_ROLES)
    entries = PublishedA.objects.filter(_covering("region", _staff_jurisdictions(user)))
    if state:
        entries = entries.filter(state=state)
    shown = Paginator(entries.select_related("owner").order_by("-published_on", "-id"), PAGE_SIZE).get_page(page)
    audit_access(actor=user, action="lists.published_a.view_archive", obj=("lists.publisheda", "list", "A级公示"),
                 detail={"ids": [e.pk for e in shown]})
    return shown


# --- D re-check and black list (SPEC §5.3) ----------------------------------------------------------


@dataclass
class EvidenceRecord:
    """A record a D criterion rests on, and its current version (what the reviewer may correct,
    withdraw or annotate; None when it was withdrawn since)."""

    key: int
    version: Record
    current: Record | None

    @property
    def fields(self) -> list[tuple[str, str]]:
        return record_fields(self.version)


def record_fields(record: Record) -> list[tuple[str, str]]:
    """(label, value) of a record's kind fields, in Chinese (SPEC §3)."""
    return [(f.label, display_value(f, getattr(record, f.name))) for f in KINDS[record.kind].fields]


def recheck_detail(*, user, pk: int) -> tuple[Recheck, Membership, list[EvidenceRecord]] | None:
    recheck = Recheck.objects.select_related("enterprise", "reviewer", "reviewer_unit", "objection").filter(
        pk=pk).first()
    if recheck is None:
        return None
    try:
        membership = authorize(user=user, role=Role.REVIEWER, region=recheck.enterprise.region)
    except AccessDenied:
        return None
    keys = sorted({k for c in recheck.adverse for k in c.get("evidence", [])})
    versions = {r.pk: r for r in Record.objects.filter(pk__in=keys, enterprise=recheck.enterprise)}
    current = {(r.source, r.record_id): r for r in Record.objects.current().filter(
        enterprise=recheck.enterprise, record_id__in={v.record_id for v in versions.values()})}
    evidence = [EvidenceRecord(k, versions[k], current.get((versions[k].source, versions[k].record_id)))
                for k in keys if k in versions]
    audit_access(actor=user, membership=membership, action="lists.recheck.view", obj=recheck,
                 detail={"enterprise": recheck.enterprise.uscc, "adverse": [c["id"] for c in recheck.adverse]})
    return recheck, membership, evidence


def blacklist_entry_detail(*, user, pk: int) -> BlacklistEntry | None:
    """A black-list entry with its re-check (the reviewer's finding is internal: logged)."""
    entry = BlacklistEntry.objects.select_related("owner", "enterprise", "recheck__reviewer",
                                                  "recheck__reviewer_unit").filter(pk=pk).first()
    if entry is None:
        return None
    try:
        membership = authorize(user=user, role=STAFF_ROLES, region=entry.region)
    except AccessDenied:
        return None
    audit_access(actor=user, membership=membership, action="lists.blacklist.view", obj=entry,
                 detail={"enterprise": entry.uscc, "state": entry.state})
    return entry


def can_repair(user, entry: BlacklistEntry) -> bool:
    return entry.is_public and has_role(user=user, role=Role.OFFICE, jurisdiction=entry.owner.jurisdiction)


# --- objections (SPEC §5.4) -------------------------------------------------------------------------


def working_days_left(due_on: date, today: date | None = None) -> int | None:
    """Working days from today to the due date (negative: overdue by that many); None when a
    year of the span has no loaded holiday schedule (never a guess, SPEC §5)."""
    try:
        return workdays_between(today or _today(), due_on)
    except WorkdayError:
        return None


def objection_detail(*, user, pk: int) -> tuple[Objection, Membership] | None:
    """An objection for the office of the bureau that owns the entry (the objector's personal
    data and the investigation are internal: logged)."""
    objection = Objection.objects.select_related("enterprise", "assignee", "answered_by").filter(pk=pk).first()
    if objection is None:
        return None
    try:
        membership = authorize(user=user, role=Role.OFFICE, jurisdiction=objection.owner_jurisdiction)
    except AccessDenied:
        return None
    audit_access(actor=user, membership=membership, action="lists.objection.view", obj=objection,
                 detail={"receipt": objection.receipt})
    return objection, membership


def objection_attachment(*, user, pk: int, attachment_pk: int) -> ObjectionAttachment | None:
    """An attachment for the office of the owning bureau only (never served by URL otherwise)."""
    attachment = ObjectionAttachment.objects.select_related("objection").filter(
        pk=attachment_pk, objection_id=pk).first()
    if attachment is None:
        return None
    try:
        membership = authorize(user=user, role=Role.OFFICE, jurisdiction=attachment.objection.owner_jurisdiction)
    except AccessDenied:
        return None
    audit_access(actor=user, membership=membership, action="lists.objection.attachment.download", obj=attachment,
                 detail={"receipt": attachment.objection.receipt, "name": attachment.original_name})
    return attachment


def office_staff(jurisdiction: str) -> list:
    """Who the office may assign an objection to: its own office staff (SPEC §5.4)."""
    return sorted(users_with_role(role=Role.OFFICE, jurisdiction=jurisdiction), key=lambda u: u.get_username())
