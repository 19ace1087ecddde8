"""Public code tables the portal shows and filters by: the cities of Shandong (GB/T 2260) and
the sections and manufacturing divisions of GB/T 4754-2017. Both are official public
classifications; the portal shows an enterprise's region by its city and the code itself
(a complete district table is not kept here)."""

from __future__ import annotations

from qcredit.rules.codes import CITY_NAMES as _CITY_NAMES
from qcredit.rules.codes import MANUFACTURING_DIVISIONS
from qcredit.rules.codes import SECTIONS as _SECTIONS

# The tables themselves are in qcredit.rules.codes (one source for every page and file); the
# portal keeps them as ordered (code, name) pairs for its filters.
CITIES: tuple[tuple[str, str], ...] = tuple(_CITY_NAMES.items())
SECTIONS: tuple[tuple[str, str], ...] = tuple(_SECTIONS.items())
MANUFACTURING: tuple[tuple[str, str], ...] = tuple(MANUFACTURING_DIVISIONS.items())
_INDUSTRY_NAMES = dict(SECTIONS) | dict(MANUFACTURING)
INDUSTRY_FILTERS = frozenset(_INDUSTRY_NAMES)


def region_label(code: str) -> str:
    """``济南市（370102）``; the code alone outside the table."""
    code = code or ""
    if code.startswith("37") and code[2:] in ("", "0000"):
        return f"山东省（{code}）" if code else ""
    city = _CITY_NAMES.get(code[:4])
    return f"{city}（{code}）" if city else code


def industry_label(code: str) -> str:
    """``C3431 通用设备制造业``: the code with the name of its division, or of its section."""
    code = code or ""
    if not code:
        return "—"
    name = _INDUSTRY_NAMES.get(code[:3]) or _INDUSTRY_NAMES.get(code[:1])
    return f"{code} {name}" if name else code
