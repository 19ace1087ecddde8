"""Uploaded import files, kept on the server between the dry run and the confirmation.

An upload is stored under ``var/uploads/<token>/`` with a ``meta.json`` naming the user who
uploaded it; only that user can preview or confirm it, and only for ``UPLOAD_TTL``. The
confirmation reads the stored file again — never a payload posted back by the browser — and
claims the token by renaming its directory, so that a double submit imports once.

CSV is stored re-encoded as UTF-8 (uploads may be UTF-8 with or without a BOM, or GB18030,
which Chinese Excel writes), under the name of its kind (``sampling.csv``), which is how
``archive.imports.rows_to_bundle`` knows the kind of a CSV without a ``kind`` column.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings

from qcredit.rules.kinds import KINDS

from .tabular import MAX_ROWS

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_TTL_SECONDS = 2 * 60 * 60
SUFFIXES = (".xlsx", ".csv", ".json", ".jsonl")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class UploadErrorCode(enum.Enum):
    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    UNSUPPORTED = "unsupported"
    ENCODING = "encoding"
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    IN_PROGRESS = "in_progress"


class UploadError(Exception):
    def __init__(self, code: UploadErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class StagedUpload:
    token: str
    user_id: int
    created: float
    filename: str  # as uploaded
    stored: str  # file name in the token's directory
    size: int
    kind: str
    encoding: str = ""

    @property
    def directory(self) -> Path:
        return upload_root() / self.token

    @property
    def path(self) -> Path:
        return self.directory / self.stored

    @property
    def expires(self) -> float:
        return self.created + UPLOAD_TTL_SECONDS


def upload_root() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def too_large_message(size: int) -> str:
    return (f"文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB；"
            "请拆分为多个文件分批导入")


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 (with or without a BOM), else GB18030."""
    for encoding, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030")):
        try:
            return data.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise UploadError(UploadErrorCode.ENCODING, "无法识别 CSV 文件的编码：请保存为 UTF-8 或 GB18030（Excel 的“CSV（逗号分隔）”）")


def kind_from_filename(filename: str) -> str:
    """A record kind named in the file name (``2026年抽查-sampling.csv``), else ``""``."""
    words = set(re.split(r"[^a-z_]+", Path(filename).stem.lower()))
    if words & {"enterprise", "enterprises"}:
        return "enterprise"
    found = [code for code in KINDS if code in words]
    return found[0] if len(found) == 1 else ""


def stage_upload(*, user, uploaded, kind: str = "") -> StagedUpload:
    """Store an uploaded file (a Django ``UploadedFile``) for ``user``; raises UploadError."""
    filename = Path(uploaded.name or "").name
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        hint = "；旧版 Excel（.xls）请另存为 .xlsx" if suffix == ".xls" else ""
        raise UploadError(UploadErrorCode.UNSUPPORTED,
                          f"不支持的文件类型“{suffix or filename}”：请上传 .xlsx、.csv、.json 或 .jsonl 文件{hint}")
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise UploadError(UploadErrorCode.TOO_LARGE, too_large_message(uploaded.size))
    purge_expired()
    token = secrets.token_urlsafe(24)
    directory = upload_root() / token
    directory.mkdir(parents=True)
    encoding = ""
    try:
        if suffix == ".csv":
            text, encoding = decode_csv(b"".join(uploaded.chunks()))
            if text.count("\n") > MAX_ROWS + 1 and sum(1 for _ in csv.reader(io.StringIO(text))) > MAX_ROWS + 1:
                raise UploadError(UploadErrorCode.TOO_MANY_ROWS,
                                  f"文件超过单次导入上限 {MAX_ROWS:,} 行；请拆分为多个文件分批导入")
            kind = kind or kind_from_filename(filename)
            stored = f"{'enterprises' if kind == 'enterprise' else kind or 'records'}.csv"
            (directory / stored).write_text(text, encoding="utf-8")
        else:
            stored = f"upload{suffix}"
            with (directory / stored).open("wb") as out:
                for chunk in uploaded.chunks():
                    out.write(chunk)
        staged = StagedUpload(token=token, user_id=user.pk, created=time.time(), filename=filename[:200],
                              stored=stored, size=uploaded.size, kind=kind, encoding=encoding)
        partial = directory / "meta.json.part"
        partial.write_text(json.dumps(asdict(staged), ensure_ascii=False), encoding="utf-8")
        partial.replace(directory / "meta.json")  # the upload exists once its meta does
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return staged


def _load(directory: Path) -> StagedUpload | None:
    try:
        return StagedUpload(**json.loads((directory / "meta.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def staged_upload(*, token: str, user) -> StagedUpload:
    """The upload of ``token`` if ``user`` made it and it has not expired; raises UploadError.
    Another user's token is answered like a missing one."""
    staged = _load(upload_root() / token) if _TOKEN.match(token or "") else None
    if staged is None or staged.user_id != user.pk:
        raise UploadError(UploadErrorCode.NOT_FOUND, "没有这份上传文件：它可能已经导入、已过期，或不是您上传的")
    if time.time() > staged.expires:
        discard(staged)
        raise UploadError(UploadErrorCode.EXPIRED, "上传的文件已超过 2 小时有效期并被清除，请重新上传")
    return staged


def claim(staged: StagedUpload) -> StagedUpload:
    """Take an upload for its confirmation: renames its directory, so that a second
    confirmation of the same token finds nothing. Returns the claimed upload."""
    claimed = upload_root() / f"{staged.token}.importing"
    try:
        staged.directory.rename(claimed)
    except FileNotFoundError:
        raise UploadError(UploadErrorCode.IN_PROGRESS, "这份文件正在导入或已经导入，请勿重复提交") from None
    return _ClaimedUpload(**asdict(staged))


class _ClaimedUpload(StagedUpload):
    @property
    def directory(self) -> Path:
        return upload_root() / f"{self.token}.importing"


def release(claimed: StagedUpload) -> None:
    """Give a claimed upload back (the import did not happen; the preview shows why)."""
    claimed.directory.rename(upload_root() / claimed.token)


def discard(staged: StagedUpload) -> None:
    shutil.rmtree(staged.directory, ignore_errors=True)


def purge_expired(now: float | None = None) -> int:
    """Remove uploads past their time (and directories left without a meta); best effort."""
    root = upload_root()
    if not root.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for directory in root.iterdir():
        staged = _load(directory)
        age_limit = staged.expires if staged else directory.stat().st_mtime + UPLOAD_TTL_SECONDS
        if now > age_limit:
            shutil.rmtree(directory, ignore_errors=True)
            removed += 1
    return removed
