"""Where a user lands after login: staff in the workspace, an enterprise in its self-service pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from qcredit.accounts.models import EnterpriseAccount
from qcredit.accounts.services import staff_jurisdictions


@login_required
def landing(request):
    if staff_jurisdictions(request.user):
        return redirect("workspace:home")
    if request.user.is_superuser:
        return redirect("admin:index")
    if EnterpriseAccount.objects.filter(user=request.user).exists():
        return redirect("selfservice:home")
    return redirect("portal:home")
