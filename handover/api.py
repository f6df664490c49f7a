"""The handover through the API (`/api/v1/`): batches and their items (签收), transfers (request, accept, reject,
withdraw). Each view calls handover's actions and selectors; another office's batch, item or transfer is 404."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.audit import AuditedReadMixin
from core.api.filtersets import StrictFilterSet
from core.api.idempotency import IdempotentCreateMixin
from core.api.permissions import EmploymentOfficeWrites
from core.api.schema import LIST, READ_ONE, WRITE, create_schema, errors
from core.api.scoping import ScopedViewMixin
from core.models import Region
from graduates.models import Graduate
from graduates.selectors import graduates_visible_to
from handover.batches import actions as batch_actions
from handover.batches import selectors as batch_selectors
from handover.forms import text_messages
from handover.models import BatchSource, HandoverBatch, HandoverItem, Transfer
from handover.transfers import actions as transfer_actions
from handover.transfers import selectors as transfer_selectors

NOTE_MAX = Transfer._meta.get_field("decision_note").max_length
REASON_MAX = Transfer._meta.get_field("reason").max_length
MSG_NO_GRADUATE = "没有找到该毕业生，或该毕业生不在您的数据范围内。"
MSG_BAD_ID = "请填写有效的编号（正整数）。"
ID_MAX = 2**63 - 1
# Module-level names of the nested code lists, for settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
BatchStatus = HandoverBatch.Status
TransferStatus = Transfer.Status


def id_field(label: str, *, required: bool = True, messages: dict | None = None) -> serializers.IntegerField:
    """A database id in a request body: bounded (a bigint), refused in Chinese."""
    return serializers.IntegerField(
        label=label,
        min_value=1,
        max_value=ID_MAX,
        required=required,
        allow_null=not required,
        error_messages={
            "required": f"请填写{label}。",
            "null": f"请填写{label}。",
            "invalid": MSG_BAD_ID,
            "min_value": MSG_BAD_ID,
            "max_value": MSG_BAD_ID,
            "max_string_length": MSG_BAD_ID,
            **(messages or {}),
        },
    )


def text_field(label: str, max_length: int, *, required: bool) -> serializers.CharField:
    messages = text_messages(label, max_length)
    return serializers.CharField(
        label=label,
        max_length=max_length,
        required=required,
        allow_blank=not required,
        error_messages={
            "required": messages["required"],
            "blank": messages["required"],
            "null": messages["required"],
            "invalid": f"{label}应为文字。",
            "max_length": messages["max_length"],
            "null_characters_not_allowed": messages["null_characters_not_allowed"],
            "surrogate_characters_not_allowed": f"{label}含有无效字符。",
        },
    )


# --- Batches and items ---------------------------------------------------------------------------------------


class HandoverBatchSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = HandoverBatch
        fields = [
            "id", "source", "source_display", "cohort", "received_on", "status", "status_display", "total",
            "dispatched", "unassigned", "kept", "reported_to_mohrss", "created_at", "dispatched_at",
        ]  # fmt: skip
        read_only_fields = fields


class BatchFilter(StrictFilterSet):
    cohort = django_filters.NumberFilter(min_value=2000, max_value=2100)
    source = django_filters.ChoiceFilter(choices=BatchSource.choices)
    status = django_filters.ChoiceFilter(choices=HandoverBatch.Status.choices)

    class Meta:
        model = HandoverBatch
        fields = ["cohort", "source", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="交接批次列表（省就业服务局）", responses={200: HandoverBatchSerializer, **errors(*LIST)}
    ),
    retrieve=extend_schema(summary="交接批次", responses={200: HandoverBatchSerializer, **errors(*READ_ONE)}),
)
class HandoverBatchViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """Lists received by the bureau (only the bureau sees batches; offices see their items)."""

    queryset = HandoverBatch.objects.none()  # for the schema; requests use scoped_queryset
    serializer_class = HandoverBatchSerializer
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = BatchFilter

    def scoped_queryset(self, user):
        return batch_selectors.batches_visible_to(user)


class HandoverItemSerializer(serializers.ModelSerializer):
    graduate_name = serializers.CharField(source="graduate.name", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True, default=None, allow_null=True)
    acknowledged = serializers.SerializerMethodField()

    class Meta:
        model = HandoverItem
        fields = [
            "id", "batch", "graduate", "graduate_name", "office", "office_name", "kept", "reported_to_mohrss",
            "dispatched_at", "acknowledged", "acknowledged_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_acknowledged(self, item: HandoverItem) -> bool:
        return item.acknowledged_at is not None


class ItemFilter(StrictFilterSet):
    batch = django_filters.NumberFilter(field_name="batch_id", min_value=1, max_value=ID_MAX)
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True, label="已签收"
    )

    class Meta:
        model = HandoverItem
        fields = ["batch", "acknowledged"]


AcknowledgedSerializer = inline_serializer(
    "HandoverAcknowledged",
    fields={
        "acknowledged": serializers.IntegerField(help_text="本次签收的人数"),
        "message": serializers.CharField(),
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="交接明细列表（省局：全部；市州、县区：分发到本机构及下级的）",
        responses={200: HandoverItemSerializer, **errors(*LIST)},
    ),
    retrieve=extend_schema(summary="交接明细", responses={200: HandoverItemSerializer, **errors(*READ_ONE)}),
)
class HandoverItemViewSet(AuditedReadMixin, ScopedViewMixin, viewsets.ReadOnlyModelViewSet):
    """One graduate of a batch: where it was dispatched, whether it was signed for."""

    audit_object_type = "handover.handoveritem"

    queryset = HandoverItem.objects.none()  # for the schema; requests use scoped_queryset
    serializer_class = HandoverItemSerializer
    permission_classes = [EmploymentOfficeWrites]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = ItemFilter

    def scoped_queryset(self, user):
        return batch_selectors.items_visible_to(user)

    @extend_schema(
        summary="签收：本机构签收分发给本机构、尚未签收的全部毕业生",
        request=None,
        responses={200: AcknowledgedSerializer, **errors(401, 403, 429)},
    )
    @action(detail=False, methods=["post"])
    def acknowledge(self, request):
        count = batch_actions.acknowledge(office=request.user.office, acting_user=request.user)
        return Response({"acknowledged": count, "message": f"已签收 {count} 名毕业生。请逐一联系核实。"})


# --- Transfers -----------------------------------------------------------------------------------------------


class TransferSerializer(serializers.ModelSerializer):
    graduate_name = serializers.CharField(source="graduate.name", read_only=True)
    from_office_name = serializers.CharField(source="from_office.name", read_only=True)
    to_office_name = serializers.CharField(
        source="to_office.name", read_only=True, default=None, allow_null=True
    )
    to_region = serializers.CharField(source="to_region_id", read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id", "graduate", "graduate_name", "from_office", "from_office_name", "to_office", "to_office_name",
            "to_region", "reason", "status", "status_display", "requested_at", "decided_at", "decision_note",
        ]  # fmt: skip
        read_only_fields = fields


class TransferRequestSerializer(serializers.Serializer):
    """A request to another office (to_office), or a move out of the province (to_region): one of the two."""

    graduate = id_field("毕业生", messages={"does_not_exist": MSG_NO_GRADUATE})
    to_office = id_field("接收机构", required=False, messages={"invalid": "请选择列表中的接收机构。"})
    to_region = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        allow_null=True,
        max_length=6,
        help_text="转出省外时填写：现居住地的 6 位区划代码",
        error_messages={
            "invalid": "转出省外时请填写有效的 6 位区划代码。",
            "blank": "转出省外时请填写有效的 6 位区划代码。",
            "max_length": "转出省外时请填写有效的 6 位区划代码。",
            "null_characters_not_allowed": "转出省外时请填写有效的 6 位区划代码。",
            "surrogate_characters_not_allowed": "转出省外时请填写有效的 6 位区划代码。",
        },
    )
    reason = text_field("转移原因", REASON_MAX, required=True)

    def validate_graduate(self, value: int) -> Graduate:
        graduate = graduates_visible_to(self.context["request"].user).filter(pk=value).first()
        if graduate is None:
            raise serializers.ValidationError(MSG_NO_GRADUATE)
        return graduate

    def validate_to_office(self, value: int | None):
        if value is None:
            return None
        office = transfer_actions.receiving_offices().filter(pk=value).first()
        if office is None:
            raise serializers.ValidationError("请选择列表中的接收机构。")
        return office

    def validate_to_region(self, value: str | None):
        if not value:
            return None
        region = Region.objects.filter(code=value).first()
        if region is None:
            raise serializers.ValidationError("转出省外时请填写有效的 6 位区划代码。")
        return region


class DecisionSerializer(serializers.Serializer):
    note = text_field("处理意见", NOTE_MAX, required=False)


def _body(serializer_class, request, **context) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TransferFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=Transfer.Status.choices)
    box = django_filters.ChoiceFilter(
        choices=[("in", "收到的（本机构及下级为接收机构）"), ("out", "发出的（本机构及下级为转出机构）")],
        method="filter_box",
        label="收件箱/发件箱",
    )

    class Meta:
        model = Transfer
        fields = ["status", "box"]

    def filter_box(self, queryset, name, value):
        user = self.request.user
        mine = transfer_selectors.addressed_to(user) if value == "in" else transfer_selectors.outbox(user)
        return queryset.filter(pk__in=mine.values("pk"))


DECISION_RESPONSES = {200: TransferSerializer, **errors(*WRITE, 404)}


@extend_schema_view(
    list=extend_schema(
        summary="转移列表（本机构及下级发出或收到的）", responses={200: TransferSerializer, **errors(*LIST)}
    ),
    retrieve=extend_schema(summary="转移", responses={200: TransferSerializer, **errors(*READ_ONE)}),
    create=create_schema(
        summary="申请转移（省内：待接收机构处理；省外：即时转出）",
        request=TransferRequestSerializer,
        created=TransferSerializer,
    ),
)
class TransferViewSet(
    AuditedReadMixin, ScopedViewMixin, IdempotentCreateMixin, viewsets.ReadOnlyModelViewSet
):
    """Transfers of graduates who live elsewhere: the sender asks, the receiver accepts or rejects."""

    audit_object_type = "handover.transfer"

    queryset = Transfer.objects.none()  # for the schema; requests use scoped_queryset

    serializer_class = TransferSerializer
    permission_classes = [EmploymentOfficeWrites]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = TransferFilter

    def scoped_queryset(self, user):
        if self.action in ("accept", "reject"):
            return transfer_selectors.addressed_to(user)
        if self.action == "cancel":
            return transfer_selectors.outbox(user)
        return transfer_selectors.visible_to(user)

    def create_once(self, request, *args, **kwargs) -> Response:
        data = _body(TransferRequestSerializer, request)
        transfer = transfer_actions.request_transfer(
            graduate=data["graduate"],
            to_office=data.get("to_office"),
            to_region=data.get("to_region"),
            reason=data["reason"],
            acting_user=request.user,
        )
        transfer = transfer_selectors.visible_to(request.user).get(pk=transfer.pk)
        return Response(self.get_serializer(transfer).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, decide) -> Response:
        transfer = self.get_object()
        if transfer.status != Transfer.Status.REQUESTED:
            # Decided already (by the other side, or by an earlier call): say what became of it.
            raise ValidationError(transfer_actions.decided_message(transfer))
        note = _body(DecisionSerializer, request).get("note", "")
        decide(transfer, note)
        return Response(
            self.get_serializer(transfer_selectors.visible_to(request.user).get(pk=transfer.pk)).data
        )

    @extend_schema(
        summary="接收转移（接收机构或其上级）", request=DecisionSerializer, responses=DECISION_RESPONSES
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(
            request,
            lambda t, note: transfer_actions.accept_transfer(transfer=t, acting_user=request.user, note=note),
        )

    @extend_schema(
        summary="拒绝转移（须填写处理意见）", request=DecisionSerializer, responses=DECISION_RESPONSES
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(
            request,
            lambda t, note: transfer_actions.reject_transfer(transfer=t, acting_user=request.user, note=note),
        )

    @extend_schema(summary="撤回转移申请（转出机构或其上级）", request=None, responses=DECISION_RESPONSES)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        transfer = self.get_object()
        if transfer.status != Transfer.Status.REQUESTED:
            raise ValidationError(transfer_actions.decided_message(transfer))
        transfer_actions.cancel_transfer(transfer=transfer, acting_user=request.user)
        return Response(
            self.get_serializer(transfer_selectors.visible_to(request.user).get(pk=transfer.pk)).data
        )


def register(router) -> None:
    router.register("handover-batches", HandoverBatchViewSet, basename="handover-batch")
    router.register("handover-items", HandoverItemViewSet, basename="handover-item")
    router.register("transfers", TransferViewSet, basename="transfer")
