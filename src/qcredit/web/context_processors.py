"""What the page shells need on every page: the roles the user holds, to show only the
navigation a user can use (the pages and services check again; this only avoids offering a link
that would answer 403)."""

from __future__ import annotations


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset(), "nav_works_cases": False}

    def roles() -> frozenset[str]:
        from qcredit.accounts.models import Membership, Role

        if user.is_superuser:
            return frozenset(Role.values)
        return frozenset(Membership.objects.filter(user=user, unit__active=True).values_list("role", flat=True))

    held = getattr(request, "_nav_roles", None)
    if held is None:
        held = request._nav_roles = roles()
    return {"nav_roles": held, "nav_works_cases": bool(held - {"auditor"})}
