"""What an enterprise account reads of its own enterprise (SPEC §1 企业用户, §7.1 "the enterprise
itself"): its archive, its computed grade with every criterion, article and evidence (all
grades, B and C included), its grade history, its list entries public or archived, its
applications, objections and statements. Never another enterprise's: every read starts from
the :class:`~qcredit.accounts.models.EnterpriseAccount` of the user.

Reading its own grade is an access event (``selfservice.enterprise.view``): SPEC §7.3 makes
every view of confidential data one, and the computed grade is confidential (SPEC §7.1) —
docs/web/selfservice.md gives the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from qcredit.accounts.models import EnterpriseAccount
from qcredit.archive.models import Enterprise, Record
from qcredit.audit.services import audit_access
from qcredit.grading.models import GradeChange, GradeState
from qcredit.grading.services import available_rulesets, parse_evidence
from qcredit.lists import selectors as lists_selectors
from qcredit.lists.models import Objection, TargetKind
from qcredit.rules.evaluate import Evaluation, evaluation_from_snapshot
from qcredit.rules.interpretations import INTERPRETATIONS
from qcredit.rules.kinds import KINDS, display_value

TIERS = (("D", "严重失信（D级）情形 — QCO 三(四)"), ("C", "失信（C级）情形 — QCO 三(三)"),
         ("A", "守信（A级）标准 — QCO 三(一)"), ("B", "基本守信（B级）标准 — QCO 三(二)"))


def own_enterprise(user) -> Enterprise | None:
    """The enterprise the account is bound to (None: not an enterprise account)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    account = EnterpriseAccount.objects.select_related("enterprise").filter(user=user).first()
    return account.enterprise if account else None


# --- the archive and the grade ----------------------------------------------------------------------


def record_fields(record: Record) -> list[tuple[str, str]]:
    """(label, value) of a record's kind fields, in Chinese (SPEC §3)."""
    return [(f.label, display_value(f, getattr(record, f.name))) for f in KINDS[record.kind].fields]


@dataclass
class RecordLine:
    record: Record
    fields: list[tuple[str, str]]
    corrected: bool = False

    @property
    def reason(self) -> str:
        """Why the version was corrected or withdrawn. A D re-check's reason carries the
        reviewer's internal finding (SPEC §7.1 workflow internals: not for the enterprise), so
        only its fact is shown."""
        if self.record.recorded_via == "recheck":
            return "经D级复核更正或撤回"
        return self.record.reason


@dataclass
class CriterionLine:
    id: str
    article: str
    text: str
    check: str
    verdict: str
    favourable: bool | None
    evidence: list[tuple[int, bool]]  # (record version key, still current)
    interpretations: list[tuple[str, str]]


@dataclass
class OwnDossier:
    enterprise: Enterprise
    state: GradeState | None
    evaluation: Evaluation | None
    tiers: list[tuple[str, str, list[CriterionLine]]]
    records_by_year: list[tuple[int, list[RecordLine]]]
    history: list[RecordLine]
    external_credit: list[RecordLine]
    changes: list[GradeChange]
    current_keys: set[int] = field(default_factory=set)


def _verdict(tier: str, holds: bool | None) -> tuple[str, bool | None]:
    if holds is None:
        return "未评定", None
    if tier in ("C", "D"):
        return ("情形成立", False) if holds else ("情形不成立（无不良记录）", True)
    return ("符合", True) if holds else ("不符合", False)


def own_dossier(*, user, enterprise: Enterprise) -> OwnDossier:
    """The enterprise's own archive and grade, criterion by criterion (QCO 三; SPEC §4.2). The
    caller has bound ``enterprise`` to ``user``; the read is logged (SPEC §7.3)."""
    state = GradeState.objects.select_related("evaluation__enterprise").filter(enterprise=enterprise).first()
    evaluation = None
    if state is not None:
        snapshot = state.evaluation
        ruleset = next((r for r in available_rulesets() if r.version == snapshot.ruleset), None)
        if ruleset is not None:
            evaluation = evaluation_from_snapshot(uscc=enterprise.uscc, as_of=snapshot.as_of, ruleset=ruleset,
                                                  grade=snapshot.grade, holds_code=snapshot.holds,
                                                  evidence=parse_evidence(snapshot.evidence))
    versions = list(Record.objects.filter(enterprise=enterprise).order_by("-date", "source", "record_id", "-version"))
    corrected = {(v.source, v.record_id) for v in versions if v.version > 1}
    current, history, external = [], [], []
    for v in versions:
        line = RecordLine(v, record_fields(v), (v.source, v.record_id) in corrected)
        if v.superseded_at is None and not v.withdrawn:
            (external if v.kind == "external_credit" else current).append(line)
        else:
            history.append(line)
    by_year: dict[int, list[RecordLine]] = {}
    for line in current:
        by_year.setdefault(line.record.date.year, []).append(line)
    current_keys = {line.record.pk for line in current}
    tiers = []
    if evaluation is not None:
        for tier, label in TIERS:
            lines = []
            for r in evaluation.results:
                if r.criterion.tier != tier:
                    continue
                verdict, favourable = _verdict(tier, r.holds)
                lines.append(CriterionLine(
                    r.criterion.id, r.criterion.article, r.criterion.text, r.criterion.check, verdict, favourable,
                    [(k, k in current_keys) for k in r.evidence],
                    [(i, INTERPRETATIONS[i].text) for i in r.criterion.interpretations if i in INTERPRETATIONS]))
            if lines:
                tiers.append((tier, label, lines))
    changes = list(GradeChange.objects.filter(enterprise=enterprise).order_by("-occurred_at", "-id")[:50])
    audit_access(actor=user, action="selfservice.enterprise.view", obj=enterprise,
                 detail={"grade": state.grade if state else None, "channel": "self-service"})
    return OwnDossier(enterprise, state, evaluation, tiers, sorted(by_year.items(), reverse=True), history, external,
                      changes, current_keys)


# --- the enterprise's entries on the public lists -------------------------------------------------------


@dataclass(frozen=True)
class OwnEntry:
    """One of the enterprise's own list entries, public or archived."""

    kind: str  # TargetKind value
    id: int
    label: str  # the list
    name: str
    facts: str
    since: date
    until: date | None
    state_label: str
    public: bool

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def own_entries(*, user, enterprise: Enterprise) -> list[OwnEntry]:
    """The enterprise's red-list entries, published A and black-list entries (SPEC §7.1: the
    enterprise sees its own, public and archived), public ones first."""
    from qcredit.lists.services.published_a import PUBLIC_REASON
    from qcredit.redlist.models import Entry

    own = lists_selectors.enterprise_own_lists(user=user, enterprise=enterprise)
    today = _today()
    entries = [OwnEntry(TargetKind.REDLIST.value, e.pk, f"{TargetKind.REDLIST.label}（{e.redlist.name}）", e.name,
                        e.credit_facts, e.published_on, e.valid_until, e.get_state_display(),
                        e.state == Entry.State.PUBLISHED and e.published_on <= today <= e.valid_until)
               for e in Entry.objects.filter(enterprise=enterprise).select_related("redlist")]
    entries += [OwnEntry(TargetKind.PUBLISHED_A.value, p.pk, TargetKind.PUBLISHED_A.label, p.name, PUBLIC_REASON,
                         p.published_on, p.valid_until, p.get_state_display(),
                         p.is_public and p.published_on <= today <= p.valid_until) for p in own.published]
    entries += [OwnEntry(TargetKind.BLACKLIST.value, b.pk, TargetKind.BLACKLIST.label, b.name, b.facts, b.listed_on,
                         None, b.get_state_display(), b.is_public) for b in own.blacklist]
    return sorted(entries, key=lambda e: (not e.public, -e.since.toordinal(), e.kind, -e.id))


def _today() -> date:
    from qcredit.lists.services import common

    return common.today()


# --- objections the enterprise lodged ----------------------------------------------------------------------


def own_objections(*, enterprise: Enterprise) -> list[tuple[Objection, object]]:
    """Objections lodged through the accounts of this enterprise, each with what the objector may
    follow by its receipt (:func:`qcredit.lists.selectors.objection_status_public`: status, due
    date, answer — never the assignee or the internal route)."""
    objections = Objection.objects.filter(lodged_by__enterprise_account__enterprise=enterprise).order_by(
        "-lodged_at", "-id")
    return [(o, lists_selectors.objection_status_public(o.receipt)) for o in objections]
