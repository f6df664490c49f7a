"""Services and plans through the REST API (`/api/v1/services/`, `/api/v1/plans/`; config/api_urls.py).

The service log: list (the office's log, the page's filters, cursor pagination), retrieve, log (create) and void,
each through services/selectors.py and services/actions.py with the pages' checks and Chinese messages. Plans
(services/plans.py, read only): the worklist of obligations overdue and due this week, and one graduate's
obligations. Job postings and events are another module's (services/postings_api.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.audit import AuditedReadMixin
from core.api.idempotency import IdempotentCreateMixin
from core.api.pagination import IdCursorPagination
from core.api.permissions import EmploymentOffice, EmploymentOfficeWrites
from core.api.schema import LIST, READ_ONE, WRITE, create_schema, errors
from core.api.scoping import ScopedViewMixin
from graduates import selectors as graduate_selectors
from graduates.api import form_errors
from graduates.checks import mask_id_number
from graduates.models import Graduate

from . import actions, plans, selectors
from .actions import MSG_OUT_OF_SCOPE
from .codes import Channel, Origin, PlanState, ServiceType
from .forms import LogFilterForm, PlanViewForm
from .models import ServiceEntry


def _choice(choices, message: str, **kwargs):
    return serializers.ChoiceField(choices=choices, error_messages={"invalid_choice": message}, **kwargs)


class ServiceRowSerializer(serializers.Serializer):
    """One line of the service log (the selector's columns); the graduate's ID number masked."""

    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    service_type = serializers.ChoiceField(choices=ServiceType.choices, read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True, allow_blank=True)
    content = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    posting_ref = serializers.CharField(read_only=True)
    origin = serializers.ChoiceField(choices=Origin.choices, read_only=True)
    staff_name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    void_reason = serializers.CharField(read_only=True)
    graduate = serializers.IntegerField(source="graduate_id", read_only=True)
    graduate_name = serializers.CharField(source="graduate__name", read_only=True)
    graduate_id_number = serializers.SerializerMethodField(help_text="脱敏号码")
    graduate_cohort = serializers.IntegerField(source="graduate__cohort", read_only=True)
    office_name = serializers.CharField(source="office__name", read_only=True)

    def get_staff_name(self, row) -> str:
        return row.get("staff_name") or row.get("staff__full_name") or row.get("staff__username") or ""

    def get_graduate_id_number(self, row) -> str:
        return mask_id_number(row.get("graduate__id_number") or "")


def _entry_row(entry: ServiceEntry) -> dict:
    """A ServiceEntry as the log's row (the same answer for list, retrieve, log and void)."""
    return {
        "id": entry.pk,
        "date": entry.date,
        "service_type": entry.service_type,
        "channel": entry.channel,
        "content": entry.content,
        "outcome": entry.outcome,
        "posting_ref": entry.posting_ref,
        "origin": entry.origin,
        "staff_name": entry.staff_name,
        "staff__full_name": entry.staff.full_name if entry.staff else "",
        "staff__username": entry.staff.username if entry.staff else "",
        "created_at": entry.created_at,
        "voided_at": entry.voided_at,
        "void_reason": entry.void_reason,
        "graduate_id": entry.graduate_id,
        "graduate__name": entry.graduate.name,
        "graduate__id_number": entry.graduate.id_number,
        "graduate__cohort": entry.graduate.cohort,
        "office__name": entry.office.name,
    }


class ServiceLogSerializer(serializers.Serializer):
    """A service given: the same fields and checks as the record page's form (services/actions.py)."""

    graduate = serializers.IntegerField(help_text="毕业生编号（须在本单位服务范围内）")
    service_type = _choice(ServiceType.choices, "请选择服务类型。")
    date = serializers.DateField(help_text="服务日期（北京时间），不晚于今天")
    channel = _choice(Channel.choices, "请选择服务方式。")
    content = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    outcome = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(trim_whitespace=False, help_text="作废原因")


class LogQuerySerializer(serializers.Serializer):
    """The log page's filters (services.forms.LogFilterForm)."""

    service_type = serializers.ChoiceField(choices=ServiceType.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    staff = serializers.IntegerField(required=False, help_text="经办人员编号")
    voided = serializers.ChoiceField(choices=[("no", "有效"), ("yes", "已作废")], required=False)


@extend_schema_view(
    list=extend_schema(
        summary="服务记录（本单位及下级，游标分页，身份证号脱敏）",
        parameters=[LogQuerySerializer],
        responses={200: ServiceRowSerializer(many=True), **errors(*LIST)},
    ),
    retrieve=extend_schema(
        summary="一条服务记录", responses={200: ServiceRowSerializer, **errors(*READ_ONE)}
    ),
    create=create_schema(
        summary="记录一次服务（与记录页面相同的检查）",
        request=ServiceLogSerializer,
        created=ServiceRowSerializer,
    ),
)
class ServiceEntryViewSet(
    AuditedReadMixin,
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    IdempotentCreateMixin,
    viewsets.GenericViewSet,
):
    audit_object_type = "services.serviceentry"
    permission_classes = [EmploymentOfficeWrites]
    pagination_class = IdCursorPagination
    serializer_class = ServiceRowSerializer
    queryset = ServiceEntry.objects.none()  # for the schema's path parameter type; reads use the selectors

    def scoped_queryset(self, user):
        return selectors.entries_visible_to(user).select_related("graduate", "office", "staff")

    def list(self, request, *args, **kwargs):
        form = LogFilterForm(request.query_params, staff_queryset=selectors.staff_options(request.user))
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        rows = selectors.service_log(user=request.user, filters=form.cleaned_data)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ServiceRowSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(ServiceRowSerializer(_entry_row(self.get_object())).data)

    def create_once(self, request, *args, **kwargs) -> Response:
        serializer = ServiceLogSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        graduate = Graduate.objects.filter(pk=data["graduate"]).first() if data["graduate"] > 0 else None
        if graduate is None:  # the same words as for a graduate elsewhere: nothing to learn by trying ids
            raise ValidationError({"graduate": [MSG_OUT_OF_SCOPE]})
        try:
            entry = actions.log_service(
                graduate=graduate,
                service_type=data["service_type"],
                date=data["date"],
                channel=data["channel"],
                content=data.get("content", ""),
                outcome=data.get("outcome", ""),
                acting_user=request.user,
            )
        except DjangoValidationError as exc:
            if not hasattr(exc, "error_dict") and exc.messages == [MSG_OUT_OF_SCOPE]:
                raise ValidationError({"graduate": [MSG_OUT_OF_SCOPE]}) from None
            raise
        entry = self.scoped_queryset(request.user).get(pk=entry.pk)
        return Response(ServiceRowSerializer(_entry_row(entry)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="作废一条服务记录（保留记录，注明原因；不再计入）",
        request=VoidSerializer,
        responses={200: ServiceRowSerializer, **errors(*WRITE, 404)},
    )
    @action(detail=True, methods=["post"], url_path="void")
    def void(self, request, pk=None):
        entry = self.get_object()
        serializer = VoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            actions.void_service(
                entry=entry, reason=serializer.validated_data["reason"], acting_user=request.user
            )
        except DjangoValidationError as exc:
            if "作废原因" in exc.messages[0]:
                raise ValidationError({"reason": exc.messages}) from None
            raise
        return Response(
            ServiceRowSerializer(_entry_row(self.scoped_queryset(request.user).get(pk=entry.pk))).data
        )


# --- plans -----------------------------------------------------------------------------------------------------


class WorklistRowSerializer(serializers.Serializer):
    graduate_id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="脱敏号码")
    service = serializers.CharField(help_text="服务类型名称")
    required = serializers.IntegerField()
    done = serializers.IntegerField()
    due = serializers.DateField()


class WorklistSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    standard = serializers.CharField(allow_null=True, help_text="启用的服务标准代码；未启用时为 null")
    overdue = WorklistRowSerializer(many=True)
    due = WorklistRowSerializer(many=True)


class ObligationSerializer(serializers.Serializer):
    service_type = serializers.ChoiceField(choices=ServiceType.choices)
    service = serializers.CharField(source="service_label")
    required = serializers.IntegerField()
    done = serializers.IntegerField()
    anchor = serializers.DateField()
    due = serializers.DateField()
    state = serializers.ChoiceField(choices=PlanState.choices)
    state_label = serializers.CharField()
    entry_ids = serializers.ListField(child=serializers.IntegerField())


class GraduatePlanSerializer(serializers.Serializer):
    graduate_id = serializers.IntegerField()
    as_of = serializers.DateField()
    standard = serializers.CharField(allow_null=True)
    obligations = ObligationSerializer(many=True)


PLAN_PARAMETERS = [
    OpenApiParameter(
        "as_of", str, description="截至日期 YYYY-MM-DD（2000–2100 年），默认今天", required=False
    ),
    OpenApiParameter("mine", bool, description="只看我负责的毕业生", required=False),
]


def _plan_options(request):
    if request.query_params.get("mine", "") not in ("", "true", "false"):
        raise ValidationError({"mine": ["“只看我负责的”应为 true 或 false。"]})
    form = PlanViewForm({**request.query_params.dict(), "mine": request.query_params.get("mine") == "true"})
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.cleaned_data["as_of"] or timezone.localdate(), form.cleaned_data["mine"]


class PlanWorklistView(AuditedReadMixin, APIView):
    """服务计划工作清单。"""

    audit_object_type = "services.plan"

    permission_classes = [EmploymentOffice]

    @extend_schema(
        operation_id="plans_worklist",
        summary="服务计划工作清单：已逾期与 7 天内到期的义务（身份证号脱敏）",
        parameters=PLAN_PARAMETERS,
        responses={200: WorklistSerializer, **errors(*LIST, 403)},
    )
    def get(self, request):
        as_of, mine = _plan_options(request)
        found = selectors.plan_worklist(user=request.user, as_of=as_of, mine=mine)
        standard = found["standard"]
        data = {
            "as_of": as_of,
            "standard": standard.code if standard is not None else None,
            "overdue": found["overdue"],
            "due": found["due"],
        }
        return Response(WorklistSerializer(data).data)


class PlanViewSet(AuditedReadMixin, viewsets.ViewSet):
    """一名毕业生的服务计划。"""

    audit_object_type = "services.plan"

    permission_classes = [EmploymentOffice]

    @extend_schema(
        summary="一名毕业生的服务计划（启用的服务标准下的各项义务）",
        parameters=[
            PLAN_PARAMETERS[0],
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="毕业生编号"),
        ],
        responses={200: GraduatePlanSerializer, **errors(*READ_ONE, 400, 403)},
    )
    def retrieve(self, request, pk=None):
        as_of, _mine = _plan_options(request)
        graduate_id = int(pk) if pk and pk.isdigit() and len(pk) <= 18 else 0
        graduate = graduate_selectors.get_graduate_for(user=request.user, pk=graduate_id)
        standard = plans.active_standard()
        obligations = plans.graduate_plan(graduate_id=graduate.pk, as_of=as_of, standard=standard)
        data = {
            "graduate_id": graduate.pk,
            "as_of": as_of,
            "standard": standard.code if standard is not None else None,
            "obligations": obligations,
        }
        return Response(GraduatePlanSerializer(data).data)


urlpatterns = [path("plans/", PlanWorklistView.as_view(), name="plan-worklist")]


def register(router) -> None:
    router.register("services", ServiceEntryViewSet, basename="service")
    router.register("plans", PlanViewSet, basename="plan")
