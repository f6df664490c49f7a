"""The registry through the REST API (`/api/v1/graduates/`, mounted by config/api_urls.py).

Every read goes through graduates/selectors.py (the user's scope: another office's record is 404), every write
through graduates/actions.py after the page's own form (GraduateForm, VisitForm) has checked the input, so the
API answers with the same checks and the same Chinese messages as the pages, as ``{"field": ["message"]}``.
ID numbers and phones are masked in lists and write answers; a retrieve shows them in full and is audited
("graduate.viewed", as the record's page).
"""

from __future__ import annotations

import datetime

from django.http import QueryDict
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.api.audit import AuditedReadMixin
from core.api.filters import UserFilterBackend
from core.api.idempotency import IdempotentCreateMixin, idempotent
from core.api.masking import MaskedSerializerMixin, full_retrieve
from core.api.pagination import IdCursorPagination
from core.api.permissions import EmploymentOfficeWrites
from core.api.schema import LIST, READ_ONE, WRITE, DetailSerializer, create_schema, errors
from core.api.scoping import ScopedViewMixin, covers

from . import actions, search_tokens, selectors
from .checks import ID_PATTERN, mask_id_number, mask_phone, normalize_text
from .codes import (
    Category,
    Destination,
    EducationLevel,
    Ethnicity,
    Gender,
    Hardship,
    Intention,
    LocationIntention,
    ServiceNeed,
    SourceChannel,
    State,
    VisitMethod,
    VisitOutcome,
)
from .filters import GraduateFilter
from .forms import MISSING_VERSION, GraduateForm, VisitForm
from .models import FollowUpVisit, Graduate

MASKS = {"id_number": mask_id_number, "mobile": mask_phone, "landline": mask_phone}
MSG_SENSITIVE_QUERY = (
    "身份证号、手机号等个人信息不能放在网址中查询；请用 POST /api/v1/graduates/lookup/ 按公民身份号码查找。"
)
MSG_STALE = "保存失败：这条记录已被他人修改（version 已变化），请重新读取后再修改。"


class GraduateApiFilter(GraduateFilter):
    """The list page's filter set; the order is the cursor's (newest registration first), so no `sort`."""


GraduateApiFilter.base_filters = {k: v for k, v in GraduateFilter.base_filters.items() if k != "sort"}


def _choice(choices, **kwargs):
    return serializers.ChoiceField(choices=choices, **kwargs)


def _codes(choices):
    return serializers.ListField(child=_choice(choices), required=False, max_length=20)


# --- read ------------------------------------------------------------------------------------------------------


class GraduateListSerializer(MaskedSerializerMixin, serializers.Serializer):
    """One row of the list (the selector's columns); ID number and phone masked."""

    masked_fields = MASKS

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    gender = _choice(Gender.choices, read_only=True, allow_blank=True)
    id_number = serializers.CharField(read_only=True, help_text="列表中为脱敏号码")
    mobile = serializers.CharField(read_only=True, allow_blank=True, help_text="列表中为脱敏号码")
    cohort = serializers.IntegerField(read_only=True)
    education = _choice(EducationLevel.choices, read_only=True, allow_blank=True)
    major = serializers.CharField(read_only=True)
    university_name = serializers.CharField(read_only=True)
    state = _choice(State.choices, read_only=True)
    destination = _choice(Destination.choices, read_only=True, allow_blank=True)
    hardship = serializers.ListField(child=serializers.CharField(), read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    origin_region_name = serializers.CharField(source="origin_region__full_name", read_only=True)
    responsible_office_name = serializers.CharField(source="responsible_office__name", read_only=True)
    staff_name = serializers.SerializerMethodField()
    incomplete = serializers.BooleanField(
        read_only=True, help_text="信息不全（缺就业地意向、就业意向或困难状况）"
    )

    def get_staff_name(self, row) -> str | None:
        return row.get("staff__full_name") or row.get("staff__username") or None


class GraduateSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    """The whole record (登记表 and registry fields). Full ID number and phones only on retrieve (audited)."""

    masked_fields = MASKS

    gender = _choice(Gender.choices, read_only=True, allow_blank=True)
    ethnicity = _choice(Ethnicity.choices, read_only=True, allow_blank=True)
    education = _choice(EducationLevel.choices, read_only=True, allow_blank=True)
    location_intention = _choice(LocationIntention.choices, read_only=True, allow_blank=True)
    destination = _choice(Destination.choices, read_only=True, allow_blank=True)
    category = _choice(Category.choices, read_only=True, allow_blank=True)
    state = _choice(State.choices, read_only=True)
    hardship = serializers.ListField(child=serializers.CharField(), read_only=True)
    intentions = serializers.ListField(child=serializers.CharField(), read_only=True)
    service_needs = serializers.ListField(child=serializers.CharField(), read_only=True)
    sources = serializers.ListField(child=serializers.CharField(), read_only=True)
    origin_region = serializers.CharField(
        source="origin_region_id", read_only=True, help_text="6 位行政区划代码"
    )
    origin_region_name = serializers.CharField(source="origin_region.full_name", read_only=True)
    university = serializers.IntegerField(source="university_id", read_only=True, allow_null=True)
    responsible_office = serializers.IntegerField(source="responsible_office_id", read_only=True)
    responsible_office_name = serializers.CharField(source="responsible_office.name", read_only=True)
    staff = serializers.IntegerField(source="staff_id", read_only=True, allow_null=True)
    missing_information = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Graduate
        fields = [
            "id", "name", "gender", "ethnicity", "id_number", "birth_date", "cohort", "category", "university",
            "university_name", "graduation_date", "education", "major", "origin_region", "origin_region_name",
            "mobile", "landline", "email", "postcode", "hardship", "location_intention", "intentions",
            "service_needs", "destination", "state", "state_changed_at", "responsible_office",
            "responsible_office_name", "staff", "sources", "unemployment_cert_no", "unemployment_cert_date",
            "school_status", "missing_information", "created_at", "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = fields


# --- write -----------------------------------------------------------------------------------------------------


class GraduateWriteSerializer(serializers.Serializer):
    """The 登记表's fields with the registry's codes. Only types are checked here; every rule is the page's form
    and Graduate.clean() (graduates/checks.py). PATCH needs `version` (the record's, as last read)."""

    name = serializers.CharField(trim_whitespace=False)
    gender = _choice(Gender.choices, required=False, allow_blank=True, help_text="可不填，由公民身份号码得出")
    ethnicity = _choice(Ethnicity.choices, help_text="GB/T 3304")
    id_number = serializers.CharField(
        trim_whitespace=False,
        error_messages={"required": "请填写公民身份号码。", "blank": "请填写公民身份号码。"},
    )
    cohort = serializers.IntegerField(help_text="届别（毕业年份）")
    category = _choice(Category.choices, default=Category.FRESH)
    university = serializers.IntegerField(required=False, allow_null=True, help_text="系统内院校的编号")
    university_name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    graduation_date = serializers.DateField()
    education = _choice(EducationLevel.choices)
    major = serializers.CharField(trim_whitespace=False)
    origin_region = serializers.CharField(
        help_text="入学前户口所在地，6 位行政区划代码", trim_whitespace=False
    )
    mobile = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    landline = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    email = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    postcode = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    hardship = _codes(Hardship.choices)
    location_intention = _choice(LocationIntention.choices, required=False, allow_blank=True)
    intentions = _codes(Intention.choices)
    service_needs = _codes(ServiceNeed.choices)
    unemployment_cert_no = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    unemployment_cert_date = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="修改时必填：读取记录时的 version"
    )


class GraduateUpdateSerializer(GraduateWriteSerializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="读取记录时的 version；其间他人已修改时答 409",
        error_messages={"required": MISSING_VERSION},
    )


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def _record_as_form_data(graduate: Graduate) -> dict:
    """The record's current values as the form would post them (PATCH starts from these)."""
    data = {}
    for name in GraduateForm.Meta.fields:
        if name == "origin_region":
            data[name] = graduate.origin_region_id
        elif name == "university":
            data[name] = _form_value(graduate.university_id)
        else:
            data[name] = _form_value(getattr(graduate, name))
    return data


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors as DRF's {"field": ["message"]} ("__all__" → non_field_errors)."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def _checked_form(data: dict, instance: Graduate | None = None) -> GraduateForm:
    query = QueryDict(mutable=True)
    for name, value in data.items():
        if isinstance(value, list):
            query.setlist(name, value)
        else:
            query[name] = value
    form = GraduateForm(query, instance=instance)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form


class DuplicateInScope(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "duplicate"


class StaleVersion(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = MSG_STALE
    default_code = "stale"


class VisitSerializer(serializers.ModelSerializer):
    method = _choice(VisitMethod.choices)
    outcome = _choice(VisitOutcome.choices, default=VisitOutcome.REACHED)
    destination = _choice(Destination.choices, required=False, allow_blank=True)
    staff_name = serializers.CharField(source="staff.full_name", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)

    class Meta:
        model = FollowUpVisit
        fields = [
            "id", "visited_on", "method", "outcome", "destination", "employer", "note", "staff", "staff_name",
            "office", "office_name", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "staff", "office", "created_at"]
        extra_kwargs = {
            "employer": {"trim_whitespace": False},
            "note": {"trim_whitespace": False},
        }


class LookupSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=40, help_text="公民身份号码（放在请求体中，不放在网址中）")


class DuplicateSerializer(serializers.Serializer):
    detail = serializers.CharField()
    id = serializers.IntegerField(required=False, help_text="已有记录的编号（重复登记时）")


# --- the viewset -----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="毕业生列表（本单位数据范围内，号码脱敏，游标分页）",
        responses={200: GraduateListSerializer(many=True), **errors(*LIST)},
    ),
    retrieve=extend_schema(
        summary="毕业生登记记录（完整号码；每次读取记入审计日志）",
        responses={200: GraduateSerializer, **errors(*READ_ONE)},
    ),
    create=create_schema(
        summary="登记毕业生（与登记页面相同的检查）",
        request=GraduateWriteSerializer,
        created=GraduateSerializer,
        responses={
            409: OpenApiResponse(
                response=DuplicateSerializer,
                description="该公民身份号码在该届别已在本单位范围内登记（id 为已有记录），或相同 Idempotency-Key 的请求正在处理",
            ),
        },
    ),
    partial_update=extend_schema(
        summary="修改毕业生登记记录（须带读取时的 version）",
        request=GraduateUpdateSerializer,
        responses={
            200: GraduateSerializer,
            **errors(*WRITE, 404),
            409: OpenApiResponse(response=DetailSerializer, description=MSG_STALE),
        },
    ),
)
class GraduateViewSet(
    AuditedReadMixin,
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    IdempotentCreateMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    audit_object_type = "graduates.graduate"
    audited_post_reads = ("lookup",)
    permission_classes = [EmploymentOfficeWrites]
    pagination_class = IdCursorPagination
    filter_backends = [UserFilterBackend]
    filterset_class = GraduateApiFilter
    serializer_class = GraduateSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self, user):
        return selectors.graduates_visible_to(user).select_related(
            "origin_region", "responsible_office", "staff", "university"
        )

    def filter_queryset(self, queryset):
        # The list filters through the selector (graduate_list); the backend is there for the schema only.
        return queryset

    def list(self, request, *args, **kwargs):
        params = request.query_params.copy()
        params.pop("sort", None)
        q = params.get("q", "")
        if q and search_tokens.is_sensitive(q):
            raise ValidationError({"q": [MSG_SENSITIVE_QUERY]})
        filterset, rows = selectors.graduate_list(user=request.user, params=params)
        if not filterset.is_valid():
            raise ValidationError(form_errors(filterset.form))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(GraduateListSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        graduate = self.get_object()
        unmasked = full_retrieve(
            request,
            graduate,
            covered=covers(
                self.scope, office_id=graduate.responsible_office_id, university_id=graduate.university_id
            ),
            action="graduate.viewed",
        )
        return Response(GraduateSerializer(graduate, context={"unmasked": unmasked}).data)

    def create_once(self, request, *args, **kwargs) -> Response:
        serializer = GraduateWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {k: _form_value(v) for k, v in serializer.validated_data.items() if k != "version"}
        form = _checked_form(values)
        try:
            graduate = actions.create_graduate(
                graduate=form.instance,
                acting_user=request.user,
                channel=SourceChannel.WALK_IN,
                reference="API",
            )
        except actions.DuplicateGraduate as dup:
            raise self._duplicate(dup.existing) from None
        return Response(
            GraduateSerializer(self.scoped_queryset(request.user).get(pk=graduate.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def _duplicate(self, existing: Graduate) -> APIException:
        if self.scope.covers_office(existing.responsible_office_id):
            exc = DuplicateInScope(
                f"该毕业生（{existing.cohort}届）已经登记，请修改已有记录（编号 {existing.pk}）。"
            )
            exc.detail = {"detail": exc.detail, "id": existing.pk}  # type: ignore[assignment]
            return exc
        # The page's words: never name the office that holds the record.
        return ValidationError(
            {
                "id_number": [
                    f"该公民身份号码在 {existing.cohort} 届已在其他机构登记，不能重复登记。如需由本单位服务，"
                    "请联系省就业服务局：由登记机构在该记录上办理转移（申请转移）后，记录即转到本单位。"
                ]
            }
        )

    def update(self, request, *args, **kwargs):
        graduate = self.get_object()
        serializer = GraduateUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "version" not in serializer.validated_data:
            raise ValidationError({"version": [MISSING_VERSION]})
        data = _record_as_form_data(graduate)
        data.update({k: _form_value(v) for k, v in serializer.validated_data.items()})
        form = _checked_form(data, instance=graduate)
        try:
            actions.update_graduate(
                graduate=form.instance,
                acting_user=request.user,
                expected_version=serializer.validated_data["version"],
            )
        except actions.StaleRecord:
            raise StaleVersion() from None
        except actions.DuplicateGraduate as dup:
            raise ValidationError(
                {"id_number": [f"该公民身份号码在 {dup.existing.cohort} 届已有另一条登记记录。"]}
            ) from None
        return Response(GraduateSerializer(self.scoped_queryset(request.user).get(pk=graduate.pk)).data)

    @extend_schema(
        summary="按公民身份号码查找（号码放在请求体中；结果脱敏）",
        request=LookupSerializer,
        responses={200: GraduateListSerializer(many=True), **errors(*LIST)},
    )
    @action(detail=False, methods=["post"], url_path="lookup", permission_classes=[IsAuthenticated])
    def lookup(self, request):
        serializer = LookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        number = normalize_text(serializer.validated_data["id_number"]).upper()
        if not ID_PATTERN.fullmatch(number):
            raise ValidationError({"id_number": ["公民身份号码应为 18 位（17 位数字加 1 位数字或 X）。"]})
        params = QueryDict(mutable=True)
        params["q"] = number
        _filterset, rows = selectors.graduate_list(user=request.user, params=params)
        return Response(GraduateListSerializer(rows.order_by("-id")[:50], many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="回访记录（最近的在前）",
        responses={200: VisitSerializer(many=True), **errors(*READ_ONE)},
    )
    @create_schema(
        methods=["POST"],
        summary="记录回访（与记录页面相同的检查；就业去向随最近一次回访）",
        request=VisitSerializer,
        created=VisitSerializer,
        responses=errors(404),
    )
    @action(detail=True, methods=["get", "post"], url_path="visits", pagination_class=None)
    def visits(self, request, pk=None):
        graduate = self.get_object()
        if request.method == "GET":
            visits = graduate.visits.select_related("staff", "office")
            return Response(VisitSerializer(visits, many=True).data)
        return idempotent(request, lambda: self._record_visit(request, graduate))

    def _record_visit(self, request, graduate: Graduate) -> Response:
        serializer = VisitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        query = QueryDict(mutable=True)
        for name, value in serializer.validated_data.items():
            query[name] = _form_value(value)
        form = VisitForm(query)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        visit = actions.record_visit(graduate=graduate, acting_user=request.user, **form.cleaned_data)
        visit = FollowUpVisit.objects.select_related("staff", "office").get(pk=visit.pk)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("graduates", GraduateViewSet, basename="graduate")
