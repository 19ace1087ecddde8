"""Early warning of C enterprises (SPEC §9; QCO 四(三)): services and selectors.

QCO 四(三) 惩戒失信企业，实施重点监督: "将 C 级企业列入监管重点 … 对于已经获得质量奖励和正享受质检部门
扶优扶强政策的企业，依照有关规定给予撤销或暂停 … 加强质量失信企业风险分析，对风险较大的企业进行预警或黄牌
警告".

- **Risk score** of every C enterprise, set-based (:func:`risk_rows`: a constant number of queries
  for the inputs, the formula of :mod:`qcredit.supervision.risk` in Python over the rows);
  :func:`warning_queue` is the staff queue ordered by risk (a read of internal grades: logged).
- **Yellow-card warning letters** (:func:`warning_letter_issue`): by a division or the office of a
  unit covering the enterprise, to a C enterprise only; adverse facts with articles and evidence,
  the C measures of the catalogue, a rectification deadline in working days; the PDF as issued
  is kept; the enterprise's accounts are told and may download it (:func:`warning_letter_pdf`),
  nobody else outside the jurisdiction. Never public.
- **Honours and preferential policies** of an enterprise that becomes C (or D): one review item per
  honour record and per active policy, once per episode (:func:`honour_reviews_open`, called on
  commit of a grading run by :func:`honour_reviews_react` and daily by
  :func:`honour_reviews_reconcile`); a division decides revoke / suspend / keep with reasons
  (:func:`honour_review_decide`): a revoked honour ends in the archive (a correction of its
  ``valid_to``), a policy changes state.

Every write: role and jurisdiction first, one transaction, the audit event as its last write.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from qcredit.accounts.models import Membership, Role, Unit
from qcredit.accounts.services import (
    AccessDenied,
    AccessErrorCode,
    authorize,
    has_role,
    notify,
    staff_jurisdictions,
)
from qcredit.archive.models import Enterprise, Record
from qcredit.audit.services import audit_access, audit_write
from qcredit.grading.models import GradeChange, GradeState
from qcredit.grading.services import available_rulesets, parse_evidence, ruleset_on
from qcredit.rules.facts import CURRENT
from qcredit.rules.kinds import CHOICE_LABELS, KINDS, display_value

from . import risk
from .models import Measure
from .models_warnings import HonourPolicyReview, PreferentialPolicy, WarningLetter

log = logging.getLogger(__name__)

C_OR_D = ("C", "D")
ISSUER_ROLES = (Role.DIVISION, Role.OFFICE)  # 领导小组办公室 or the division of the field (SPEC §1)
DECIDER_ROLES = (Role.DIVISION,)  # the division keeps the archive of its field, honours included
POLICY_ROLES = (Role.DIVISION, Role.ADMIN)
_REVIEW_LOCK = 0x7163726576696577  # "qcreview": one opening run at a time (PostgreSQL)

PROVINCE_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑", "31": "沪",
    "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘",
    "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕",
    "62": "甘", "63": "青", "64": "宁", "65": "新",
}
MAX_RECTIFICATION_WORKDAYS = 120
MAX_REMARKS = 1000
MAX_REASON = 1000


class WarningErrorCode(enum.Enum):
    NOT_C = "not_c"  # a letter goes to a C enterprise only
    LETTER_RUNNING = "letter_running"  # an earlier letter is still inside its rectification period
    INVALID = "invalid"  # a field is invalid (the message names it)
    REASON_REQUIRED = "reason_required"
    WRONG_STATE = "wrong_state"
    PDF_UNAVAILABLE = "pdf_unavailable"  # the CJK font for the PDF is missing


class WarningError(Exception):
    def __init__(self, code: WarningErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def today() -> date:
    """The local date (Asia/Shanghai) on which the services act."""
    from qcredit.grading.services import today as grading_today

    return grading_today()


def _jurisdiction_q(jurisdictions: Iterable[str], field_name: str) -> Q:
    q = Q(pk__in=[])
    for j in jurisdictions:
        q |= Q(**{f"{field_name}__startswith": j})
    return q


def _staff_jurisdictions_or_refuse(user) -> list[str]:
    jurisdictions = staff_jurisdictions(user)
    if not jurisdictions:
        raise AccessDenied(AccessErrorCode.NO_ROLE, "风险预警是内部信息，只有在监管单位担任角色的工作人员可以查看")
    return jurisdictions


# --- the risk score, set-based (SPEC §9) ---------------------------------------------------------------


@dataclass
class AdverseFact:
    """A C/D criterion that holds, with its evidence records (the archive versions the snapshot cites)."""

    id: str
    article: str
    text: str
    check: str
    record_keys: tuple[int, ...]


@dataclass
class WarningCandidate:
    enterprise: Enterprise
    grade: str
    since: date
    as_of: date
    ruleset: str
    evaluation_id: int
    adverse: list[AdverseFact]
    score: risk.RiskScore
    last_letter: WarningLetter | None = None
    open_reviews: int = 0
    external: tuple[risk.ExternalRating, ...] = field(default_factory=tuple)


def _adverse_index(ruleset) -> list[tuple[int, object, tuple[str, ...]]]:
    """The C/D criteria of a rule set: (position in the holds code, criterion, evidence facts)."""
    return [(i, c, tuple(f.name for f in c.evidence())) for i, c in enumerate(ruleset.criteria)
            if c.tier in C_OR_D]


def _adverse_of(state: GradeState, rulesets: dict, index: dict) -> list[AdverseFact]:
    """The C/D criteria that hold in the state's snapshot with their evidence keys — what
    ``rules.evaluate.evaluation_from_snapshot`` reads, for the adverse criteria only (the queue
    reads thousands of snapshots; the full explanation of each would cost 1.5 ms apiece)."""
    ev = state.evaluation
    ruleset = rulesets.get(ev.ruleset)
    if ruleset is None or len(ev.holds) != len(ruleset.criteria):
        return []
    if ev.ruleset not in index:
        index[ev.ruleset] = _adverse_index(ruleset)
    evidence = parse_evidence(ev.evidence)
    found = []
    for i, criterion, facts in index[ev.ruleset]:
        if ev.holds[i] == "1":
            keys = tuple(dict.fromkeys(k for name in facts for k in evidence.get(name, ())))
            found.append(AdverseFact(criterion.id, criterion.article, criterion.text, criterion.check, keys))
    return found


def risk_rows(*, states: QuerySet, on: date | None = None) -> list[WarningCandidate]:
    """The risk score of every enterprise of ``states`` (a GradeState queryset), highest first.
    Four queries whatever the number of enterprises: the states with their snapshots, the
    records of the look-back (earlier adverse records and external credit), the grade changes
    of the look-back, the newest letters."""
    on = on or today()
    values = risk.parameters_on(on)
    lookback = risk.lookback_start(on, values)
    ruleset = ruleset_on(on)
    current_start = CURRENT.after(on, ruleset.parameter_values(on))
    matches = risk.adverse_matches(ruleset)
    kinds = sorted({m.kind for m in matches})
    columns = sorted({c.field for m in matches for c in m.conditions})
    rulesets = {r.version: r for r in available_rulesets()}
    is_adverse = risk.adverse_record_test(ruleset)
    index: dict = {}

    rows = list(states.select_related("enterprise", "evaluation").order_by("enterprise_id"))
    ids = states.values("enterprise_id")
    prior: dict[int, set] = {}
    external: dict[int, list[risk.ExternalRating]] = {}
    records = (Record.objects.current().filter(enterprise_id__in=ids)
               .filter(Q(kind="external_credit", date__gt=lookback, date__lte=on)
                       | Q(kind__in=kinds, date__gt=lookback, date__lte=current_start))
               .values("enterprise_id", "kind", "date", "source", "record_id", "provider", "rating", *columns))
    for row in records:
        if row["kind"] == "external_credit":
            external.setdefault(row["enterprise_id"], []).append(
                risk.ExternalRating(row["provider"], row["rating"], row["date"]))
        elif is_adverse(SimpleNamespace(**row)):
            prior.setdefault(row["enterprise_id"], set()).add((row["source"], row["record_id"]))
    changes: dict[int, list[tuple[str, str]]] = {}
    for enterprise_id, old, new in (GradeChange.objects.filter(enterprise_id__in=ids, as_of__gt=lookback,
                                                                as_of__lte=on)
                                    .order_by("enterprise_id", "occurred_at", "id")
                                    .values_list("enterprise_id", "from_grade", "to_grade")):
        changes.setdefault(enterprise_id, []).append((old, new))
    letters: dict[int, WarningLetter] = {}
    for letter in WarningLetter.objects.filter(enterprise_id__in=ids).defer("pdf").order_by("enterprise_id",
                                                                                           "-issued_at", "-id"):
        letters.setdefault(letter.enterprise_id, letter)

    out = []
    for state in rows:
        adverse = _adverse_of(state, rulesets, index)
        newest = risk.newest_per_provider(external.get(state.enterprise_id, ()))
        inputs = risk.RiskInputs(
            uscc=state.enterprise.uscc,
            adverse=tuple(risk.AdverseCriterion(a.id, len(a.record_keys)) for a in adverse),
            current_records=len({k for a in adverse for k in a.record_keys}),
            prior_records=len(prior.get(state.enterprise_id, ())),
            grade_drops=risk.grade_drops(changes.get(state.enterprise_id, ())),
            external=newest)
        out.append(WarningCandidate(
            enterprise=state.enterprise, grade=state.grade, since=state.since, as_of=state.as_of,
            ruleset=state.evaluation.ruleset, evaluation_id=state.evaluation_id, adverse=adverse,
            score=risk.risk_score(inputs, values), last_letter=letters.get(state.enterprise_id), external=newest))
    out.sort(key=lambda c: risk.ranking_key(c.score, since=c.since))
    return out


def warning_queue(*, user, band: str = "", region: str = "", on: date | None = None) -> list[WarningCandidate]:
    """The C enterprises of the reader's jurisdictions by risk, highest first (SPEC §9). A read of
    internal grades and criteria (SPEC §7.1): one access event per view."""
    jurisdictions = _staff_jurisdictions_or_refuse(user)
    states = GradeState.objects.filter(grade="C").filter(_jurisdiction_q(jurisdictions, "enterprise__region"))
    if region:
        states = states.filter(enterprise__region__startswith=region)
    rows = risk_rows(states=states, on=on)
    if band:
        rows = [r for r in rows if r.score.band == band]
    audit_access(actor=user, action="supervision.warning_queue.view",
                 detail={"jurisdictions": jurisdictions, "region": region, "band": band, "count": len(rows)})
    return rows


def warning_candidate(*, user, enterprise: Enterprise, on: date | None = None) -> WarningCandidate | None:
    """One enterprise's risk and facts for the letter form; None outside the reader's
    jurisdictions (the page answers 404) or when it is not C/D. Logged as an access."""
    if not any(enterprise.region.startswith(j) for j in staff_jurisdictions(user)):
        return None
    rows = risk_rows(states=GradeState.objects.filter(enterprise=enterprise, grade__in=C_OR_D), on=on)
    if not rows:
        return None
    audit_access(actor=user, action="supervision.warning_candidate.view", obj=enterprise,
                 detail={"grade": rows[0].grade, "score": rows[0].score.score})
    return rows[0]


def may_issue(user, enterprise: Enterprise) -> bool:
    return has_role(user=user, role=ISSUER_ROLES, region=enterprise.region)


# --- measures (the catalogue, QCO 四) ------------------------------------------------------------------


def _has_honours(enterprise: Enterprise, on: date) -> bool:
    return (_honours_in_force(on).filter(enterprise=enterprise).exists()
            or _policies_in_force(on).filter(enterprise=enterprise).exists())


def measures_of(*, enterprise: Enterprise, grade: str, on: date | None = None) -> list[Measure]:
    """The active measures of ``grade`` in the catalogue (QCO 四) that concern this enterprise."""
    from .selectors import measures_for

    return measures_for(grade=grade, exporter=enterprise.exporter, licence_required=enterprise.licence_required,
                        has_honours=_has_honours(enterprise, on or today()))


# --- yellow-card warning letters (黄牌警告) ---------------------------------------------------------------


def _record_facts(record: Record) -> dict:
    kind = KINDS[record.kind]
    return {"record_id": record.record_id, "source": record.source, "kind": record.kind, "kind_label": kind.label,
            "date": record.date.isoformat(), "ref": record.ref,
            "fields": [[f.label, display_value(f, getattr(record, f.name))] for f in kind.fields]}


def letter_facts(adverse: list[AdverseFact]) -> list[dict]:
    """The adverse facts as a letter states them: each criterion with its article and words, and
    the archive records it rests on (one query)."""
    keys = {k for a in adverse for k in a.record_keys}
    records = {r.pk: r for r in Record.objects.filter(pk__in=keys)}
    return [{"id": a.id, "article": a.article, "text": a.text, "check": a.check,
             "records": [_record_facts(records[k]) for k in a.record_keys if k in records]}
            for a in adverse]


def _episode_of(enterprise_id: int):
    """The GradeChange that took the enterprise into C/D (the current episode), if any."""
    return (GradeChange.objects.filter(enterprise_id=enterprise_id, to_grade__in=C_OR_D)
            .exclude(from_grade__in=C_OR_D).order_by("-occurred_at", "-id").first())


def _letter_number(numbering: str, year: int, serial: int) -> str:
    abbreviation = PROVINCE_ABBREVIATIONS.get(numbering[:2], "")
    local = "" if len(numbering) <= 2 else f"{numbering}-"
    return f"{abbreviation}质信警〔{year}〕{local}{serial}号"


def render_letter_pdf(context: dict) -> bytes:
    """The letter as PDF, with the embedded CJK font (qcredit.web.pdf: the same font file and the
    same fetcher that loads nothing but that font as the public notices)."""
    from qcredit.web.pdf import PdfFontMissing, render_pdf

    try:
        return render_pdf("supervision/warnings/letter_pdf.html", context)
    except PdfFontMissing as exc:
        raise WarningError(WarningErrorCode.PDF_UNAVAILABLE, "服务器缺少生成PDF所需的中文字体，暂不能签发警告书") from exc


def warning_letter_issue(*, enterprise: Enterprise, rectification_workdays: int, remarks: str = "", actor,
                         on: date | None = None) -> WarningLetter:
    """Issue a yellow-card warning letter (黄牌警告书, QCO 四(三)) to a C enterprise. ``on`` is the
    issuing day (today by default)."""
    from qcredit.lists.services.common import bureau_of
    from qcredit.workdays.calendar import add_workdays

    membership = authorize(user=actor, role=ISSUER_ROLES, region=enterprise.region)
    on = on or today()
    if (not isinstance(rectification_workdays, int) or isinstance(rectification_workdays, bool)
            or not 1 <= rectification_workdays <= MAX_RECTIFICATION_WORKDAYS):
        raise WarningError(WarningErrorCode.INVALID,
                           f"整改期限应为 1 至 {MAX_RECTIFICATION_WORKDAYS} 个工作日")
    remarks = (remarks or "").strip()
    if len(remarks) > MAX_REMARKS:
        raise WarningError(WarningErrorCode.INVALID, f"整改要求不能超过 {MAX_REMARKS} 字（现为 {len(remarks)} 字）")
    rectify_by = add_workdays(on, rectification_workdays)  # MissingHolidayYear names the year

    with transaction.atomic():
        state = (GradeState.objects.select_for_update().select_related("evaluation", "enterprise")
                 .filter(enterprise=enterprise).first())
        if state is None or state.grade != "C":
            grade = state.get_grade_display() if state else "未评价"
            raise WarningError(WarningErrorCode.NOT_C,
                               f"黄牌警告只对C级（失信）企业发出（QCO 四(三)）；{enterprise.name}当前为{grade}")
        episode = _episode_of(enterprise.pk)
        running = (WarningLetter.objects.filter(enterprise=enterprise, rectify_by__gte=on)
                   .order_by("-issued_at").first())
        if running is not None:
            raise WarningError(WarningErrorCode.LETTER_RUNNING,
                               f"已发出黄牌警告书 {running.number}，整改期限至{running.rectify_by:%Y年%m月%d日}，"
                               "期限届满前不再重复发出")
        candidate = risk_rows(states=GradeState.objects.filter(pk=state.pk), on=on)[0]
        facts = letter_facts(candidate.adverse)
        measures = [{"text": m.text, "article": m.article, "quote": m.quote}
                    for m in measures_of(enterprise=enterprise, grade="C", on=on)]
        bureau = bureau_of(membership.unit)
        numbering = bureau.jurisdiction
        Unit.objects.select_for_update().filter(pk=bureau.pk).first()  # serialises the numbering
        serial = (WarningLetter.objects.filter(numbering=numbering, year=on.year)
                  .order_by("-serial").values_list("serial", flat=True).first() or 0) + 1
        number = _letter_number(numbering, on.year, serial)
        context = {"number": number, "authority": bureau.name, "enterprise": enterprise, "issued_on": on,
                   "facts": facts, "measures": measures, "rectification_workdays": rectification_workdays,
                   "rectify_by": rectify_by, "remarks": remarks, "as_of": state.evaluation.as_of,
                   "ruleset": state.evaluation.ruleset}
        pdf = render_letter_pdf(context)
        letter = WarningLetter.objects.create(
            enterprise=enterprise, number=number, numbering=numbering, year=on.year, serial=serial,
            unit=membership.unit, authority=bureau.name, issued_by=actor, issued_on=on, issued_at=timezone.now(),
            evaluation=state.evaluation, episode=episode, risk_score=candidate.score.score,
            risk_band=candidate.score.band, risk=candidate.score.as_dict(), facts=facts, measures=measures,
            rectification_workdays=rectification_workdays, rectify_by=rectify_by, remarks=remarks, pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest())
        _notify_enterprise(letter)
        audit_write(actor=actor, membership=membership, action="supervision.warning_letter.issue", obj=letter,
                    after={"number": number, "enterprise": enterprise.uscc, "criteria": [f["id"] for f in facts],
                           "risk_score": letter.risk_score, "risk_band": letter.risk_band,
                           "rectify_by": rectify_by.isoformat(), "pdf_sha256": letter.pdf_sha256})
    return letter


def _notify_enterprise(letter: WarningLetter) -> None:
    from django.contrib.auth import get_user_model
    from django.urls import NoReverseMatch, reverse

    try:
        link = reverse("supervision:enterprise-warning-letters")
    except NoReverseMatch:
        link = ""
    users = get_user_model().objects.filter(is_active=True, enterprise_account__enterprise=letter.enterprise)
    notify(recipients=users, subject=f"黄牌警告书 {letter.number}",
           body=(f"{letter.authority}向贵单位发出质量信用黄牌警告书（{letter.number}），请于"
                 f"{letter.rectify_by:%Y年%m月%d日}前完成整改。警告书可在企业服务中查看和下载。"),
           link=link)


def warning_letters(*, user, enterprise: Enterprise | None = None) -> QuerySet:
    """Letters of the reader's jurisdictions (newest first), without the PDF bytes."""
    jurisdictions = _staff_jurisdictions_or_refuse(user)
    letters = (WarningLetter.objects.filter(_jurisdiction_q(jurisdictions, "enterprise__region"))
               .select_related("enterprise", "issued_by").defer("pdf"))
    if enterprise is not None:
        letters = letters.filter(enterprise=enterprise)
    return letters


def warning_letter_detail(*, user, pk: int) -> WarningLetter | None:
    """A letter for staff of the enterprise's jurisdiction (an access event), else None."""
    letter = WarningLetter.objects.select_related("enterprise", "issued_by", "unit").defer("pdf").filter(pk=pk).first()
    if letter is None or not any(letter.enterprise.region.startswith(j) for j in staff_jurisdictions(user)):
        return None
    audit_access(actor=user, action="supervision.warning_letter.view", obj=letter,
                 detail={"enterprise": letter.enterprise.uscc})
    return letter


def enterprise_warning_letters(*, user) -> list[WarningLetter]:
    """The letters of the enterprise the user's account belongs to (its own only)."""
    account = getattr(user, "enterprise_account", None) if user.is_authenticated else None
    if account is None:
        raise AccessDenied(AccessErrorCode.NOT_OWN_ENTERPRISE, "只有企业账号可以查看本企业收到的黄牌警告书")
    return list(WarningLetter.objects.filter(enterprise_id=account.enterprise_id).defer("pdf")
                .order_by("-issued_at", "-id"))


def warning_letter_pdf(*, letter_id: int, user) -> tuple[WarningLetter, bytes] | None:
    """The PDF as issued, for staff of the enterprise's jurisdiction or the enterprise's own
    accounts; None for anyone else (the page answers 404, as if it did not exist). Each download
    is an access event; the enterprise's first download is recorded as its receipt (送达)."""
    letter = WarningLetter.objects.select_related("enterprise").filter(pk=letter_id).first()
    if letter is None or user is None or not user.is_authenticated:
        return None
    account = getattr(user, "enterprise_account", None)
    if account is not None and account.enterprise_id == letter.enterprise_id:
        if letter.received_at is None:
            _receive(letter=letter, actor=user)
        audit_access(actor=user, action="supervision.warning_letter.download", obj=letter,
                     detail={"by": "enterprise"})
        return letter, bytes(letter.pdf)
    if any(letter.enterprise.region.startswith(j) for j in staff_jurisdictions(user)):
        audit_access(actor=user, action="supervision.warning_letter.download", obj=letter, detail={"by": "staff"})
        return letter, bytes(letter.pdf)
    return None


def _receive(*, letter: WarningLetter, actor) -> None:
    with transaction.atomic():
        updated = WarningLetter.objects.filter(pk=letter.pk, received_at__isnull=True).update(
            received_at=timezone.now(), received_by=actor)
        if updated:
            audit_write(actor=actor, action="supervision.warning_letter.receive", obj=letter,
                        after={"received": True})


# --- honours and preferential policies of an enterprise that becomes C (QCO 四(三)) ----------------------


def _honours_in_force(on: date) -> QuerySet:
    """Honour records in the archive now that count on ``on`` (SPEC §5.1: dated on or before, and no
    ``valid_to`` or one not before)."""
    return (Record.objects.current().filter(kind="honour", date__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)))


def _policies_in_force(on: date) -> QuerySet:
    return (PreferentialPolicy.objects.filter(state=PreferentialPolicy.State.ACTIVE)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)))


def honour_label(record: Record) -> str:
    kind = CHOICE_LABELS.get(record.honour_type, record.honour_type)
    parts = [CHOICE_LABELS.get(record.level, record.level), record.issued_by, record.ref]
    return f"{kind}（{'，'.join(p for p in parts if p)}）" if any(parts) else kind


def _id_filter(ids):
    return ids if isinstance(ids, QuerySet) else list(ids)


def honour_reviews_open(*, on: date | None = None, enterprise_ids=None) -> list[HonourPolicyReview]:
    """Open a review item for every honour in force and every active preferential policy of the
    enterprises now C or D (of ``enterprise_ids``, a queryset or ids; all when None) that has none
    in the current episode. Idempotent: a second run opens nothing. Set-based: four reads, one
    bulk insert, one audit event per enterprise with new items."""
    on = on or today()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REVIEW_LOCK])
        episode = (GradeChange.objects.filter(enterprise=OuterRef("enterprise_id"), to_grade__in=C_OR_D)
                   .exclude(from_grade__in=C_OR_D).order_by("-occurred_at", "-id").values("id")[:1])
        states = GradeState.objects.filter(grade__in=C_OR_D)
        if enterprise_ids is not None:
            states = states.filter(enterprise_id__in=_id_filter(enterprise_ids))
        episodes = {e: g for e, g in states.annotate(episode=Subquery(episode)).values_list("enterprise_id", "episode")
                    if g is not None}
        if not episodes:
            return []
        sub = states.values("enterprise_id")
        existing = set(HonourPolicyReview.objects.filter(episode_id__in=episodes.values())
                       .values_list("episode_id", "subject_key"))
        now = timezone.now()
        new: list[HonourPolicyReview] = []
        for record in _honours_in_force(on).filter(enterprise_id__in=sub).order_by("enterprise_id", "date", "id"):
            key = f"honour:{record.source}/{record.record_id}"
            episode_id = episodes.get(record.enterprise_id)
            if episode_id is not None and (episode_id, key) not in existing:
                existing.add((episode_id, key))
                new.append(HonourPolicyReview(
                    enterprise_id=record.enterprise_id, episode_id=episode_id,
                    subject_kind=HonourPolicyReview.Subject.HONOUR, subject_key=key, honour=record,
                    label=honour_label(record)[:300], opened_on=on, opened_at=now))
        for policy in _policies_in_force(on).filter(enterprise_id__in=sub).order_by("enterprise_id", "id"):
            key = f"policy:{policy.pk}"
            episode_id = episodes.get(policy.enterprise_id)
            if episode_id is not None and (episode_id, key) not in existing:
                existing.add((episode_id, key))
                new.append(HonourPolicyReview(
                    enterprise_id=policy.enterprise_id, episode_id=episode_id,
                    subject_kind=HonourPolicyReview.Subject.POLICY, subject_key=key, policy=policy,
                    label=str(policy)[:300], opened_on=on, opened_at=now))
        if not new:
            return []
        HonourPolicyReview.objects.bulk_create(new)
        by_enterprise: dict[int, list[HonourPolicyReview]] = {}
        for item in new:
            by_enterprise.setdefault(item.enterprise_id, []).append(item)
        grades = dict(GradeState.objects.filter(enterprise_id__in=list(by_enterprise)).values_list("enterprise_id",
                                                                                                  "grade"))
        for enterprise in Enterprise.objects.filter(pk__in=list(by_enterprise)).order_by("pk"):
            items = by_enterprise[enterprise.pk]
            audit_write(actor=None, action="supervision.honour_review.open", obj=enterprise,
                        after={"grade": grades.get(enterprise.pk), "episode": items[0].episode_id,
                               "items": [i.subject_key for i in items]},
                        reason="企业列为C级（失信）或D级，质量奖励和扶优政策依照有关规定审查撤销或暂停（QCO 四(三)）")
    return new


def honour_reviews_react(*, run) -> int | str:
    """The ``grades_changed`` receiver (on commit of a grading run): the enterprises the run took
    into C/D, read by sub-select of its GradeChange rows. A failure is logged and never breaks the
    archive write that committed; the daily reconcile repeats the work."""
    moved = (GradeChange.objects.filter(run=run, to_grade__in=C_OR_D).exclude(from_grade__in=C_OR_D)
             .values("enterprise_id"))
    try:
        return len(honour_reviews_open(enterprise_ids=moved))
    except Exception:
        log.exception("supervision: honour/policy reviews for grading run %s failed; the daily reconcile will "
                      "repeat them", getattr(run, "pk", run))
        return "failed"


def honour_reviews_reconcile(*, today: date | None = None) -> dict:
    """Daily: open the review items a missed reaction did not (and items for honours or policies
    recorded while the enterprise was already C/D)."""
    return {"opened": len(honour_reviews_open(on=today))}


def honour_reviews(*, user, state: str = "") -> QuerySet:
    """Review items of the reader's jurisdictions, open first (internal: they tell that the
    enterprise is C or D). The view logs the access."""
    jurisdictions = _staff_jurisdictions_or_refuse(user)
    items = (HonourPolicyReview.objects.filter(_jurisdiction_q(jurisdictions, "enterprise__region"))
             .select_related("enterprise", "episode", "policy", "honour", "decided_by"))
    if state:
        items = items.filter(state=state)
    return items.order_by("-state", "opened_on", "id") if not state else items.order_by("opened_on", "id")


def honour_review_detail(*, user, pk: int) -> HonourPolicyReview | None:
    item = (HonourPolicyReview.objects.select_related("enterprise", "episode", "policy", "honour", "decided_by",
                                                      "decided_unit", "applied_record").filter(pk=pk).first())
    if item is None or not any(item.enterprise.region.startswith(j) for j in staff_jurisdictions(user)):
        return None
    audit_access(actor=user, action="supervision.honour_review.view", obj=item,
                 detail={"enterprise": item.enterprise.uscc})
    return item


def may_decide(user, item: HonourPolicyReview) -> bool:
    return item.state == HonourPolicyReview.State.OPEN and has_role(user=user, role=DECIDER_ROLES,
                                                                   region=item.enterprise.region)


def honour_review_decide(*, review: HonourPolicyReview, decision: str, reason: str, actor,
                         on: date | None = None) -> HonourPolicyReview:
    """Decide a review item (QCO 四(三) "依照有关规定给予撤销或暂停"): revoke, suspend or keep, always with
    reasons. A revoked honour ends in the archive the day before the decision (a correction of its
    ``valid_to``, through the archive service, which regrades); a policy is suspended or revoked.
    A suspended honour stays in the archive (SPEC §3 has no suspended honour) and is marked here."""
    from qcredit.archive.services import record_correct

    membership = authorize(user=actor, role=DECIDER_ROLES, region=review.enterprise.region)
    on = on or today()
    if decision not in HonourPolicyReview.Decision.values:
        raise WarningError(WarningErrorCode.INVALID, "决定只能是撤销、暂停或保留")
    reason = (reason or "").strip()
    if not reason:
        raise WarningError(WarningErrorCode.REASON_REQUIRED, "请说明理由（撤销、暂停或保留都须说明）")
    if len(reason) > MAX_REASON:
        raise WarningError(WarningErrorCode.INVALID, f"理由不能超过 {MAX_REASON} 字（现为 {len(reason)} 字）")
    label = HonourPolicyReview.Decision(decision).label
    with transaction.atomic():
        item = HonourPolicyReview.objects.select_for_update().select_related("enterprise").get(pk=review.pk)
        if item.state != HonourPolicyReview.State.OPEN:
            raise WarningError(WarningErrorCode.WRONG_STATE, f"该审查事项已于{item.decided_on:%Y年%m月%d日}作出决定")
        before = {"state": item.state}
        after: dict = {"decision": decision, "subject": item.subject_key}
        if item.subject_kind == HonourPolicyReview.Subject.POLICY and decision != HonourPolicyReview.Decision.KEEP:
            policy = PreferentialPolicy.objects.select_for_update().get(pk=item.policy_id)
            step = policy.suspend if decision == HonourPolicyReview.Decision.SUSPEND else policy.revoke
            from django_fsm import can_proceed

            if not can_proceed(step):
                raise WarningError(WarningErrorCode.WRONG_STATE,
                                   f"该扶优政策当前为“{policy.get_state_display()}”，不能{label}")
            step()
            policy.state_changed_on = on
            policy.save()
            after["policy_state"] = policy.state
        if item.subject_kind == HonourPolicyReview.Subject.HONOUR and decision == HonourPolicyReview.Decision.REVOKE:
            current = (Record.objects.current().filter(source=item.honour.source, record_id=item.honour.record_id)
                       .first())
            end = on - timedelta(days=1)
            if current is not None and (current.valid_to is None or current.valid_to > end):
                note = f"{current.note}\n【撤销】{on:%Y年%m月%d日}依 QCO 四(三)撤销：{reason}".strip()
                item.applied_record = record_correct(
                    record=current, data={"valid_to": end.isoformat(), "note": note},
                    reason=f"质量奖励撤销（QCO 四(三)）：{reason}", actor=actor, via="supervision")
                after["honour_valid_to"] = end.isoformat()
        item.decide()
        item.decision = decision
        item.reason = reason
        item.decided_by = actor
        item.decided_unit = membership.unit
        item.decided_on = on
        item.save()
        audit_write(actor=actor, membership=membership, action="supervision.honour_review.decide", obj=item,
                    before=before, after=after, reason=reason)
    return item


# --- preferential policies (admin) -----------------------------------------------------------------------


def preferential_policy_save(*, policy: PreferentialPolicy, actor, reason: str = "") -> PreferentialPolicy:
    """Register or correct a preferential policy (its state changes only by a review decision).
    A division or an admin of a unit covering the enterprise."""
    membership = authorize(user=actor, role=POLICY_ROLES, region=policy.enterprise.region)
    if policy.valid_to is not None and policy.valid_to < policy.granted_on:
        raise WarningError(WarningErrorCode.INVALID, "有效期至不能早于给予日期")
    fields = ("enterprise_id", "kind", "name", "granted_by", "granted_on", "valid_to", "ref", "note")
    with transaction.atomic():
        old = PreferentialPolicy.objects.filter(pk=policy.pk).values(*fields).first() if policy.pk else None
        policy.save()
        after = {f: (str(getattr(policy, f)) if getattr(policy, f) is not None else None) for f in fields}
        audit_write(actor=actor, membership=membership,
                    action=f"supervision.preferential_policy.{'change' if old else 'create'}", obj=policy,
                    before={k: (str(v) if v is not None else None) for k, v in old.items()} if old else None,
                    after=after, reason=reason or "")
    return policy


def acting_jurisdictions(user, roles) -> list[str]:
    """The jurisdictions in which ``user`` holds one of ``roles`` (to offer actions per row
    without a query per row; the services decide again)."""
    return sorted(set(Membership.objects.filter(user=user, role__in=[str(r) for r in roles], unit__active=True)
                      .values_list("unit__jurisdiction", flat=True)))
