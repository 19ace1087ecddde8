"""Template filters of the plan screens."""

from django import template

from qcredit.supervision.selectors import person_name

register = template.Library()


@register.filter
def person(user) -> str:
    """张伟 for a Chinese name (family name first, no space); the login name without one."""
    return person_name(user) if user is not None else ""


@register.filter
def percent(ratio) -> str:
    """A sampling ratio as a percentage: 0.05 → 5%, 0.3333 → 33.33%."""
    from decimal import Decimal

    value = (Decimal(str(ratio)) * 100).normalize()
    return f"{value:f}%"
