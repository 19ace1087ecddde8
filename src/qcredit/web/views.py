"""Where a user lands after login: staff in the workspace, an enterprise in its self-service pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from qcredit.accounts.models import EnterpriseAccount, Membership
from qcredit.accounts.services import staff_jurisdictions


@login_required
def landing(request):
    # Every member of a unit works in the workspace (an auditor too: its home points to the
    # audit log), whatever jurisdictions its roles give for reading enterprises.
    if staff_jurisdictions(request.user) or Membership.objects.filter(user=request.user,
                                                                        unit__active=True).exists():
        return redirect("workspace:home")
    if request.user.is_superuser:
        return redirect("admin:index")
    if EnterpriseAccount.objects.filter(user=request.user).exists():
        return redirect("selfservice:home")
    return redirect("portal:home")
