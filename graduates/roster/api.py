"""Roster uploads through the API (`/api/v1/roster-uploads/`): upload a file (checked at once, or by the Celery
worker `graduates.check_roster` when large), poll its status, commit it (at once, or by `graduates.commit_roster`),
or cancel it. The same form, actions and selectors as the pages; another office's upload is 404.

The status answers counts and each invalid row's row, column and message, not the cell's value (it may be an
ID number or a phone: the caller has its own file; the page's download of invalid rows is audited)."""

from __future__ import annotations

import hashlib

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.api.audit import AuditedReadMixin
from core.api.filtersets import StrictFilterSet
from core.api.idempotency import IdempotentCreateMixin
from core.api.parsers import StrictJSONParser
from core.api.schema import LIST, READ_ONE, WRITE, create_schema, errors
from core.api.scoping import ScopedViewMixin

from ..codes import RosterSource
from ..models import RosterUpload
from . import actions, selectors
from .forms import UploadForm

MSG_CANNOT_UPLOAD = "您所在机构不能导入名单。"
MSG_RECHECKED = "部分记录在检查后被修改过，已重新检查，请核对后再确认导入。"
UploadStatus = (
    RosterUpload.Status
)  # a module-level name for settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]
SHOWN = 200  # errors, warnings and conflicts in a status answer (the counts say how many there are)


class RosterUploadSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    university_name = serializers.CharField(
        source="university.name", read_only=True, default=None, allow_null=True
    )
    is_running = serializers.BooleanField(read_only=True, help_text="已上传/检查中/导入中：请稍后再查询")
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = RosterUpload
        fields = [
            "id", "created_at", "filename", "size", "source", "source_display", "cohort", "office",
            "office_name", "university", "university_name", "status", "status_display", "message", "is_running",
            "progress_percent", "rows_total", "rows_read", "rows_checked", "rows_written", "new", "updated",
            "unchanged", "invalid", "conflicts", "checked_at", "committed_at",
        ]  # fmt: skip
        read_only_fields = fields


class RowProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="文件中的行号")
    column = serializers.CharField(help_text="文件中的列名")
    message = serializers.CharField()


class ConflictSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="文件中的行号")
    graduate = serializers.IntegerField(allow_null=True, help_text="登记记录的编号")
    column = serializers.CharField(help_text="经办人员修改过、文件中的值未导入的列")


class RosterUploadDetailSerializer(RosterUploadSerializer):
    errors = serializers.SerializerMethodField(help_text=f"有误的行（最多 {SHOWN} 条）")
    warnings = serializers.SerializerMethodField(help_text=f"不影响导入的提示（最多 {SHOWN} 条）")
    conflict_list = serializers.SerializerMethodField(help_text=f"与经办人员修改冲突的行（最多 {SHOWN} 条）")

    class Meta(RosterUploadSerializer.Meta):
        fields = [*RosterUploadSerializer.Meta.fields, "errors", "warnings", "conflict_list"]
        read_only_fields = fields

    @staticmethod
    def _problems(problems: list[dict]) -> list[dict]:
        return [
            {"row": p.get("row", 0), "column": p.get("column", ""), "message": p.get("message", "")}
            for p in problems[:SHOWN]
        ]

    @extend_schema_field(RowProblemSerializer(many=True))
    def get_errors(self, upload: RosterUpload) -> list[dict]:
        return self._problems(upload.errors)

    @extend_schema_field(RowProblemSerializer(many=True))
    def get_warnings(self, upload: RosterUpload) -> list[dict]:
        return self._problems(upload.warnings)

    @extend_schema_field(ConflictSerializer(many=True))
    def get_conflict_list(self, upload: RosterUpload) -> list[dict]:
        return [
            {"row": c.get("row", 0), "graduate": c.get("graduate"), "column": c.get("column", "")}
            for c in upload.conflict_list[:SHOWN]
        ]


UploadRequestSerializer = inline_serializer(
    "RosterUploadRequest",
    fields={
        "file": serializers.FileField(help_text="名单文件（.xlsx），按模板或汇总表的列"),
        "source": serializers.ChoiceField(choices=RosterSource.choices, help_text="名单来源"),
        "cohort": serializers.IntegerField(min_value=2000, help_text="届别"),
        "university": serializers.IntegerField(
            required=False, help_text="院校名单须指明院校（院校工作人员不填：即本校）"
        ),
    },
)


class UploadFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=RosterUpload.Status.choices)
    source = django_filters.ChoiceFilter(choices=RosterSource.choices)
    cohort = django_filters.NumberFilter(min_value=2000, max_value=2100)

    class Meta:
        model = RosterUpload
        fields = ["status", "source", "cohort"]


@extend_schema_view(
    list=extend_schema(summary="名单导入列表", responses={200: RosterUploadSerializer, **errors(*LIST)}),
    retrieve=extend_schema(
        summary="名单导入的状态与检查结果（检查中、导入中时请轮询）",
        responses={200: RosterUploadDetailSerializer, **errors(*READ_ONE)},
    ),
)
class RosterUploadViewSet(
    AuditedReadMixin, ScopedViewMixin, IdempotentCreateMixin, viewsets.ReadOnlyModelViewSet
):
    audit_object_type = "graduates.rosterupload"
    queryset = RosterUpload.objects.none()  # for the schema; requests use scoped_queryset
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = UploadFilter

    def scoped_queryset(self, user):
        uploads = selectors.uploads_visible_to(user)
        # A list shows the counts: the rows' problems (up to one per row of a big file) stay in the database.
        return (
            uploads.defer("errors", "warnings", "conflict_list", "columns")
            if self.action == "list"
            else uploads
        )

    def get_serializer_class(self):
        return RosterUploadSerializer if self.action == "list" else RosterUploadDetailSerializer

    parser_classes = [
        MultiPartParser,
        StrictJSONParser,
    ]  # the upload is a file; commit and cancel take no body

    @create_schema(
        summary="上传名单（小文件当即检查；大文件由后台任务检查，请轮询状态）",
        request={"multipart/form-data": UploadRequestSerializer},
        created=RosterUploadDetailSerializer,
    )
    def create(self, request, *args, **kwargs):
        if not actions.sources_for(request.user):
            raise PermissionDenied(MSG_CANNOT_UPLOAD)
        # The key's fingerprint must cover the file's bytes, not only its name.
        upload_file = request.FILES.get("file")
        if upload_file is not None and hasattr(request.data, "setlist"):
            digest = hashlib.sha256()
            for chunk in upload_file.chunks():
                digest.update(chunk)
            upload_file.seek(0)
            request.data.setlist("file_sha256", [digest.hexdigest()])
        return super().create(request, *args, **kwargs)

    def create_once(self, request, *args, **kwargs) -> Response:
        sources = actions.sources_for(request.user)
        data = request.data if hasattr(request.data, "get") else {}  # a JSON list or number is no form
        form = UploadForm(data, request.FILES, user=request.user, sources=sources)
        if not form.is_valid():
            return Response(form_errors(form), status=status.HTTP_400_BAD_REQUEST)
        upload = actions.receive_upload(cleaned_data=form.cleaned_data, acting_user=request.user)
        upload = self.scoped_queryset(request.user).get(pk=upload.pk)
        return Response(RosterUploadDetailSerializer(upload).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="确认导入（小名单当即写入：200；大名单交后台任务：202，请轮询状态）",
        request=None,
        responses={
            200: RosterUploadDetailSerializer,
            202: RosterUploadDetailSerializer,
            409: inline_serializer("RosterRechecked", fields={"detail": serializers.CharField()}),
            **errors(*WRITE, 404),
        },
    )
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        upload = self.get_object()
        try:
            upload = actions.start_commit(upload=upload, acting_user=request.user)
        except actions.StaleCheck:
            actions.start_check(RosterUpload.objects.get(pk=upload.pk))
            return Response({"detail": MSG_RECHECKED}, status=status.HTTP_409_CONFLICT)
        upload = self.scoped_queryset(request.user).get(pk=upload.pk)
        running = upload.status == RosterUpload.Status.COMMITTING
        return Response(
            RosterUploadDetailSerializer(upload).data,
            status=status.HTTP_202_ACCEPTED if running else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="取消（上传单位或省级管理员；已导入的不能取消）",
        request=None,
        responses={200: RosterUploadDetailSerializer, **errors(*WRITE, 404)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        upload = actions.cancel_upload(upload=self.get_object(), acting_user=request.user)
        return Response(
            RosterUploadDetailSerializer(self.scoped_queryset(request.user).get(pk=upload.pk)).data
        )


def form_errors(form) -> dict[str, list[str]]:
    """A page form's errors as the API's 400 body: {"field": ["message"]} (non_field_errors for the rest)."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): list(messages)
        for name, messages in form.errors.items()
    }


def register(router) -> None:
    router.register("roster-uploads", RosterUploadViewSet, basename="roster-upload")
