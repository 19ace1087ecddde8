"""The interchange bundle ``qcredit-archive/1`` (SPEC §3.1): parsing and strict validation.

Pure Python (no Django import): the offline CLI validates without a database, the importer
validates against the archive through the ``known_usccs`` callback.

Validation never stops at the first problem: every problem is collected as a
:class:`Problem` naming its JSON path (``records[3].date``), and a bundle with any problem
raises :class:`BundleError` carrying all of them. A valid bundle is returned normalised
(USCCs upper-cased, booleans defaulted, blank optional values dropped), so that what is
graded offline and what is stored on import are the same values.

JSON Lines: the same shape, one object per line. The first line is the header
``{"format": "qcredit-archive/1"}``; every other line is ``{"enterprise": {…}}`` or
``{"record": {…}}``. Paths stay the JSON paths of the equivalent document (the n-th record
line is ``records[n-1]``); the reason names the line.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from qcredit.rules.kinds import BOOL, COMMON_FIELDS, DATE, ENTERPRISE_FIELDS, ENUM, KINDS, RATE, STR, Field
from qcredit.rules.uscc import USCCError, normalize_uscc

FORMAT = "qcredit-archive/1"
TOP_LEVEL_KEYS = ("format", "enterprises", "records")

# Column widths of the archive tables (archive/models.py); longer text is refused here
# rather than truncated or failing half-way through an import.
MAX_LENGTHS = {
    "name": 200, "region": 6, "industry": 8, "id": 64, "source": 100, "ref": 200, "decision_no": 200,
    "number": 100, "licence_type": 100, "issued_by": 200, "rating": 64,
}
# GB/T 4754-2017: a section letter, optionally followed by 2, 3 or 4 digits (division, group, class).
INDUSTRY_PATTERN = re.compile(r"[A-T](\d{2}|\d{3}|\d{4})?")
REGION_PATTERN = re.compile(r"\d{6}")

KnownUSCCs = Callable[[set[str]], set[str]]


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class BundleError(ValueError):
    """A bundle with problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ValidBundle:
    """A validated, normalised bundle."""

    enterprises: list[dict] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)

    def as_document(self) -> dict:
        return {"format": FORMAT, "enterprises": self.enterprises, "records": self.records}


class LocatedDocument(dict):
    """A bundle document read from lines or rows, remembering where each item came from
    (``locations[("records", 3)] == "第7行"``), so that problems can name the line."""

    def __init__(self, *args, locations: dict[tuple[str, int], str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.locations = locations or {}


# --- parsing -----------------------------------------------------------------------------------------


def parse_bundle_text(text: str) -> dict:
    """Parse a bundle as one JSON document or as JSON Lines; raise BundleError if neither."""
    stripped = text.strip()
    if not stripped:
        raise BundleError([Problem("$", "文件为空，不是 qcredit-archive/1 档案包")])
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as whole_error:
        first_line = stripped.split("\n", 1)[0]
        try:
            header = json.loads(first_line)
        except json.JSONDecodeError:
            header = None
        if isinstance(header, dict) and "format" in header and "\n" in stripped:
            return _parse_json_lines(text)
        raise BundleError([Problem("$", f"不是有效的 JSON：第{whole_error.lineno}行第{whole_error.colno}列，"
                                        f"{_json_message(whole_error)}")]) from None


def _json_message(error: json.JSONDecodeError) -> str:
    messages = {
        "Expecting value": "缺少值",
        "Expecting property name enclosed in double quotes": "属性名必须用双引号",
        "Expecting ',' delimiter": "缺少逗号",
        "Expecting ':' delimiter": "缺少冒号",
        "Unterminated string starting at": "字符串没有结束引号",
        "Extra data": "JSON 之后还有多余内容",
    }
    return messages.get(error.msg, error.msg)


def _parse_json_lines(text: str) -> LocatedDocument:
    problems: list[Problem] = []
    doc = LocatedDocument({"enterprises": [], "records": []})
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"line {lineno}", f"第{lineno}行不是有效的 JSON：{_json_message(exc)}"))
            continue
        if not header_seen:
            header_seen = True
            if isinstance(item, dict) and set(item) == {"format"}:
                doc["format"] = item["format"]
                continue
            problems.append(Problem(f"line {lineno}", '第1行应为 {"format": "qcredit-archive/1"}'))
            continue
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)) in ("enterprise", "record"):
            key = "enterprises" if "enterprise" in item else "records"
            doc.locations[(key, len(doc[key]))] = f"第{lineno}行"
            doc[key].append(next(iter(item.values())))
        else:
            problems.append(Problem(f"line {lineno}", f'第{lineno}行应为 {{"enterprise": {{…}}}} 或 {{"record": {{…}}}}'))
    if problems:
        raise BundleError(problems)
    return doc


# --- validation --------------------------------------------------------------------------------------


def validate_bundle(doc: object, *, known_usccs: KnownUSCCs | None = None) -> ValidBundle:
    """Validate a parsed bundle. ``known_usccs(usccs)`` returns those of ``usccs`` that the
    archive already holds (on import); records may name them. Raises BundleError."""
    v = _Validator(getattr(doc, "locations", {}))
    if not isinstance(doc, Mapping):
        raise BundleError([Problem("$", "档案包应为 JSON 对象")])
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            v.problem(str(key), f"未知字段“{key}”（档案包只有 format、enterprises、records）")
    if "format" not in doc:
        v.problem("format", f"缺少必填字段 format（应为“{FORMAT}”）")
    elif doc["format"] != FORMAT:
        v.problem("format", f"不支持的格式“{doc['format']}”，应为“{FORMAT}”")
    enterprises = _list(v, doc, "enterprises")
    records = _list(v, doc, "records")

    valid = ValidBundle()
    first_index: dict[str, int] = {}
    for i, item in enumerate(enterprises):
        enterprise = v.enterprise(f"enterprises[{i}]", item, ("enterprises", i))
        if enterprise is None:
            continue
        uscc = enterprise.get("uscc")
        if uscc in first_index:
            v.problem(f"enterprises[{i}].uscc", f"统一社会信用代码 {uscc} 与 enterprises[{first_index[uscc]}] 重复",
                      ("enterprises", i))
        elif uscc:
            first_index[uscc] = i
        valid.enterprises.append(enterprise)

    seen_keys: dict[tuple[str, str], int] = {}
    unresolved: dict[str, list[int]] = {}
    for i, item in enumerate(records):
        record = v.record(f"records[{i}]", item, ("records", i))
        if record is None:
            continue
        key = (record.get("source"), record.get("id"))
        if None not in key:
            if key in seen_keys:
                v.problem(f"records[{i}].id", f"记录单位“{key[0]}”的记录编号“{key[1]}”与 records[{seen_keys[key]}] 重复",
                          ("records", i))
            else:
                seen_keys[key] = i
        uscc = record.get("uscc")
        if uscc and uscc not in first_index:
            unresolved.setdefault(uscc, []).append(i)
        valid.records.append(record)

    if unresolved:
        known = known_usccs(set(unresolved)) if known_usccs else set()
        where = "档案包和档案库中" if known_usccs else "档案包中"
        for uscc, indexes in unresolved.items():
            if uscc not in known:
                for i in indexes:
                    v.problem(f"records[{i}].uscc", f"{where}没有统一社会信用代码为 {uscc} 的企业", ("records", i))

    if v.problems:
        raise BundleError(v.problems)
    return valid


def validate_record(item: object, *, path: str = "record") -> dict:
    """Validate one record (manual entry, corrections); raises BundleError."""
    v = _Validator({})
    record = v.record(path, item, None)
    if v.problems or record is None:
        raise BundleError(v.problems or [Problem(path, "记录无效")])
    return record


def validate_enterprise(item: object, *, path: str = "enterprise") -> dict:
    v = _Validator({})
    enterprise = v.enterprise(path, item, None)
    if v.problems or enterprise is None:
        raise BundleError(v.problems or [Problem(path, "企业信息无效")])
    return enterprise


def _list(v: _Validator, doc: Mapping, key: str) -> list:
    value = doc.get(key, [])
    if not isinstance(value, list):
        v.problem(key, f"{key} 应为数组")
        return []
    return value


class _Validator:
    def __init__(self, locations: Mapping[tuple[str, int], str]):
        self.problems: list[Problem] = []
        self.locations = locations

    def problem(self, path: str, reason: str, where: tuple[str, int] | None = None) -> None:
        location = self.locations.get(where) if where else None
        self.problems.append(Problem(path, f"{reason}（{location}）" if location else reason))

    def enterprise(self, path: str, item: object, where) -> dict | None:
        if not isinstance(item, Mapping):
            self.problem(path, "企业应为 JSON 对象", where)
            return None
        return self._fields(path, item, ENTERPRISE_FIELDS, where, "企业")

    def record(self, path: str, item: object, where) -> dict | None:
        if not isinstance(item, Mapping):
            self.problem(path, "记录应为 JSON 对象", where)
            return None
        kind_code = item.get("kind")
        kind = KINDS.get(kind_code) if isinstance(kind_code, str) else None
        if "kind" in item and kind is None:
            self.problem(f"{path}.kind", f"未知的记录类别“{kind_code}”（应为 {'、'.join(KINDS)} 之一）", where)
        fields = COMMON_FIELDS + (kind.fields if kind else ())
        if kind is None:  # fields of an unknown kind cannot be judged; check the common ones only
            item = {k: item[k] for k in item if k in {f.name for f in COMMON_FIELDS}}
        record = self._fields(path, item, fields, where, f"“{kind.label}”记录" if kind else "记录")
        if kind is None:
            return None
        if kind.code == "licence":
            self._licence(path, record, where)
        return record

    def _licence(self, path: str, record: dict, where) -> None:
        if record.get("status") == "rectifying" and not record.get("rectify_by"):
            self.problem(f"{path}.rectify_by", "许可状态为整改中（rectifying）时必须填写整改期限 rectify_by", where)
        valid_from, valid_to = record.get("valid_from"), record.get("valid_to")
        if valid_from and valid_to and valid_from > valid_to:
            self.problem(f"{path}.valid_to", f"有效期至 {valid_to} 早于有效期起 {valid_from}", where)

    def _fields(self, path: str, item: Mapping, fields: Iterable[Field], where, what: str) -> dict:
        fields = tuple(fields)
        names = {f.name for f in fields}
        for key in item:
            if key not in names:
                self.problem(f"{path}.{key}", f"未知字段“{key}”（{what}的字段为 {'、'.join(f.name for f in fields)}）",
                             where)
        out: dict = {}
        for f in fields:
            value = item.get(f.name)
            if value is None or (isinstance(value, str) and not value.strip() and f.type != BOOL):
                if f.required:
                    self.problem(f"{path}.{f.name}", f"缺少必填字段 {f.name}（{f.label}）", where)
                elif f.type == BOOL:
                    out[f.name] = f.default if f.default is not None else False
                continue
            checked = self._value(f"{path}.{f.name}", f, value, where)
            if checked is not None:
                out[f.name] = checked
        return out

    def _value(self, path: str, f: Field, value: object, where):
        if f.name == "uscc":
            try:
                return normalize_uscc(value)
            except USCCError as exc:
                self.problem(path, f"统一社会信用代码无效：{exc.message}", where)
                return None
        if f.type == BOOL:
            if isinstance(value, bool):
                return value
            self.problem(path, f"{f.label}应为 true 或 false，实际为 {json.dumps(value, ensure_ascii=False)}", where)
            return None
        if f.type == DATE:
            if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                try:
                    date.fromisoformat(value)
                    return value
                except ValueError:
                    pass
            self.problem(path, f"{f.label}不是有效的日期（YYYY-MM-DD）：{json.dumps(value, ensure_ascii=False)}", where)
            return None
        if f.type == RATE:
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                if 0 <= value <= 1:
                    return float(value)
                self.problem(path, f"{f.label}应在 0 到 1 之间，实际为 {value}", where)
                return None
            self.problem(path, f"{f.label}应为 0 到 1 之间的数，实际为 {json.dumps(value, ensure_ascii=False)}", where)
            return None
        if not isinstance(value, str):
            self.problem(path, f"{f.label}应为字符串，实际为 {json.dumps(value, ensure_ascii=False)}", where)
            return None
        value = value.strip()
        if f.type == ENUM:
            if value not in f.choices:
                self.problem(path, f"{f.label}的取值“{value}”无效（应为 {'、'.join(f.choices)} 之一）", where)
                return None
            return value
        assert f.type == STR
        limit = MAX_LENGTHS.get(f.name)
        if limit and len(value) > limit:
            self.problem(path, f"{f.label}过长（{len(value)} 个字符，最多 {limit} 个）", where)
            return None
        if f.name == "region" and not REGION_PATTERN.fullmatch(value):
            self.problem(path, f"行政区划代码应为6位数字（GB/T 2260），实际为“{value}”", where)
            return None
        if f.name == "industry" and not INDUSTRY_PATTERN.fullmatch(value):
            self.problem(path, f"行业代码“{value}”不符合 GB/T 4754（门类字母加2–4位数字，如 C3431）", where)
            return None
        return value
