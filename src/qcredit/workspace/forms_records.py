"""Record entry and correction forms, generated from the archive vocabulary (SPEC §3,
``rules/kinds.py``): one form class per record kind, Chinese labels and enum choices.

The form only turns widgets into bundle values (dates, numbers, booleans, codes); whether a
record is valid is decided by the bundle validator (``archive.bundle.validate_record``) —
the same one the bundle, CSV and XLSX imports use — and its problems are shown beside the
fields they name. Saving goes through the archive services, which validate once more.
"""

from __future__ import annotations

from datetime import date

from django import forms

from qcredit.archive.bundle import MAX_LENGTHS, BundleError, validate_record
from qcredit.rules.kinds import BOOL, CHOICE_LABELS, COMMON_FIELDS, DATE, ENUM, KINDS, RATE, Field, Kind

_COMMON = {f.name: f for f in COMMON_FIELDS}
# Common fields a person enters (uscc and kind come from the page; id and source are fixed
# once a record exists, SPEC §3.1: a record is identified by (source, id)).
ADD_FIELDS = ("id", "source", "date", "ref", "note")
CORRECT_FIELDS = ("date", "ref", "note")
TEXTAREA_FIELDS = {"note", "justification"}
HELP = {
    "id": "记录单位自己的编号（如抽查通报序号），同一记录单位内唯一",
    "source": "作出该记录的单位",
    "date": "发现或认定的日期",
    "ref": "抽查通报、处罚决定书等文号",
    "rectify_by": "许可状态为“整改中”时必填",
    "justification": "“其他”类荣誉须填写理由方可计入（SRL 第八条(六)）",
}


def choice_label(code: str) -> str:
    return CHOICE_LABELS.get(code, code)


def form_field(f: Field) -> forms.Field:
    """The Django form field of one archive field (requiredness is left to the validator,
    except for what a browser can say at once)."""
    common = {"label": f.label, "help_text": HELP.get(f.name, ""), "required": f.required and f.type != BOOL}
    if f.type == ENUM:
        choices = [(c, choice_label(c)) for c in f.choices]
        if not f.required:
            choices = [("", "（不填）"), *choices]
        else:
            choices = [("", "请选择"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if f.type == BOOL:
        common["required"] = False
        return forms.BooleanField(initial=bool(f.default), **common)
    if f.type == DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               input_formats=["%Y-%m-%d", "%Y/%m/%d"], **common)
    if f.type == RATE:
        common["help_text"] = common["help_text"] or "0 到 1 之间的小数，如 0.985 表示 98.5%"
        return forms.FloatField(widget=forms.NumberInput(attrs={"step": "any", "min": "0", "max": "1"}), **common)
    if f.name in TEXTAREA_FIELDS:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    return forms.CharField(max_length=MAX_LENGTHS.get(f.name), **common)


def _bundle_value(f: Field, value):
    if f.type == BOOL:
        return bool(value)
    if value is None:
        return None
    if f.type == DATE:
        return value.isoformat() if isinstance(value, date) else value
    if f.type == RATE:
        return float(value)
    return value


class RecordForm(forms.Form):
    """Base of the generated forms. ``kind`` is the record kind; ``uscc`` the enterprise's;
    a correction form also knows the record's (source, id) and asks for a reason."""

    kind: Kind
    correction: bool = False
    entered: tuple[str, ...] = ()

    def __init__(self, *args, uscc: str, fixed: dict | None = None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.uscc = uscc
        self.fixed = fixed or {}  # id and source of the corrected record

    def archive_fields(self) -> list[Field]:
        return [_COMMON[name] for name in self.entered if name in _COMMON] + list(self.kind.fields)

    def record_data(self) -> dict:
        """The bundle record the form describes (without uscc). Empty optional values stay
        in it as ``None``/``""`` (the validator drops them), so that a correction clears them."""
        data: dict = {} if self.correction else {"kind": self.kind.code}
        for f in self.archive_fields():
            data[f.name] = _bundle_value(f, self.cleaned_data.get(f.name))
        return data

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        item = {"uscc": self.uscc, "kind": self.kind.code, **self.fixed, **self.record_data()}
        try:
            validate_record(item)
        except BundleError as exc:
            for problem in exc.problems:
                name = problem.path.rsplit(".", 1)[-1]
                self.add_error(name if name in self.fields else None, problem.reason)
        return cleaned


def record_form_class(kind_code: str, *, correction: bool = False) -> type[RecordForm]:
    """The entry (or correction) form of one record kind."""
    kind = KINDS[kind_code]
    entered = CORRECT_FIELDS if correction else ADD_FIELDS
    attrs: dict = {"kind": kind, "correction": correction, "entered": entered}
    for name in entered:
        attrs[name] = form_field(_COMMON[name])
    for f in kind.fields:
        attrs[f.name] = form_field(f)
    if correction:
        attrs["reason"] = forms.CharField(label="更正理由", widget=forms.Textarea(attrs={"rows": 3}),
                                          help_text="必填：为什么更正（档案保留每次更正的更正人、时间和理由）")
    return type(f"{kind.code.title().replace('_', '')}{'Correction' if correction else 'Entry'}Form",
                (RecordForm,), attrs)


def initial_from_bundle(item: dict, kind_code: str) -> dict:
    """Form initial values from a bundle record (the current version, for a correction)."""
    kind = KINDS[kind_code]
    initial = {}
    for f in (*COMMON_FIELDS, *kind.fields):
        if f.name not in item:
            continue
        value = item[f.name]
        initial[f.name] = date.fromisoformat(value) if f.type == DATE and isinstance(value, str) else value
    return initial


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class WithdrawForm(_Form):
    reason = forms.CharField(label="撤回理由", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="必填：撤回不删除记录，只将其标记为已撤回")


class UploadForm(_Form):
    file = forms.FileField(label="文件", help_text="Excel（.xlsx）、CSV（.csv，UTF-8 或 GB18030 编码）或档案包（.json、.jsonl）")
    kind = forms.ChoiceField(label="记录类别", required=False,
                             help_text="CSV 文件没有“记录类别”列、文件名也不是类别代码时必选",
                             choices=[("", "（按文件判断）"), ("enterprise", "企业基本信息"),
                                      *[(code, kind.label) for code, kind in KINDS.items()]])


class EnterprisePickForm(_Form):
    """Single record entry starts from an enterprise and a kind."""

    uscc = forms.CharField(label="统一社会信用代码", max_length=18)
    kind = forms.ChoiceField(label="记录类别", choices=[(code, kind.label) for code, kind in KINDS.items()])
