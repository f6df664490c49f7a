"""The list's filters. They live in the URL (GET), so a filtered view can be bookmarked and shared."""

from __future__ import annotations

import re

import django_filters
from django.db.models import QuerySet

from core.models import Office, OfficeKind, User
from core.scope import visible_offices

from .checks import normalize_text
from .codes import (
    Category,
    Destination,
    EducationLevel,
    Hardship,
    Intention,
    ServiceNeed,
    SourceChannel,
    State,
)
from .models import Graduate

SORTS = {
    "updated": "-updated_at",
    "name": "name",
    "cohort": "-cohort",
    "graduation": "graduation_date",
    "state": "state",
    "created": "-created_at",
}
SORT_LABELS = {
    "updated": "最近更新",
    "created": "最近登记",
    "name": "姓名",
    "cohort": "届别",
    "graduation": "毕业日期",
    "state": "状态",
}


def search_filter(queryset: QuerySet, value: str) -> QuerySet:
    """One box for name, ID number or phone: an 18-character ID → exact ID; 11 digits from 1 → mobile;
    the last 4–6 characters of an ID are too weak to search (ambiguous, and a way to fish for people)."""
    text = normalize_text(value).upper()
    if not text:
        return queryset
    if re.fullmatch(r"\d{17}[\dX]", text):
        return queryset.with_id_number(text)
    if re.fullmatch(r"1\d{10}", text):
        return queryset.filter(mobile=text)
    if re.fullmatch(r"0\d{2,3}-?\d{7,8}", text):
        return queryset.filter(landline=text)
    return queryset.filter(name__startswith=text)


TOO_LONG = {
    "max_length": "内容过长，请缩短后再查询。",
    "null_characters_not_allowed": "不能包含空字符（NUL）。",
}


class CodeContainsFilter(django_filters.ChoiceFilter):
    """Graduates whose code array contains the chosen code (uses the GIN index)."""

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return qs.filter(**{f"{self.field_name}__contains": [value]})


class GraduateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="姓名/身份证号/手机", method="filter_q", max_length=50, error_messages=TOO_LONG
    )
    state = django_filters.ChoiceFilter(label="状态", choices=State.choices, empty_label="全部状态")
    cohort = django_filters.NumberFilter(
        label="届别",
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "届别应为年份，如 2026。",
            "min_value": "届别应在 2000 至 2100 年之间。",
            "max_value": "届别应在 2000 至 2100 年之间。",
        },
    )
    education = django_filters.ChoiceFilter(
        label="学历", choices=EducationLevel.choices, empty_label="全部学历"
    )
    category = django_filters.ChoiceFilter(label="人员类别", choices=Category.choices, empty_label="全部类别")
    hardship = CodeContainsFilter(label="困难状况", choices=Hardship.choices, empty_label="全部困难状况")
    intention = CodeContainsFilter(
        label="就业意向", field_name="intentions", choices=Intention.choices, empty_label="全部就业意向"
    )
    need = CodeContainsFilter(
        label="服务需求", field_name="service_needs", choices=ServiceNeed.choices, empty_label="全部服务需求"
    )
    source = CodeContainsFilter(
        label="来源", field_name="sources", choices=SourceChannel.choices, empty_label="全部来源"
    )
    destination = django_filters.ChoiceFilter(
        label="就业去向", choices=[("none", "（未填写）"), *Destination.choices], empty_label="全部去向",
        method="filter_destination",
    )  # fmt: skip
    university = django_filters.ModelChoiceFilter(
        label="毕业院校", queryset=Office.objects.filter(kind=OfficeKind.UNIVERSITY), empty_label="全部院校"
    )
    major = django_filters.CharFilter(
        label="专业", lookup_expr="startswith", max_length=100, error_messages=TOO_LONG
    )
    office = django_filters.ModelChoiceFilter(
        label="责任机构",
        field_name="responsible_office",
        queryset=Office.objects.none(),
        empty_label="全部机构",
    )
    info = django_filters.ChoiceFilter(
        label="信息完整",
        choices=[("incomplete", "信息不全"), ("complete", "信息完整")],
        method="filter_info",
        empty_label="全部",
    )
    staff = django_filters.ChoiceFilter(label="责任人", method="filter_staff", empty_label="全部责任人")
    sort = django_filters.ChoiceFilter(
        label="排序", choices=list(SORT_LABELS.items()), method="filter_sort", empty_label=None
    )

    class Meta:
        model = Graduate
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user: User, **kwargs):
        super().__init__(data, queryset, **kwargs)
        offices = visible_offices(user).filter(
            kind__in=[OfficeKind.PREFECTURE, OfficeKind.COUNTY, OfficeKind.BUREAU]
        )
        self.filters["office"].queryset = offices.order_by("region_id")
        staff = User.objects.filter(office__in=offices, is_active=True).order_by(
            "office__region_id", "username"
        )
        self.filters["staff"].extra["choices"] = [("none", "（未指定）")] + [
            (str(u.pk), f"{u} · {u.office.name}") for u in staff.select_related("office")
        ]
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def filter_q(self, queryset, name, value):
        return search_filter(queryset, value)

    def filter_destination(self, queryset, name, value):
        return queryset.filter(destination="" if value == "none" else value)

    def filter_info(self, queryset, name, value):
        """信息不全: missing 就业地意向, 就业意向 or 困难状况 (models.COMPLETENESS_FIELDS)."""
        return queryset.incomplete() if value == "incomplete" else queryset.complete()

    def filter_staff(self, queryset, name, value):
        return queryset.filter(staff__isnull=True) if value == "none" else queryset.filter(staff_id=value)

    def filter_sort(self, queryset, name, value):
        return queryset

    @property
    def order_by(self) -> list[str]:
        key = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return [SORTS.get(key or "updated", "-updated_at"), "-id"]

    @property
    def active_count(self) -> int:
        if not self.form.is_valid():
            return 0
        return sum(1 for k, v in self.form.cleaned_data.items() if k != "sort" and v not in (None, "", []))
