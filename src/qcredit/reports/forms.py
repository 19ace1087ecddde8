"""The filters of the report pages (and the region list of the export page)."""

from __future__ import annotations

import re
from datetime import date

from django import forms

from qcredit.rules.codes import MANUFACTURING_DIVISIONS, SECTIONS
from qcredit.rules.dates import add_months
from qcredit.workspace.selectors import region_options

from .selectors import MAX_MONTHS, covers

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DEFAULT_MONTHS = 12


def area_choices(jurisdictions: list[str], *, everything: str = "全部管辖范围") -> list:
    """The reader's whole jurisdiction, then each city (where the reader covers it) with the
    counties that have enterprises — grouped for a ``<select>`` (one cached DISTINCT query)."""
    choices: list = [("", everything)]
    for option in region_options(jurisdictions=list(jurisdictions)):
        group = [(option.code, f"{option.label}（全市）")] if covers(jurisdictions, option.code) else []
        group += [(code, label) for code, label in option.counties if covers(jurisdictions, code)]
        if group:
            choices.append((option.label, group))
    return choices


def industry_choices() -> list:
    return [("", "全部行业"),
            ("行业门类（GB/T 4754）", [(code, f"{code} {name}") for code, name in SECTIONS.items()]),
            ("制造业大类", [(code, f"{code} {name}") for code, name in MANUFACTURING_DIVISIONS.items()])]


def parse_month(value: str) -> date:
    match = MONTH.match(value or "")
    if not match:
        raise ValueError(f"月份应为 YYYY-MM，如 2026-03，而不是“{value}”")
    return date(int(match.group(1)), int(match.group(2)), 1)


class ReportFilter(forms.Form):
    region = forms.ChoiceField(label="行政区划", required=False)
    industry = forms.ChoiceField(label="行业", required=False)
    start = forms.CharField(label="起始月份", required=False, max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))
    end = forms.CharField(label="截止月份", required=False, max_length=7,
                          widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))

    def __init__(self, *args, jurisdictions: list[str], today: date, period: bool = True, industry: bool = True,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["region"].choices = area_choices(jurisdictions)
        self.fields["industry"].choices = industry_choices()
        if period:
            start, end = default_period(today)
            self.fields["start"].initial, self.fields["end"].initial = f"{start:%Y-%m}", f"{end:%Y-%m}"
        else:
            del self.fields["start"], self.fields["end"]
        if not industry:
            del self.fields["industry"]

    def _month(self, name: str) -> date | None:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_start(self):
        return self._month("start")

    def clean_end(self):
        return self._month("end")

    def clean(self):
        data = super().clean()
        if "start" not in self.fields:
            return data
        end = data.get("end") or self.today.replace(day=1)
        start = data.get("start") or add_months(end, -(DEFAULT_MONTHS - 1))
        if start > end:
            self.add_error("end", "截止月份早于起始月份")
        elif (end.year - start.year) * 12 + end.month - start.month + 1 > MAX_MONTHS:
            self.add_error("start", f"时间段最长 {MAX_MONTHS} 个月")
        data["start"], data["end"] = start, end
        return data


def default_period(today: date) -> tuple[date, date]:
    end = today.replace(day=1)
    return add_months(end, -(DEFAULT_MONTHS - 1)), end
