"""The holiday calendar in the Django admin (SPEC §1 admin: "holiday calendar"), for superusers.

Every write goes through ``services.holiday_year_load``: the import screen loads a year from a
file; the change screen of a year edits its days inline and saves them as a replacement of the
whole year, with a reason. Nothing is deleted from here: a wrong year is corrected by
replacing it. The day list is read-only, filtered by year and kind.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .errors import WorkdayError
from .files import EXTENSIONS, schedule_file_read, schedule_file_write
from .models import CalendarDay, HolidayYear
from .schedule import MAX_YEAR, MIN_YEAR, WEEKDAY_LABELS, schedule_problems, summary
from .selectors import holiday_year_days, holiday_year_list
from .services import holiday_year_load

MAX_UPLOAD_BYTES = 1024 * 1024


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class CalendarDayFormSet(forms.BaseInlineFormSet):
    """The days of one year, checked together as a schedule (the rules of ``schedule.py``)."""

    def schedule_days(self) -> list[tuple]:
        return [(cd["date"], cd["kind"], cd["name"]) for cd in (f.cleaned_data for f in self.forms)
                if cd and not cd.get("DELETE")]

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.year is None:
            return
        problems = schedule_problems(year=self.instance.year, days=self.schedule_days())
        if problems:
            raise ValidationError([str(p) for p in problems])


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayFormSet
    fields = ("date", "kind", "name")
    ordering = ("date",)
    extra = 1


class HolidayYearForm(forms.ModelForm):
    class Meta:
        model = HolidayYear
        fields = ("year", "source", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "reason" in self.fields:
            # Saving a loaded year replaces it: say why, every time.
            self.initial["reason"] = ""
            self.fields["reason"].required = True
            self.fields["reason"].label = "修改原因"

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间")
        if HolidayYear.objects.filter(year=year).exists():
            raise ValidationError(f"{year} 年的安排已导入；请打开该年度修改，或用“导入年度安排”替换")
        return year


class ScheduleImportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=MIN_YEAR, max_value=MAX_YEAR)
    file = forms.FileField(label="导入文件", help_text="CSV 或 XLSX（列：日期、类型、名称），或 JSON")
    source = forms.CharField(label="依据", max_length=200, required=False,
                             help_text="如 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕x号）")
    replace = forms.BooleanField(label="替换已导入的该年度安排", required=False)
    reason = forms.CharField(label="替换原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise ValidationError(f"应为 {'、'.join(EXTENSIONS)} 文件")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("文件超过 1 MB，不像是一个年度的节假日安排")
        return upload


@admin.register(HolidayYear)
class HolidayYearAdmin(SuperuserOnly, admin.ModelAdmin):
    form = HolidayYearForm
    list_display = ("year", "holiday_count", "workday_count", "source", "loaded_at", "loaded_by", "export_link")
    list_display_links = ("year",)
    search_fields = ("year", "source")
    inlines = (CalendarDayInline,)

    def get_queryset(self, request):
        return holiday_year_list()

    def get_readonly_fields(self, request, obj=None):
        return ("year", "loaded_at", "loaded_by") if obj else ()

    @admin.display(description="法定节假日（天）", ordering="holiday_count")
    def holiday_count(self, obj):
        return obj.holiday_count

    @admin.display(description="调休上班日（天）", ordering="workday_count")
    def workday_count(self, obj):
        return obj.workday_count

    @admin.display(description="导出")
    def export_link(self, obj):
        return format_html('<a href="{}">CSV</a>', reverse("admin:workdays_holidayyear_export", args=[obj.year]))

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    # The year and its days are written together by the service, in save_related.
    def save_model(self, request, obj, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        (days,) = [f for f in formsets if isinstance(f, CalendarDayFormSet)]
        holiday_year = holiday_year_load(year=form.instance.year, days=days.schedule_days(),
                                         source=form.cleaned_data["source"], actor=request.user,
                                         replace=change, reason=form.cleaned_data.get("reason", ""))
        form.instance.pk = holiday_year.pk
        form.instance._state.adding = False

    def construct_change_message(self, request, form, formsets, add=False):
        (days,) = [f for f in formsets if isinstance(f, CalendarDayFormSet)]
        reason = form.cleaned_data.get("reason", "")
        return f"{'录入' if add else '修改'}：{summary(days.schedule_days())}" + (f"；原因：{reason}" if reason else "")

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="workdays_holidayyear_import"),
            path("export/<int:year>/", self.admin_site.admin_view(self.export_view),
                 name="workdays_holidayyear_export"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ScheduleImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                schedule = schedule_file_read(content=upload.read(), filename=upload.name, year=data["year"])
                holiday_year = holiday_year_load(
                    year=data["year"], days=schedule.days,
                    source=data["source"] or schedule.source or f"导入文件 {upload.name}",
                    actor=request.user, replace=data["replace"], reason=data["reason"])
            except WorkdayError as exc:
                form.add_error(None, exc.message)
                problems = exc.problems
            else:
                messages.success(request, f"已导入 {holiday_year.year} 年节假日安排：{summary(schedule.days)}")
                return redirect("admin:workdays_holidayyear_change", holiday_year.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "导入年度节假日安排",
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/workdays/holidayyear/import.html", context)

    def export_view(self, request, year: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = holiday_year_days(year=year)
        if not days:
            raise Http404(f"{year} 年的安排尚未导入")
        response = HttpResponse(schedule_file_write(days=days), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="holidays-{year}.csv"'
        return response


@admin.register(CalendarDay)
class CalendarDayAdmin(SuperuserOnly, admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "holiday_year")
    list_filter = ("holiday_year__year", "kind", "name")
    search_fields = ("name",)
    date_hierarchy = "date"
    list_select_related = ("holiday_year",)

    @admin.display(description="星期")
    def weekday(self, obj):
        return WEEKDAY_LABELS[obj.date.weekday()]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
