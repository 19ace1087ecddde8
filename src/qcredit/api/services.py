"""Writes of the partner API (HackSoft services): client configuration and tokens (province
system administrators; audited), the call log, and the intake of record batches.

The intake reuses the archive's one import path: :func:`qcredit.archive.bundle.validate_bundle`
(every problem with its JSON path) and :func:`qcredit.archive.imports.import_bundle`
(all-or-nothing, idempotent on (``source``, ``id``), the touched enterprises regraded in the same
transaction, SPEC §4.3). What the API adds is the client's own limits (:func:`_client_problems`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qcredit.accounts.models import Role, covers, validate_jurisdiction
from qcredit.accounts.services import authorize
from qcredit.archive.bundle import BundleError, Problem, ValidBundle, parse_bundle_text, validate_bundle
from qcredit.archive.columns import enterprise_columns, enterprise_content
from qcredit.archive.imports import ImportReport, import_bundle
from qcredit.archive.models import Enterprise
from qcredit.audit.services import audit_write
from qcredit.rules.kinds import ENTERPRISE_FIELDS

from . import tokens
from .errors import ClientError, ClientErrorCode
from .models import ApiCall, ApiClient, IntakeBatch, Scope

PROVINCE = "37"  # clients are configured by the province's system administrators
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,23}$")
MAX_PROBLEMS = 500  # problems kept and answered per rejected batch (the count is always given)
IMPORT_ATTEMPTS = 3  # two batches carrying the same new record at once: the loser retries and finds it


def _admin(actor):
    return None if actor is None else authorize(user=actor, role=Role.ADMIN, jurisdiction=PROVINCE)


def _configuration(client: ApiClient) -> dict:
    """What the audit trail keeps of a client (never the token, only its prefix)."""
    return {"code": client.code, "name": client.name, "scopes": client.scope_list, "jurisdiction": client.jurisdiction,
            "sources": client.source_list, "may_register_enterprises": client.may_register_enterprises,
            "active": client.active, "token_prefix": client.token_prefix or ""}


def _check(client: ApiClient) -> None:
    if not CODE_PATTERN.match(client.code or ""):
        raise ClientError(ClientErrorCode.BAD_CODE, "代号应为 2–24 个小写字母、数字或连字符，以字母或数字开头")
    scopes = client.scopes.split()
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown or not scopes:
        raise ClientError(ClientErrorCode.BAD_SCOPES,
                          f"权限范围应为 {'、'.join(Scope.values)} 中的一个或多个" + (f"，而不是“{'、'.join(unknown)}”"
                                                                                    if unknown else ""))
    client.scopes = " ".join(s for s in Scope.values if s in scopes)  # one canonical order
    try:
        validate_jurisdiction(client.jurisdiction)
    except ValidationError as exc:
        raise ClientError(ClientErrorCode.BAD_JURISDICTION, exc.messages[0]) from None
    client.sources = "\n".join(dict.fromkeys(client.source_list))
    if client.has_scope(Scope.INTAKE) and not client.source_list:
        raise ClientError(ClientErrorCode.NO_SOURCES, "有报送权限（intake）的客户端至少要有一个可报送的记录单位（source）")


def _issue(client: ApiClient) -> str:
    token, prefix, digest = tokens.new_token()
    while ApiClient.objects.filter(token_prefix=prefix).exclude(pk=client.pk).exists():
        token, prefix, digest = tokens.new_token()
    client.token_prefix, client.token_hash, client.token_issued_at = prefix, digest, timezone.now()
    return token


def api_client_create(*, code: str, name: str, scopes: list[str] | str, actor, jurisdiction: str = PROVINCE,
                      sources: list[str] | str = "", may_register_enterprises: bool = False, note: str = "",
                      reason: str = "") -> tuple[ApiClient, str]:
    """A new client with its first token, which is returned once and never stored."""
    membership = _admin(actor)
    client = ApiClient(code=(code or "").strip(), name=(name or "").strip(), jurisdiction=(jurisdiction or "").strip(),
                       scopes=scopes if isinstance(scopes, str) else " ".join(scopes),
                       sources=sources if isinstance(sources, str) else "\n".join(sources),
                       may_register_enterprises=may_register_enterprises, note=note)
    _check(client)
    with transaction.atomic():
        if ApiClient.objects.filter(code=client.code).exists():
            raise ClientError(ClientErrorCode.CODE_TAKEN, f"代号“{client.code}”已被使用")
        username = f"api-{client.code}"
        if get_user_model().objects.filter(username=username).exists():
            raise ClientError(ClientErrorCode.CODE_TAKEN, f"用户名“{username}”已被占用，请换一个代号")
        # The client's audit identity: inactive and without a password, it can never log in.
        client.user = get_user_model().objects.create_user(username, password=None, is_active=False,
                                                           first_name=client.name[:150])
        token = _issue(client)
        client.save()
        audit_write(actor=actor, membership=membership, action="api.client.create", obj=client,
                    after=_configuration(client), reason=reason)
    return client, token


def api_client_update(*, client: ApiClient, actor, reason: str = "") -> ApiClient:
    """Save a changed configuration (name, scopes, jurisdiction, sources, rights, active, note);
    the code, the audit identity and the token are not changed here."""
    membership = _admin(actor)
    _check(client)
    with transaction.atomic():
        stored = ApiClient.objects.select_for_update().get(pk=client.pk)
        if stored.code != client.code:
            raise ClientError(ClientErrorCode.BAD_CODE, "客户端代号创建后不能修改（它记在档案记录的录入途径中）")
        before = _configuration(stored)
        client.token_prefix, client.token_hash, client.token_issued_at = (
            stored.token_prefix, stored.token_hash, stored.token_issued_at)
        client.save()
        if client.user.first_name != client.name[:150]:
            client.user.first_name = client.name[:150]
            client.user.save(update_fields=["first_name"])
        after = _configuration(client)
        if after != before:
            audit_write(actor=actor, membership=membership, action="api.client.update", obj=client, before=before,
                        after=after, reason=reason)
    return client


def api_client_token_issue(*, client: ApiClient, actor, reason: str = "") -> str:
    """A new token for the client; the old one stops working at once. Returned once."""
    membership = _admin(actor)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        before = {"token_prefix": client.token_prefix or ""}
        token = _issue(client)
        client.save(update_fields=["token_prefix", "token_hash", "token_issued_at", "updated_at"])
        audit_write(actor=actor, membership=membership, action="api.client.token_issue", obj=client, before=before,
                    after={"token_prefix": client.token_prefix}, reason=reason)
    return token


# --- the call log ---------------------------------------------------------------------------------


def api_call_log(*, client: ApiClient | None, token_prefix: str, method: str, path: str, query: str, scope: str,
                 status: int, started_at, duration_ms: int, client_address: str) -> ApiCall:
    """One row per call (docs/api.md §4). Not an audit event: the audit trail gets the
    confidential reads and the writes, this log gets everything."""
    return ApiCall.objects.create(client=client, token_prefix=token_prefix[:16], occurred_at=started_at,
                                  method=method[:8], path=path[:300], query=query[:300], scope=scope[:16],
                                  status=status, duration_ms=max(0, duration_ms), client_address=client_address[:64])


def api_calls_prune(*, today: date, keep_days: int | None = None) -> dict:
    """Daily: drop call-log rows older than the retention (``QCREDIT_API_CALL_RETENTION_DAYS``,
    default 400 days — more than the six months 网络安全法 第二十一条 asks). Confidential reads and
    writes stay on the audit trail, which is never pruned."""
    from django.conf import settings

    keep_days = keep_days if keep_days is not None else int(getattr(settings, "QCREDIT_API_CALL_RETENTION_DAYS", 400))
    if keep_days < 183:
        raise ValueError("接口调用记录至少保存六个月（网络安全法 第二十一条）")
    cutoff = datetime.combine(today - timedelta(days=keep_days), time.min, tzinfo=timezone.get_current_timezone())
    deleted, _ = ApiCall.objects.filter(occurred_at__lt=cutoff).delete()
    return {"deleted": deleted}


# --- intake ----------------------------------------------------------------------------------------


@dataclass
class IntakeOutcome:
    """What a batch did. ``batch`` is None for a dry run (nothing is stored)."""

    batch: IntakeBatch | None
    report: ImportReport | None
    problems: list[Problem]
    problem_count: int
    dry_run: bool
    enterprises: int = 0
    records: int = 0

    @property
    def accepted(self) -> bool:
        return not self.problems


def _archive_enterprises(usccs: set[str]) -> dict[str, Enterprise]:
    ordered = sorted(usccs)
    found: dict[str, Enterprise] = {}
    for start in range(0, len(ordered), 500):
        found.update({e.uscc: e for e in Enterprise.objects.filter(uscc__in=ordered[start:start + 500])})
    return found


def _archive_usccs(usccs: set[str]) -> set[str]:
    return set(_archive_enterprises(usccs))


def _source_problems(client: ApiClient, doc) -> list[Problem]:
    """A batch may carry only records of the client's own sources (docs/api.md §5)."""
    allowed = client.source_list
    records = doc.get("records") if isinstance(doc, dict) else None
    problems = []
    for i, item in enumerate(records if isinstance(records, list) else []):
        source = item.get("source") if isinstance(item, dict) else None
        if isinstance(source, str) and source.strip() and source.strip() not in allowed:
            problems.append(Problem(f"records[{i}].source",
                                    f"记录单位“{source.strip()}”不是本客户端可报送的记录单位（{'、'.join(allowed)}）"))
    return problems


def _client_problems(client: ApiClient, bundle: ValidBundle) -> list[Problem]:
    """The client's limits on a valid bundle: enterprises inside its jurisdiction, and no new or
    changed enterprise master data unless it may register enterprises."""
    problems = []
    usccs = {e["uscc"] for e in bundle.enterprises} | {r["uscc"] for r in bundle.records}
    archive = _archive_enterprises(usccs)
    labels = {f.name: f.label for f in ENTERPRISE_FIELDS}
    where = f"本客户端的授权区域（{client.jurisdiction}）"
    for i, item in enumerate(bundle.enterprises):
        stored = archive.get(item["uscc"])
        for region in {item["region"], stored.region if stored else item["region"]}:
            if not covers(client.jurisdiction, region):
                problems.append(Problem(f"enterprises[{i}].region", f"企业所在行政区划 {region} 不在{where}内"))
        if client.may_register_enterprises:
            continue
        if stored is None:
            problems.append(Problem(f"enterprises[{i}]", f"档案中没有企业 {item['uscc']}，本客户端无权登记新企业"))
            continue
        columns, content = enterprise_columns(item), enterprise_content(stored)
        for name in columns:
            if columns[name] != content[name]:
                problems.append(Problem(f"enterprises[{i}].{name}",
                                        f"与档案中的{labels.get(name, name)}“{_shown(content[name])}”不一致，"
                                        "本客户端无权修改企业登记信息（可不报送企业信息，只报送记录）"))
    listed = {e["uscc"] for e in bundle.enterprises}
    for i, record in enumerate(bundle.records):
        stored = archive.get(record["uscc"])
        if record["uscc"] not in listed and stored is not None and not covers(client.jurisdiction, stored.region):
            problems.append(Problem(f"records[{i}].uscc",
                                    f"企业 {record['uscc']} 所在行政区划 {stored.region} 不在{where}内"))
    return problems


def _shown(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _counts(doc) -> tuple[int, int]:
    if not isinstance(doc, dict):
        return 0, 0
    enterprises, records = doc.get("enterprises"), doc.get("records")
    return (len(enterprises) if isinstance(enterprises, list) else 0,
            len(records) if isinstance(records, list) else 0)


class BatchTooLarge(Exception):
    """More enterprises and records than one batch may carry (nothing is stored)."""


def intake_batch_receive(*, client: ApiClient, text: str, dry_run: bool = False,
                         max_items: int | None = None) -> IntakeOutcome:
    """Receive a ``qcredit-archive/1`` bundle (JSON or JSON Lines) from ``client``.

    Every problem — of the bundle (SPEC §3.1), of the client's sources, jurisdiction or rights,
    of a conflict with the archive — is collected with its JSON path; a batch with any problem
    writes nothing to the archive and is kept as *rejected* with its problems. A valid batch is
    imported in one transaction (records new, unchanged or corrected by (``source``, ``id``);
    the touched enterprises regraded) and kept as *accepted*; the client is the actor of its
    audit event. A dry run stores nothing at all. Raises BatchTooLarge beyond ``max_items``."""
    if not client.has_scope(Scope.INTAKE):  # the view checks the scope; a service never trusts that
        raise PermissionError("client lacks the intake scope")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    counts = (0, 0)
    try:
        doc = parse_bundle_text(text)
        counts = _counts(doc)
        if max_items is not None and sum(counts) > max_items:
            raise BatchTooLarge(sum(counts))
        problems = _source_problems(client, doc)
        try:
            bundle = validate_bundle(doc, known_usccs=_archive_usccs)
        except BundleError as exc:
            raise BundleError(exc.problems + problems) from None
        problems += _client_problems(client, bundle)
        if problems:
            raise BundleError(problems)
        for attempt in range(IMPORT_ATTEMPTS):
            try:
                return _import(client, bundle, digest=digest, counts=counts, dry_run=dry_run)
            except IntegrityError:
                if attempt == IMPORT_ATTEMPTS - 1:
                    raise
    except BundleError as exc:
        return _rejected(client, exc.problems, digest=digest, counts=counts, dry_run=dry_run)
    raise AssertionError("unreachable")


def _import(client: ApiClient, bundle: ValidBundle, *, digest: str, counts: tuple[int, int],
            dry_run: bool) -> IntakeOutcome:
    with transaction.atomic():
        # The system imports (actor None: import_bundle's checks of a person's jurisdiction do
        # not apply; the client's were made above); the records carry the channel api:<code>.
        report = import_bundle(bundle, dry_run=dry_run, via=client.channel, actor=None)
        if dry_run:
            return IntakeOutcome(None, report, [], 0, True, *counts)
        batch = IntakeBatch.objects.create(
            client=client, received_at=timezone.now(), status=IntakeBatch.Status.ACCEPTED, digest=digest,
            enterprises=counts[0], records=counts[1], enterprises_created=report.enterprises_created,
            enterprises_updated=report.enterprises_updated, enterprises_unchanged=report.enterprises_unchanged,
            records_created=report.records_created, records_corrected=report.records_corrected,
            records_unchanged=report.records_unchanged, records_withdrawn_kept=report.records_withdrawn_kept,
            regraded=report.regraded)
        audit_write(actor=client.user, action="api.intake.batch", obj=batch,
                    after={"client": client.code, "digest": digest, "enterprises_created": report.enterprises_created,
                           "enterprises_updated": report.enterprises_updated,
                           "records_created": report.records_created, "records_corrected": report.records_corrected,
                           "records_unchanged": report.records_unchanged,
                           "records_withdrawn_kept": report.records_withdrawn_kept, "regraded": report.regraded})
    return IntakeOutcome(batch, report, [], 0, False, *counts)


def _rejected(client: ApiClient, problems: list[Problem], *, digest: str, counts: tuple[int, int],
              dry_run: bool) -> IntakeOutcome:
    kept = problems[:MAX_PROBLEMS]
    batch = None
    if not dry_run:
        batch = IntakeBatch.objects.create(
            client=client, received_at=timezone.now(), status=IntakeBatch.Status.REJECTED, digest=digest,
            enterprises=counts[0], records=counts[1],
            problems=[{"path": p.path, "reason": p.reason} for p in kept])
    return IntakeOutcome(batch, None, kept, len(problems), dry_run, *counts)
