"""Monthly 汇总表 snapshots through the API (`/api/v1/monthly-snapshots/`): the stored tables the user's scope
covers (reporting.selectors.snapshots_visible_to), and the download of one .xlsx, audited as on the page
(reporting.views.snapshot_download). Another office's table is 404."""

from __future__ import annotations

import json

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import renderers, serializers, viewsets
from rest_framework.decorators import action

from core.api.permissions import EmploymentOfficeWrites
from core.api.schema import LIST, READ_ONE, errors
from core.api.scoping import ScopedViewMixin
from core.audit import record_audit
from core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_response

from . import selectors
from .models import MonthlySnapshot


class MonthlySnapshotSerializer(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m", read_only=True, help_text="月份（YYYY-MM）")
    office_name = serializers.SerializerMethodField(help_text="填报单位；全省汇总为空")
    download = serializers.HyperlinkedIdentityField(
        view_name="monthly-snapshot-download", read_only=True, help_text="下载 .xlsx 的地址"
    )

    class Meta:
        model = MonthlySnapshot
        fields = ["id", "cohort", "month", "office", "office_name", "version", "filename", "row_count", "sha256",
                  "as_of", "generated_at", "download"]  # fmt: skip
        read_only_fields = fields

    def get_office_name(self, snapshot: MonthlySnapshot) -> str | None:
        return snapshot.office.name if snapshot.office is not None else None


class SnapshotFilter(django_filters.FilterSet):
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


class XlsxRenderer(renderers.BaseRenderer):
    """The download's own media type; an error on that path (404) is still written as JSON."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


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
        if getattr(self, "swagger_fake_view", False):  # the schema's generation: no user to scope
            return self.queryset
        snapshots = selectors.snapshots_visible_to(user)
        return snapshots.defer(None) if self.action == "download" else snapshots  # the file only to download

    @extend_schema(
        summary="下载月度汇总表（.xlsx；每次下载记入审计日志）",
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="汇总表 .xlsx"),
            **errors(*READ_ONE),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_name="download",
        renderer_classes=[renderers.JSONRenderer, XlsxRenderer],
        filter_backends=[],
    )
    def download(self, request, pk=None):
        snapshot = self.get_object()
        record_audit(
            action="reporting.monthly.downloaded",
            request=request,
            obj=snapshot,
            data={"cohort": snapshot.cohort, "month": f"{snapshot.month:%Y-%m}", "version": snapshot.version,
                  "rows": snapshot.row_count, "via": "api"},
        )  # fmt: skip
        response = xlsx_response(bytes(snapshot.content), snapshot.filename)
        response["Cache-Control"] = "no-store"
        return response


def register(router) -> None:
    router.register("monthly-snapshots", MonthlySnapshotViewSet, basename="monthly-snapshot")
