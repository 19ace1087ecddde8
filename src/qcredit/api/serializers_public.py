"""Serializers of what scope ``public`` sees (SPEC §7.1 "portal & open data"). They render the
plain records of :mod:`qcredit.api.selectors` (public half) field by field; they never touch a
model instance, so no grade can reach them. Internal serializers live in
:mod:`qcredit.api.serializers_internal` and are never imported here."""

from __future__ import annotations

from rest_framework import serializers

LIST_CHOICES = [("redlist", "质量信用红名单"), ("published-a", "A级（守信）企业公示"), ("blacklist", "失信黑名单")]


class PublicEntrySerializer(serializers.Serializer):
    list = serializers.ChoiceField(choices=LIST_CHOICES, read_only=True, help_text="名单")
    category = serializers.CharField(read_only=True, help_text="名单类别（守信红名单 / 失信黑名单 …）")
    list_name = serializers.CharField(read_only=True, help_text="名单名称（红名单为所属红名单的名称）")
    name = serializers.CharField(read_only=True, help_text="主体名称")
    uscc = serializers.CharField(read_only=True, help_text="统一社会信用代码")
    region = serializers.CharField(read_only=True, help_text="行政区划代码（GB/T 2260）")
    industry = serializers.CharField(read_only=True, help_text="行业代码（GB/T 4754），可为空")
    reason = serializers.CharField(read_only=True, help_text="列入原因（主要信用事实）")
    authority = serializers.CharField(read_only=True, help_text="认定部门")
    listed_on = serializers.DateField(read_only=True, help_text="列入日期")
    valid_until = serializers.DateField(read_only=True, allow_null=True, help_text="有效期至（黑名单无固定期限，为 null）")
    source_unit = serializers.CharField(read_only=True, help_text="数据来源单位")
    source_unit_uscc = serializers.CharField(read_only=True, help_text="数据来源单位统一社会信用代码")
    statement = serializers.CharField(read_only=True, help_text="企业经审核的说明（企业自己的话），可为空")


class PublicEnterpriseSerializer(serializers.Serializer):
    uscc = serializers.CharField(read_only=True, help_text="统一社会信用代码")
    name = serializers.CharField(read_only=True, help_text="名称")
    region = serializers.CharField(read_only=True, help_text="行政区划代码（GB/T 2260）")
    industry = serializers.CharField(read_only=True, help_text="行业代码（GB/T 4754），可为空")
    entries = PublicEntrySerializer(many=True, read_only=True,
                                    help_text="该企业当前公示的名单条目（红名单、A级企业公示、黑名单）；不在任何名单上时为空")


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, help_text="页码，从 1 开始")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=500, help_text="每页条数，默认 100，最多 500")


class DryRunQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, help_text="试运行：只检查和统计，不写入（true / false）")


class ListQuerySerializer(PageQuerySerializer):
    """Query parameters of the list endpoints."""

    region = serializers.RegexField(r"^\d{2,6}$", required=False, max_length=6,
                                    help_text="行政区划代码前缀（2、4 或 6 位，如 3701 济南市）")
    listed_since = serializers.DateField(required=False, help_text="列入日期不早于（YYYY-MM-DD）")
    listed_until = serializers.DateField(required=False, help_text="列入日期不晚于（YYYY-MM-DD）")
    updated_since = serializers.DateField(
        required=False, help_text="自该日（含）以来新列入的条目（YYYY-MM-DD）；条目公开后内容不变，撤下的条目不再公开，"
                                  "退出名单的情况由推送（发件箱）送达合作系统")
