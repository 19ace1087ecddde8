"""Serializers of the intake endpoint (scope ``intake``). The request body is a
``qcredit-archive/1`` bundle (SPEC §3.1); the serializers below only *describe* it in the
OpenAPI schema — the body is checked by :func:`qcredit.archive.bundle.validate_bundle`, the same
validation as every import, which reports each problem with its JSON path."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from qcredit.rules.kinds import (
    BOOL,
    CHOICE_LABELS,
    COMMON_FIELDS,
    DATE,
    ENTERPRISE_FIELDS,
    ENUM,
    KINDS,
    RATE,
    SCOPE_QM,
)

# The one choice set shared by several kinds under a name another set also uses ("scope" of a
# penalty adds "other"): named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
SCOPE_QM_CHOICES = [(c, CHOICE_LABELS[c]) for c in SCOPE_QM]


def _field(f, choices=None) -> serializers.Field:
    help_text = f.label + ("" if f.required else "（选填）")
    required = f.required and f.type != BOOL
    if f.type == DATE:
        return serializers.DateField(required=required, help_text=help_text)
    if f.type == BOOL:
        return serializers.BooleanField(required=False, help_text=help_text)
    if f.type == RATE:
        return serializers.FloatField(required=required, min_value=0, max_value=1, help_text=help_text + "，0 到 1")
    if f.type == ENUM:
        values = choices or f.choices
        return serializers.ChoiceField(choices=[(c, CHOICE_LABELS.get(c, c)) for c in values], required=required,
                                       help_text=help_text)
    return serializers.CharField(required=required, help_text=help_text)


def _record_serializer(kind) -> type[serializers.Serializer]:
    """One kind of record: the common fields and the kind's own (SPEC §3)."""
    fields = {f.name: _field(f) for f in COMMON_FIELDS if f.name != "kind"}
    fields["kind"] = serializers.ChoiceField(choices=[(kind.code, kind.label)], help_text=f"记录类别：{kind.label}")
    fields.update({f.name: _field(f) for f in kind.fields})
    name = "".join(part.title() for part in kind.code.split("_")) + "RecordSerializer"
    return type(name, (serializers.Serializer,), {**fields, "__doc__": f"{kind.label}（{kind.code}）"})


BundleEnterpriseSerializer = type("BundleEnterpriseSerializer", (serializers.Serializer,),
                                  {f.name: _field(f) for f in ENTERPRISE_FIELDS})
RECORD_SERIALIZERS = {code: _record_serializer(kind) for code, kind in KINDS.items()}
BundleRecordSerializer = PolymorphicProxySerializer(
    component_name="BundleRecord", serializers=RECORD_SERIALIZERS, resource_type_field_name="kind", many=True,
    required=False, help_text="档案记录；字段按记录类别（kind）而定；source 须为本客户端可报送的记录单位")


class BundleSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=[("qcredit-archive/1", "qcredit-archive/1")], help_text="固定为 qcredit-archive/1")
    enterprises = BundleEnterpriseSerializer(many=True, required=False, help_text="企业（可省略档案中已有的企业）")
    records = BundleRecordSerializer


class ProblemSerializer(serializers.Serializer):
    path = serializers.CharField(read_only=True, help_text="JSON 路径，如 records[3].date")
    reason = serializers.CharField(read_only=True, help_text="问题说明")


class IntakeBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, allow_null=True, help_text="批次编号（试运行为 null）")
    status = serializers.ChoiceField(choices=[("accepted", "已接收"), ("rejected", "已拒收")], read_only=True)
    dry_run = serializers.BooleanField(read_only=True, help_text="试运行：只检查和统计，不写入")
    received_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="接收时间（北京时间）")
    enterprises = serializers.IntegerField(read_only=True, help_text="批次中的企业条数")
    records = serializers.IntegerField(read_only=True, help_text="批次中的记录条数")
    enterprises_created = serializers.IntegerField(read_only=True, help_text="新增企业")
    enterprises_updated = serializers.IntegerField(read_only=True, help_text="更新登记信息的企业")
    enterprises_unchanged = serializers.IntegerField(read_only=True, help_text="未变企业")
    records_created = serializers.IntegerField(read_only=True, help_text="新增记录")
    records_corrected = serializers.IntegerField(read_only=True, help_text="更正记录（同一 source 与 id、内容不同：新版本）")
    records_unchanged = serializers.IntegerField(read_only=True, help_text="未变记录（重复报送）")
    records_withdrawn_kept = serializers.ListField(child=serializers.CharField(), read_only=True,
                                                   help_text="档案中已撤回、保持撤回的记录（source/id）")
    regraded = serializers.IntegerField(read_only=True, help_text="重新评定的企业数")
    problem_count = serializers.IntegerField(read_only=True, help_text="问题总数（已拒收时）")
    problems = ProblemSerializer(many=True, read_only=True, help_text="问题（最多 500 条）")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="错误代码")
    detail = serializers.CharField(read_only=True, help_text="说明")
    problems = ProblemSerializer(many=True, read_only=True, help_text="输入的问题及其位置（没有时为空）")


class IntakeRejectedSerializer(ErrorSerializer):
    batch = IntakeBatchSerializer(read_only=True, allow_null=True,
                                  help_text="被拒收的批次（试运行时编号为 null）；请求本身有误（参数、编码）时为 null")
