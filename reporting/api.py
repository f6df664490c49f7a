"""Monthly 汇总表 snapshots through the API (`/api/v1/monthly-snapshots/`): the stored tables the user's scope
covers (reporting.selectors.snapshots_visible_to), and the download of one .xlsx, audited as on the page
(reporting.views.snapshot_download). Another office's table is 404."""

from __future__ import annotations

import django_filters
from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation

from core.api.filtersets import StrictFilterSet
from core.api.permissions import EmploymentOfficeWrites
from core.api.schema import LIST, READ_ONE, errors
from core.api.scoping import ScopedViewMixin
from core.audit import record_export
from core.purpose import PURPOSE_MAX_LENGTH, PURPOSE_MIN_LENGTH, PurposeForm, needs_purpose
from core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response

from . import selectors
from .models import MonthlySnapshot


class MonthlySnapshotSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField(help_text="月份（YYYY-MM）")
    office_name = serializers.SerializerMethodField(help_text="填报单位；全省汇总为空")
    download = serializers.HyperlinkedIdentityField(
        view_name="monthly-snapshot-download", read_only=True, help_text="下载 .xlsx 的地址"
    )

    class Meta:
        model = MonthlySnapshot
        fields = ["id", "cohort", "month", "office", "office_name", "version", "filename", "row_count", "sha256",
                  "as_of", "generated_at", "download"]  # fmt: skip
        read_only_fields = fields

    def get_month(self, snapshot: MonthlySnapshot) -> str:
        return f"{snapshot.month:%Y-%m}"

    def get_office_name(self, snapshot: MonthlySnapshot) -> str | None:
        return snapshot.office.name if snapshot.office is not None else None


class SnapshotFilter(StrictFilterSet):
    cohort = django_filters.NumberFilter(min_value=2000, max_value=2100)
    month = django_filters.DateFilter(
        input_formats=["%Y-%m"],
        method="filter_month",
        label="月份（YYYY-MM）",
        error_messages={"invalid": "月份格式不对，应为 2026-07 这样的年月。"},
    )
    province = django_filters.BooleanFilter(field_name="office", lookup_expr="isnull", label="仅全省汇总")

    class Meta:
        model = MonthlySnapshot
        fields = ["cohort", "month", "province"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1))


class ErrorsAsJson(DefaultContentNegotiation):
    """The download answers the file itself (a plain HttpResponse, whatever the Accept header says); its errors
    are JSON like the rest of the API, never a 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(
    list=extend_schema(
        summary="月度汇总表列表（本机构及下级；省局含全省汇总）",
        responses={200: MonthlySnapshotSerializer, **errors(*LIST)},
    ),
    retrieve=extend_schema(
        summary="月度汇总表", responses={200: MonthlySnapshotSerializer, **errors(*READ_ONE)}
    ),
)
class MonthlySnapshotViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = MonthlySnapshot.objects.none()  # for the schema; requests use scoped_queryset
    serializer_class = MonthlySnapshotSerializer
    permission_classes = [EmploymentOfficeWrites]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = SnapshotFilter

    def scoped_queryset(self, user):
        snapshots = selectors.snapshots_visible_to(user)
        return snapshots.defer(None) if self.action == "download" else snapshots  # the file only to download

    @extend_schema(
        summary="下载月度汇总表（.xlsx；每次下载记入审计日志）",
        description=(
            f"超过 {settings.EXPORT_PURPOSE_THRESHOLD} 行的汇总表须在 purpose 中写明使用目的"
            "（GB/T 35273-2020 第 7 条），与本次下载一同记入审计日志，与页面相同。"
        ),
        parameters=[
            OpenApiParameter(
                "purpose",
                OpenApiTypes.STR,
                description=f"使用目的（{PURPOSE_MIN_LENGTH}–{PURPOSE_MAX_LENGTH} 字）",
                required=False,
            )
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="汇总表 .xlsx"),
            **errors(400, *READ_ONE),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_name="download",
        filter_backends=[],
        content_negotiation_class=ErrorsAsJson,
    )
    def download(self, request, pk=None):
        snapshot = self.get_object()
        form = PurposeForm({"purpose": request.query_params.get("purpose", "")})
        purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
        if "purpose" in request.query_params and not form.is_valid():
            raise ValidationError(form_errors(form))
        if needs_purpose(snapshot.row_count) and not purpose:
            raise ValidationError(form_errors(form))
        record_export(
            action="reporting.monthly.downloaded",
            request=request,
            obj=snapshot,
            rows=snapshot.row_count,
            purpose=purpose,
            filters={},
            scope=snapshot.office.name if snapshot.office_id else "全省",
            data={"cohort": snapshot.cohort, "month": f"{snapshot.month:%Y-%m}", "version": snapshot.version,
                  "via": "api"},
        )  # fmt: skip
        response = xlsx_response(bytes(snapshot.content), snapshot.filename)
        response["Cache-Control"] = "no-store"
        return response


def form_errors(form) -> dict[str, list[str]]:
    return {name: list(messages) for name, messages in form.errors.items()}


def register(router) -> None:
    router.register("monthly-snapshots", MonthlySnapshotViewSet, basename="monthly-snapshot")
