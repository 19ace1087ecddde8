"""The portal's reads (SPEC §7.1, "the portal obeys it by construction").

Everything the public sees comes from two places:

- the apps' public selectors — :func:`qcredit.redlist.selectors.public_entries` and the public
  selectors of :mod:`qcredit.lists.selectors` — which decide which entries are public and
  return only their public fields;
- the enterprise's public registration data (name, USCC, region, industry), read here with
  an explicit field list.

Nothing here imports a grade, a criterion, evidence, an application, a re-check or a draft.
The records returned are plain frozen dataclasses, so a template cannot reach further.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from qcredit.archive.models import Enterprise
from qcredit.lists import selectors as lists_public
from qcredit.lists.models import TargetKind
from qcredit.redlist.selectors import public_entries, public_partner_rows
from qcredit.rules.uscc import USCCError, normalize_uscc

# The public registration data of an enterprise (SPEC §7.1 row 1, and its GB/T 4754 industry).
PUBLIC_ENTERPRISE_FIELDS = ("uscc", "name", "region", "industry")

# The lists the portal publishes: URL slug → (名单, the target kind of objections/statements).
LISTS = {
    "redlist": ("质量信用红名单", TargetKind.REDLIST.value),
    "a-list": ("质量信用A级（守信）企业", TargetKind.PUBLISHED_A.value),
    "blacklist": ("失信黑名单", TargetKind.BLACKLIST.value),
}

# The partner / open-data field set of SPEC §7.2, in its order.
OPEN_DATA_FIELDS = ("主体名称", "统一社会信用代码", "名单类别", "列入原因", "认定部门", "列入日期", "有效期至",
                    "数据来源单位", "数据来源单位统一社会信用代码")

SEARCH_MIN_LENGTH = 2


@dataclass(frozen=True)
class EnterprisePublic:
    uscc: str
    name: str
    region: str
    industry: str


def _enterprise(row: dict) -> EnterprisePublic:
    return EnterprisePublic(**{f: row[f] or "" for f in PUBLIC_ENTERPRISE_FIELDS})


def enterprise_public(*, uscc: str) -> EnterprisePublic | None:
    """The public registration data of the enterprise ``uscc`` (any case), or None."""
    try:
        uscc = normalize_uscc(uscc)
    except USCCError:
        return None
    row = Enterprise.objects.filter(uscc=uscc).values(*PUBLIC_ENTERPRISE_FIELDS).first()
    return _enterprise(row) if row else None


def enterprise_search_public(*, query: str) -> QuerySet:
    """Enterprises by a part of the name or by USCC (exact, or its beginning), ordered by USCC:
    dictionaries of the public registration fields only. Fewer than two characters find
    nothing (a public site does not list the whole archive)."""
    query = (query or "").strip()
    enterprises = Enterprise.objects.order_by("uscc")
    if len(query) < SEARCH_MIN_LENGTH:
        return enterprises.none().values(*PUBLIC_ENTERPRISE_FIELDS)
    if len(query) == 18:
        try:
            return enterprises.filter(uscc=normalize_uscc(query)).values(*PUBLIC_ENTERPRISE_FIELDS)
        except USCCError:
            pass
    return enterprises.filter(Q(name__contains=query) | Q(uscc__startswith=query.upper())).values(
        *PUBLIC_ENTERPRISE_FIELDS)


def enterprises_from_rows(rows: Iterable[dict]) -> list[EnterprisePublic]:
    return [_enterprise(r) for r in rows]


def industries_of(usccs: Iterable[str]) -> dict[str, str]:
    """The GB/T 4754 industry (public registration data) of each enterprise, by USCC."""
    usccs = sorted(set(usccs))
    out: dict[str, str] = {}
    for start in range(0, len(usccs), 500):
        out.update(Enterprise.objects.filter(uscc__in=usccs[start:start + 500]).values_list("uscc", "industry"))
    return {k: v or "" for k, v in out.items()}


# --- the public lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One entry of a public list, as the portal shows it."""

    list: str  # slug of LISTS
    category: str  # 名单类别
    list_name: str  # the red list's own name; the category for the other lists
    name: str  # 主体名称 as published
    uscc: str
    region: str
    reason: str  # 列入原因 / 主要信用事实 / 失信事实
    authority: str  # 认定部门
    listed_on: date  # 列入日期
    valid_until: date | None  # 有效期至 (none for the black list)
    industry: str = ""
    statement: str = ""  # the enterprise's approved statement (its own words)
    redlist_entry_id: int | None = field(default=None, compare=False)

    @property
    def target_kind(self) -> str:
        return LISTS[self.list][1]


def _redlist(uscc: str | None) -> list[Listing]:
    return [Listing(list="redlist", category=e.category, list_name=e.list_name, name=e.name, uscc=e.uscc,
                    region=e.region, reason=e.credit_facts, authority=e.decided_by, listed_on=e.published_on,
                    valid_until=e.valid_until, redlist_entry_id=int(e.key.split(":", 1)[1]))
            for e in public_entries(uscc=uscc)]


def _a_list(uscc: str | None) -> list[Listing]:
    return [Listing(list="a-list", category=e.category, list_name=e.category, name=e.name, uscc=e.uscc,
                    region=e.region, reason=e.reason, authority=e.authority, listed_on=e.published_on,
                    valid_until=e.valid_until, statement=e.statement)
            for e in lists_public.published_a_public(uscc=uscc)]


def _blacklist(uscc: str | None) -> list[Listing]:
    return [Listing(list="blacklist", category=e.category, list_name=e.category, name=e.name, uscc=e.uscc,
                    region=e.region, reason=e.facts, authority=e.authority, listed_on=e.listed_on, valid_until=None,
                    statement=e.statement)
            for e in lists_public.blacklist_public(uscc=uscc)]


_READERS = {"redlist": _redlist, "a-list": _a_list, "blacklist": _blacklist}


def _with_industry(rows: list[Listing]) -> list[Listing]:
    industries = industries_of(r.uscc for r in rows)
    return [replace(r, industry=industries.get(r.uscc, "")) for r in rows]


def listings(*, list_slug: str, uscc: str | None = None) -> list[Listing]:
    """The entries of one public list now, newest first, with the enterprise's industry. Red-list
    statements are not filled in (see :func:`with_statements`)."""
    return _with_industry(_READERS[list_slug](uscc))


def all_listings(*, uscc: str | None = None) -> list[Listing]:
    """Every public entry of every list, newest first (home page, feed, enterprise page)."""
    rows = [row for slug in LISTS for row in _READERS[slug](uscc)]
    rows.sort(key=lambda r: (r.listed_on, r.list, r.uscc), reverse=True)
    return _with_industry(rows)


def with_statements(rows: Iterable[Listing]) -> list[Listing]:
    """Fill in the approved statements of red-list entries (the other lists carry theirs) — one
    query for the whole page."""
    rows = list(rows)
    wanted = [r.redlist_entry_id for r in rows if r.redlist_entry_id is not None and not r.statement]
    if not wanted:
        return rows
    statements = lists_public.statements_public(target_kind=TargetKind.REDLIST.value, target_ids=wanted)
    return [replace(r, statement=statements.get(r.redlist_entry_id, ""))
            if r.redlist_entry_id is not None and not r.statement else r for r in rows]


def listed_usccs() -> dict[str, list[str]]:
    """USCC → the categories of the public lists it is on now (search results, sitemap)."""
    out: dict[str, list[str]] = {}
    for row in all_listings():
        categories = out.setdefault(row.uscc, [])
        if row.category not in categories:
            categories.append(row.category)
    return out


# --- filters -----------------------------------------------------------------------------------------

PERIODS = (("30", "近30日"), ("90", "近90日"), ("365", "近一年"))


def period_choices(rows: Iterable[Listing]) -> list[tuple[str, str]]:
    years = sorted({r.listed_on.year for r in rows}, reverse=True)
    return [*PERIODS, *((str(y), f"{y}年") for y in years)]


def filter_listings(rows: Iterable[Listing], *, region: str = "", industry: str = "", period: str = "",
                    today: date | None = None) -> list[Listing]:
    """Entries whose region starts with ``region`` (a city), whose industry starts with
    ``industry`` (a section or division), listed within ``period`` (the last 30/90/365 days,
    or a year). Unknown values filter nothing (the form offers only valid ones)."""
    today = today or timezone.localdate()
    out = list(rows)
    if region:
        out = [r for r in out if r.region.startswith(region)]
    if industry:
        out = [r for r in out if r.industry.startswith(industry)]
    if period.isdigit():
        if len(period) == 4:
            out = [r for r in out if r.listed_on.year == int(period)]
        elif period in dict(PERIODS):
            since = today - timedelta(days=int(period))
            out = [r for r in out if r.listed_on > since]
    return out


# --- open data, notices --------------------------------------------------------------------------------


def open_data_rows(*, list_slug: str) -> list[dict]:
    """The public entries of a list in the partner field set of SPEC §7.2 (open data)."""
    if list_slug == "redlist":
        rows = public_partner_rows()
    elif list_slug == "a-list":
        rows = lists_public.published_a_partner_rows()
    else:
        rows = lists_public.blacklist_partner_rows()
    return [{f: row.get(f, "") for f in OPEN_DATA_FIELDS} for row in rows]


@dataclass(frozen=True)
class NoticeSection:
    """One notice (公告) of one deciding bureau: the entries it listed on one day."""

    authority: str
    list_name: str
    entries: list[Listing]


def notice_dates(*, list_slug: str) -> list[tuple[date, int]]:
    """The days on which entries still public were listed, newest first, with their count: one
    notice (a red-list publication batch, or a black-list exposure) per day."""
    counts: dict[date, int] = {}
    for row in _READERS[list_slug](None):
        counts[row.listed_on] = counts.get(row.listed_on, 0) + 1
    return sorted(counts.items(), reverse=True)


def notice_sections(*, list_slug: str, on: date) -> list[NoticeSection]:
    """The entries still public that were listed on ``on``, one section per deciding bureau and
    list. Entries that left the list since are not in it (SPEC §7.1: never public again)."""
    sections: dict[tuple[str, str], list[Listing]] = {}
    for row in listings(list_slug=list_slug):
        if row.listed_on == on:
            sections.setdefault((row.authority, row.list_name), []).append(row)
    return [NoticeSection(authority=a, list_name=n, entries=sorted(rows, key=lambda r: r.uscc))
            for (a, n), rows in sorted(sections.items())]
