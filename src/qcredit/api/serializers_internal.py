"""Serializers of what scope ``internal-grade`` sees (SPEC §7.1 "computed grade, criteria,
evidence … partner token: only with an explicit internal scope, logged"). Used only by the
grade endpoint, whose every call is an access event in the audit trail."""

from __future__ import annotations

from rest_framework import serializers

GRADE_CHOICES = [("A", "A 守信"), ("B", "B 基本守信"), ("C", "C 失信"), ("D", "D 严重失信"), ("N", "未定级")]
TIER_CHOICES = [("A", "守信（A级）标准"), ("B", "基本守信（B级）标准"), ("C", "失信（C级）情形"),
                ("D", "严重失信（D级）情形"), ("SRL-8", "红名单列入条件"), ("SRL-9", "红名单基本要求")]


class RecordRefSerializer(serializers.Serializer):
    source = serializers.CharField(read_only=True, help_text="记录单位")
    id = serializers.CharField(read_only=True, help_text="记录编号（在记录单位内唯一）")
    kind = serializers.CharField(read_only=True, help_text="记录类别")
    date = serializers.DateField(read_only=True, help_text="日期")
    version = serializers.IntegerField(read_only=True, help_text="版本（更正后递增）")
    current = serializers.BooleanField(read_only=True, help_text="是否仍为现行版本（此后未被更正或撤回）")


class CriterionSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True, help_text="指标编号，如 QCO-C2")
    tier = serializers.ChoiceField(choices=TIER_CHOICES, read_only=True, help_text="所属等级标准")
    article = serializers.CharField(read_only=True, help_text="条款")
    text = serializers.CharField(read_only=True, help_text="系统检查的内容")
    holds = serializers.BooleanField(read_only=True, allow_null=True,
                                     help_text="A/B 标准：是否符合；C/D 情形：是否成立；null 为未评定（已注销）")
    evidence = RecordRefSerializer(many=True, read_only=True, help_text="所依据的档案记录")


class ExternalCreditSerializer(serializers.Serializer):
    source = serializers.CharField(read_only=True, help_text="记录单位")
    id = serializers.CharField(read_only=True, help_text="记录编号")
    date = serializers.DateField(read_only=True, help_text="日期")
    provider = serializers.ChoiceField(choices=[("bank", "银行"), ("tax", "税务"), ("market", "市场监管（工商）"),
                                                ("customs", "海关")], read_only=True, help_text="提供部门")
    rating = serializers.CharField(read_only=True, help_text="信用评级（提供部门自己的等级）")
    ref = serializers.CharField(read_only=True, help_text="文号，可为空")


class GradeSerializer(serializers.Serializer):
    uscc = serializers.CharField(read_only=True, help_text="统一社会信用代码")
    name = serializers.CharField(read_only=True, help_text="名称")
    region = serializers.CharField(read_only=True, help_text="行政区划代码")
    grade = serializers.ChoiceField(choices=GRADE_CHOICES, read_only=True, allow_null=True,
                                    help_text="当前质量信用等级（内部，机密）；尚未评定时为 null")
    as_of = serializers.DateField(read_only=True, allow_null=True, help_text="评价日")
    since = serializers.DateField(read_only=True, allow_null=True, help_text="本等级起始评价日")
    ruleset = serializers.CharField(read_only=True, help_text="规则版本，如 SD-2018.1")
    adverse = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="成立的 C/D 情形")
    unmet = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="未达到的 A（或 B）标准")
    redlist_eligible = serializers.BooleanField(read_only=True, allow_null=True, help_text="是否符合红名单列入条件")
    criteria = CriterionSerializer(many=True, read_only=True, help_text="各项指标的结果")
    external_credit = ExternalCreditSerializer(
        many=True, read_only=True, help_text="外部信用信息（银行、税务、市场监管、海关）：列于等级旁，不影响等级（QCO 三(五)）")
