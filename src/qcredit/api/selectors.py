"""Reads of the partner API (HackSoft selectors), in two strictly separate halves.

**Public** (scope ``public``): exactly what the public portal shows (SPEC §7.1). It reads only
:mod:`qcredit.portal.selectors` — the enterprise's public registration fields and the public
entries assembled from the apps' public selectors (:func:`qcredit.redlist.selectors.public_entries`,
:func:`qcredit.lists.selectors.published_a_public`, :func:`~qcredit.lists.selectors.blacklist_public`
and their partner field sets) — so the API cannot show more than the portal, and nothing here
imports a grade, a criterion or evidence.

**Internal** (scope ``internal-grade``): the current grade, its rule-set version and criteria,
and the external credit beside it (SPEC §3, §4.2), for enterprises in the client's jurisdiction;
every read is an access event in the audit trail (SPEC §7.1 "partner token: only with an
explicit internal scope, logged", §7.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from qcredit.accounts.models import covers
from qcredit.portal import selectors as public

# --- public ----------------------------------------------------------------------------------------

LIST_SLUGS = {"redlist": "redlist", "published-a": "a-list", "blacklist": "blacklist"}  # API path → portal slug
API_LIST = {portal: api for api, portal in LIST_SLUGS.items()}


@dataclass(frozen=True)
class PublicEntry:
    """One entry of a public list, in the partner field set of SPEC §7.2 plus region, industry
    and the enterprise's approved statement."""

    list: str  # redlist | published-a | blacklist
    category: str  # 名单类别
    list_name: str
    name: str  # 主体名称
    uscc: str  # 统一社会信用代码
    region: str
    industry: str
    reason: str  # 列入原因
    authority: str  # 认定部门
    listed_on: date  # 列入日期
    valid_until: date | None  # 有效期至
    source_unit: str = ""  # 数据来源单位
    source_unit_uscc: str = ""  # 数据来源单位统一社会信用代码
    statement: str = ""
    _redlist_entry_id: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PublicEnterprise:
    uscc: str
    name: str
    region: str
    industry: str
    entries: list[PublicEntry]


def _entry(row: public.Listing) -> PublicEntry:
    return PublicEntry(list=API_LIST[row.list], category=row.category, list_name=row.list_name, name=row.name,
                       uscc=row.uscc, region=row.region, industry=row.industry, reason=row.reason,
                       authority=row.authority, listed_on=row.listed_on, valid_until=row.valid_until,
                       statement=row.statement, _redlist_entry_id=row.redlist_entry_id)


def _source_units(portal_slugs: set[str]) -> dict[tuple, tuple[str, str]]:
    """(list, USCC, 列入日期, 认定部门) → (数据来源单位, 其统一社会信用代码), from the open-data rows."""
    out = {}
    for slug in portal_slugs:
        for row in public.open_data_rows(list_slug=slug):
            key = (slug, row["统一社会信用代码"], row["列入日期"], row["认定部门"])
            out[key] = (row["数据来源单位"], row["数据来源单位统一社会信用代码"])
    return out


def completed(entries: list[PublicEntry]) -> list[PublicEntry]:
    """Fill in the statements of red-list entries and the source units (for one page of rows:
    the statements cost a query per red-list row)."""
    units = _source_units({LIST_SLUGS[e.list] for e in entries})
    out = []
    for e in entries:
        statement = e.statement
        if e._redlist_entry_id is not None and not statement:
            statement = public.with_statements([public.Listing(
                list="redlist", category=e.category, list_name=e.list_name, name=e.name, uscc=e.uscc, region=e.region,
                reason=e.reason, authority=e.authority, listed_on=e.listed_on, valid_until=e.valid_until,
                redlist_entry_id=e._redlist_entry_id)])[0].statement
        unit, unit_uscc = units.get((LIST_SLUGS[e.list], e.uscc, e.listed_on.isoformat(), e.authority), ("", ""))
        out.append(replace(e, statement=statement, source_unit=unit, source_unit_uscc=unit_uscc))
    return out


def enterprise_public(*, uscc: str) -> PublicEnterprise | None:
    """The public page of an enterprise as data: registration fields and public entries. An
    enterprise on no public list gets the same answer whatever its internal grade."""
    found = public.enterprise_public(uscc=uscc)
    if found is None:
        return None
    entries = completed([_entry(row) for row in public.all_listings(uscc=found.uscc)])
    return PublicEnterprise(uscc=found.uscc, name=found.name, region=found.region, industry=found.industry,
                            entries=entries)


def list_public(*, list_slug: str, region: str = "", listed_since: date | None = None,
                listed_until: date | None = None) -> list[PublicEntry]:
    """The entries of a public list now (newest first, then by USCC), filtered by region (a
    GB/T 2260 prefix) and listing date. Call :func:`completed` on the page returned."""
    rows = public.listings(list_slug=LIST_SLUGS[list_slug])
    if region:
        rows = [r for r in rows if r.region.startswith(region)]
    if listed_since:
        rows = [r for r in rows if r.listed_on >= listed_since]
    if listed_until:
        rows = [r for r in rows if r.listed_on <= listed_until]
    rows.sort(key=lambda r: (-r.listed_on.toordinal(), r.uscc))
    return [_entry(r) for r in rows]


# --- internal (scope internal-grade): jurisdiction checked, every read logged ------------------------


@dataclass(frozen=True)
class RecordRef:
    source: str
    id: str
    kind: str
    date: date
    version: int
    current: bool  # still the current version (not since corrected or withdrawn)


@dataclass(frozen=True)
class CriterionView:
    id: str
    tier: str
    article: str
    text: str
    holds: bool | None
    evidence: list[RecordRef]


@dataclass(frozen=True)
class ExternalCredit:
    source: str
    id: str
    date: date
    provider: str
    rating: str
    ref: str


@dataclass(frozen=True)
class GradeView:
    uscc: str
    name: str
    region: str
    grade: str | None  # None: not graded yet
    as_of: date | None
    since: date | None
    ruleset: str
    adverse: list[str]
    unmet: list[str]
    redlist_eligible: bool | None
    criteria: list[CriterionView]
    external_credit: list[ExternalCredit]


class OutOfJurisdiction(Exception):
    pass


def enterprise_grade(*, client, uscc: str) -> GradeView | None:
    """The current grade of an enterprise with its explanation (SPEC §4.2) and its external
    credit (SPEC §3: beside the grade, never part of it). None for an unknown USCC; raises
    OutOfJurisdiction outside the client's jurisdiction. Writes an access event."""
    from qcredit.archive.models import Enterprise, Record
    from qcredit.audit.services import audit_access
    from qcredit.grading.models import GradeState
    from qcredit.grading.selectors import confirmed_as_of
    from qcredit.grading.services import available_rulesets, parse_evidence
    from qcredit.rules.evaluate import evaluation_from_snapshot
    from qcredit.rules.uscc import USCCError, normalize_uscc

    try:
        uscc = normalize_uscc(uscc)
    except USCCError:
        return None
    enterprise = Enterprise.objects.filter(uscc=uscc).first()
    if enterprise is None:
        return None
    if not covers(client.jurisdiction, enterprise.region):
        raise OutOfJurisdiction(enterprise.region)
    state = GradeState.objects.select_related("evaluation").filter(enterprise=enterprise).first()
    evaluation = None
    if state is not None:
        snapshot = state.evaluation
        ruleset = next((r for r in available_rulesets() if r.version == snapshot.ruleset), None)
        if ruleset is not None:
            evaluation = evaluation_from_snapshot(uscc=uscc, as_of=snapshot.as_of, ruleset=ruleset,
                                                  grade=snapshot.grade, holds_code=snapshot.holds,
                                                  evidence=parse_evidence(snapshot.evidence))
    criteria = []
    if evaluation is not None:
        keys = {k for r in evaluation.results for k in r.evidence}
        refs = {v.pk: RecordRef(v.source, v.record_id, v.kind, v.date, v.version,
                                v.superseded_at is None and not v.withdrawn)
                for v in Record.objects.filter(pk__in=keys)}
        criteria = [CriterionView(r.criterion.id, r.criterion.tier, r.criterion.article, r.criterion.check, r.holds,
                                  [refs[k] for k in r.evidence if k in refs])
                    for r in evaluation.results]
    external = [ExternalCredit(v.source, v.record_id, v.date, v.provider, v.rating, v.ref)
                for v in Record.objects.current().filter(enterprise=enterprise, kind="external_credit")
                .order_by("-date", "source", "record_id")]
    view = GradeView(
        uscc=uscc, name=enterprise.name, region=enterprise.region, grade=state.grade if state else None,
        as_of=confirmed_as_of(state), since=state.since if state else None,
        ruleset=state.evaluation.ruleset if state else "",
        adverse=list(evaluation.adverse) if evaluation else [], unmet=list(evaluation.unmet) if evaluation else [],
        redlist_eligible=evaluation.redlist.eligible if evaluation else None, criteria=criteria,
        external_credit=external)
    audit_access(actor=client.user, action="api.enterprise.grade.view", obj=enterprise,
                 detail={"client": client.code, "grade": view.grade, "ruleset": view.ruleset,
                         "external_credit": len(external)})
    return view
