"""Reads for the governance screens: rule-set versions (SPEC §6), the holiday calendar and the
audit trail (SPEC §7.3). Pure reads; the views check who may see them and log the access."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from qcredit.archive.models import Enterprise
from qcredit.audit.models import AuditEvent
from qcredit.grading.models import GradingRun
from qcredit.grading.services import ruleset_on
from qcredit.redlist.models import RemovalItem
from qcredit.rules import SHIPPED, RuleSet
from qcredit.rules.parameters import UNIT_LABELS
from qcredit.rules.qco import GRADE_DISPLAY
from qcredit.rulesets import selectors as ruleset_selectors
from qcredit.rulesets.errors import RuleSetVersionError
from qcredit.rulesets.models import RuleSetVersion
from qcredit.workdays.schedule import HOLIDAY, KIND_LABELS, WEEKDAY_LABELS

GRADES = ("A", "B", "C", "D", "N")
GRADE_LABELS = GRADE_DISPLAY


# --- rule sets (SPEC §6) --------------------------------------------------------------------------


@dataclass
class VersionRow:
    version: str
    effective_from: date
    title: str
    state: str
    state_label: str
    predecessor: str
    in_force: bool
    stored: RuleSetVersion | None


def ruleset_versions(*, today: date) -> list[VersionRow]:
    """Shipped versions and every stored one (drafts, previewed, active), newest first; the
    one chosen for ``today`` is marked."""
    in_force = ruleset_on(today).version
    rows = [VersionRow(r.version, r.effective_from, r.title, "shipped", "内置版本", "", r.version == in_force, None)
            for r in SHIPPED]
    for v in ruleset_selectors.ruleset_version_list():
        rows.append(VersionRow(v.version, v.effective_from, v.title, v.state, v.get_state_display(), v.predecessor,
                               v.version == in_force, v))
    return sorted(rows, key=lambda r: (r.effective_from, r.stored.pk if r.stored else 0), reverse=True)


@dataclass
class ParameterRow:
    name: str
    label: str
    value: str
    reference: str
    changed: bool


def ruleset_parameters(ruleset: RuleSet, changed: set[str] = frozenset()) -> list[ParameterRow]:
    """Every parameter of ``ruleset`` with the value it has from the version's effective date
    and the article that value rests on."""
    return [ParameterRow(name, p.label, p.describe(p.at(ruleset.effective_from)), p.reference, name in changed)
            for name, p in ruleset.parameters.parameters.items()]


def ruleset_of_row(version: RuleSetVersion) -> tuple[RuleSet | None, str]:
    """The RuleSet a stored version stands for, or the reason it cannot be built (a draft whose
    predecessor is no longer the newest version)."""
    try:
        return ruleset_selectors.ruleset_of(version), ""
    except RuleSetVersionError as exc:
        return None, exc.message


def activation_result(version: RuleSetVersion) -> dict:
    """What the activation of ``version`` did: its regrade run and the red-list removal items
    opened because subjects stopped qualifying (SPEC §5.1 exit "the rule set changes")."""
    run = GradingRun.objects.filter(cause=f"启用规则版本 {version.version}").order_by("-started_at").first()
    items = list(RemovalItem.objects.filter(route=RemovalItem.Route.RULESET, reference=version.version)
                 .select_related("entry__redlist").order_by("id"))
    return {"run": run, "removal_items": items}


def grade_bars(by_grade: dict, *, width: int = 560, bar_height: int = 14) -> dict:
    """Server-side SVG geometry for the grade counts now and under the new version (no chart
    library, CSP: attributes only)."""
    biggest = max([1, *(max(c["before"], c["after"]) for c in by_grade.values())])
    label_width, scale = 90, (width - 90 - 70) / biggest
    rows, y = [], 8
    for g in GRADES:
        counts = by_grade.get(g, {"before": 0, "after": 0})
        rows.append({"grade": g, "label": GRADE_LABELS[g], "y": y, "text_y": y + bar_height + 4,
                     "before": counts["before"], "after": counts["after"],
                     "delta": f"{counts['after'] - counts['before']:+d}" if counts["after"] != counts["before"] else "",
                     "before_w": max(1, round(counts["before"] * scale)) if counts["before"] else 0,
                     "after_w": max(1, round(counts["after"] * scale)) if counts["after"] else 0,
                     "after_y": y + bar_height + 2,
                     "before_text_x": label_width + round(counts["before"] * scale) + 6,
                     "after_text_x": label_width + round(counts["after"] * scale) + 6})
        y += 2 * bar_height + 14
    return {"width": width, "height": y, "x": label_width, "bar": bar_height, "rows": rows}


def leaving_subjects(impact: dict, *, visible) -> tuple[list[dict], int]:
    """The red-list subjects an impact says would stop qualifying, those the viewer may see
    (``visible(region)``), each with its unmet conditions; and how many were hidden."""
    from .selectors_redlist import conditions

    subjects = impact.get("redlist_leaving") or []
    regions = dict(Enterprise.objects.filter(uscc__in=[s.get("uscc") for s in subjects if s.get("uscc")])
                   .values_list("uscc", "region"))
    shown = []
    for s in subjects:
        region = regions.get(s.get("uscc"), "")
        if region and visible(region):
            shown.append({**s, "region": region, "conditions": conditions(s.get("unmet"))})
    return shown, len(subjects) - len(shown)


def unit_text(unit: str, value) -> str:
    return f"{value}{UNIT_LABELS.get(unit, '')}"


# --- holiday calendar -----------------------------------------------------------------------------


def calendar_days_between(start: date, end: date) -> list[dict]:
    """The exceptions of the official calendar between two dates (inclusive), for showing how a
    deadline was counted."""
    from qcredit.workdays.models import CalendarDay

    low, high = min(start, end), max(start, end)
    return [{"date": d, "weekday": WEEKDAY_LABELS[d.weekday()], "kind": KIND_LABELS[k], "holiday": k == HOLIDAY,
             "name": n}
            for d, k, n in CalendarDay.objects.filter(date__range=(low, high)).order_by("date")
            .values_list("date", "kind", "name")]


# --- audit trail (SPEC §7.3) ---------------------------------------------------------------------


def audit_trail(*, scopes: list[str], actor: str = "", unit: str = "", action: str = "", obj: str = "",
                date_from: date | None = None, date_to: date | None = None, kind: str = "") -> QuerySet[AuditEvent]:
    """Events an auditor may read, newest first. A provincial auditor reads the whole trail; a
    city's or county's reads the events of the units in its jurisdiction (the system's own
    events, by no unit, are for the province)."""
    events = AuditEvent.objects.all()
    if not any(len(s) == 2 for s in scopes):
        cover = Q(pk__in=[])
        for prefix in scopes:
            cover |= Q(unit__jurisdiction__startswith=prefix)
        events = events.filter(cover)
    if actor:
        events = events.filter(actor_name__icontains=actor.strip())
    if unit:
        events = events.filter(unit_name__contains=unit.strip())
    if action:
        events = events.filter(action__startswith=action.strip())
    if obj:
        text = obj.strip()
        events = events.filter(Q(object_type=text) | Q(object_id=text) | Q(object_repr__contains=text))
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(occurred_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        events = events.filter(occurred_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone))
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("-seq")


def pretty_json(text: str) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True)
    except ValueError:
        return text


def changed_keys(before: str, after: str) -> list[dict]:
    """Top-level keys of before/after side by side, marking those that differ."""
    try:
        b = json.loads(before) if before else {}
        a = json.loads(after) if after else {}
    except ValueError:
        return []
    if not isinstance(b, dict) or not isinstance(a, dict):
        return []
    out = []
    for key in sorted(set(b) | set(a)):
        bv, av = b.get(key), a.get(key)
        out.append({"key": key, "before": "—" if key not in b else json.dumps(bv, ensure_ascii=False),
                    "after": "—" if key not in a else json.dumps(av, ensure_ascii=False), "changed": bv != av})
    return out
