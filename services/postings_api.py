"""Job postings and recruitment events through the API (`/api/v1/job-postings/`, `/api/v1/recruitment-events/`).

A create goes through the page's own form (services/forms.py: the same bounds and Chinese messages) and the same
action (services/actions.py create_posting / create_event); lists and retrieves through the selectors
(postings_visible_to, events_visible_to): another office's posting or event is 404."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.api.filtersets import StrictFilterSet
from core.api.idempotency import IdempotentCreateMixin
from core.api.permissions import EmploymentOfficeWrites
from core.api.schema import LIST, READ_ONE, create_schema, errors
from core.api.scoping import ScopedViewMixin

from . import actions, selectors
from .codes import TITLE_MAX, EventKind, PostingSource
from .forms import EventForm, PostingForm
from .models import JobPosting, RecruitmentEvent

ID_MAX = 2**63 - 1
MAJORS_MAX = 20
POSTING_EDUCATION = JobPosting._meta.get_field("education").choices  # for ENUM_NAME_OVERRIDES in the settings


def form_errors(form, renames: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A page form's errors as the API's 400 body, under the API's field names."""
    renames = {"__all__": api_settings.NON_FIELD_ERRORS_KEY, **(renames or {})}
    return {renames.get(name, name): list(messages) for name, messages in form.errors.items()}


TEXT, INTEGER, BOOLEAN, WORDS, IDS = "文字", "整数", "true 或 false", "文字的列表", "整数的列表"


def type_errors(data: dict, spec: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """JSON values of the wrong type (a number where text is due, …), refused before the page's form reads them
    (a form would take 123 for "123"); absent and null values are left to the form."""
    checks = {
        TEXT: lambda v: isinstance(v, str),
        INTEGER: lambda v: type(v) is int,
        BOOLEAN: lambda v: isinstance(v, bool),
        WORDS: lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
        IDS: lambda v: isinstance(v, list) and all(type(i) is int for i in v),
    }
    return {
        name: [f"“{label}”的格式不对，应为{kind}。"]
        for name, (label, kind) in spec.items()
        if data.get(name) is not None and not checks[kind](data[name])
    }


# --- Job postings ----------------------------------------------------------------------------------------------


class JobPostingSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True)
    location = serializers.CharField(
        source="location_id", read_only=True, help_text="工作地点的 6 位区划代码"
    )
    location_name = serializers.CharField(source="location.full_name", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    pay_range = serializers.CharField(read_only=True)
    education = serializers.CharField(
        read_only=True, help_text="最低学历：1 博士研究生、2 硕士研究生、3 大学本科、4 大学专科；空为不限"
    )
    valid = serializers.SerializerMethodField(help_text="是否仍在有效期内")

    class Meta:
        model = JobPosting
        fields = [
            "id", "office", "office_name", "employer", "title", "category", "location", "location_name",
            "pay_min", "pay_max", "pay_range", "education", "majors", "head_count", "valid_until", "valid", "source",
            "source_display", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_valid(self, posting: JobPosting) -> bool:
        return posting.valid_until >= timezone.localdate()


class JobPostingCreateSerializer(serializers.Serializer):
    """The request body (documentation of its shape; the page's PostingForm checks it)."""

    employer = serializers.CharField(max_length=TITLE_MAX, help_text="用人单位")
    title = serializers.CharField(max_length=TITLE_MAX, help_text="岗位名称")
    category = serializers.CharField(max_length=50, required=False, allow_blank=True, help_text="职位类别")
    location = serializers.CharField(
        max_length=30, help_text="工作地点：本省区划代码或名称，如 630102 或 城东区"
    )
    pay_min = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, allow_null=True, help_text="月薪下限（元）"
    )
    pay_max = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, allow_null=True, help_text="月薪上限（元）"
    )
    education = serializers.ChoiceField(
        choices=POSTING_EDUCATION,
        required=False,
        allow_blank=True,
        help_text="最低学历，不填为不限",
    )
    majors = serializers.ListField(
        child=serializers.CharField(max_length=50),
        max_length=MAJORS_MAX,
        required=False,
        help_text="专业要求（名称或关键词），不填为不限",
    )
    head_count = serializers.IntegerField(min_value=0, max_value=10_000, required=False, help_text="招聘人数")
    valid_until = serializers.DateField(help_text="有效期至（YYYY-MM-DD）")
    source = serializers.ChoiceField(choices=PostingSource.choices, help_text="岗位来源")


POSTING_TYPES = {
    "employer": ("用人单位", TEXT), "title": ("岗位名称", TEXT), "category": ("职位类别", TEXT),
    "location": ("工作地点", TEXT), "pay_min": ("月薪下限", INTEGER), "pay_max": ("月薪上限", INTEGER),
    "education": ("最低学历", TEXT), "majors": ("专业要求", WORDS), "head_count": ("招聘人数", INTEGER),
    "valid_until": ("有效期至", TEXT), "source": ("岗位来源", TEXT),
}  # fmt: skip
POSTING_FIELDS = ["employer", "title", "category", "pay_min", "pay_max", "education", "head_count", "valid_until",
                  "source"]  # fmt: skip


def posting_form(data) -> PostingForm:
    """The page's form, fed from the JSON body (location → location_text, majors list → majors_text)."""
    fields = {name: data[name] for name in POSTING_FIELDS if name in data and data[name] is not None}
    fields.setdefault("head_count", 1)
    fields["location_text"] = data.get("location", "")
    # The form splits its text on commas and blanks and bounds each keyword: a list of words joined the same way.
    fields["majors_text"] = ",".join(data.get("majors") or [])
    return PostingForm(fields)


class PostingFilter(StrictFilterSet):
    valid = django_filters.BooleanFilter(method="filter_valid", label="仍在有效期内")
    source = django_filters.ChoiceFilter(choices=PostingSource.choices)

    class Meta:
        model = JobPosting
        fields = ["valid", "source"]

    def filter_valid(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(valid_until__gte=today) if value else queryset.filter(valid_until__lt=today)


@extend_schema_view(
    list=extend_schema(
        summary="岗位信息列表（本机构及下级）", responses={200: JobPostingSerializer, **errors(*LIST)}
    ),
    retrieve=extend_schema(summary="岗位信息", responses={200: JobPostingSerializer, **errors(*READ_ONE)}),
    create=create_schema(
        summary="录入岗位信息（就业服务机构工作人员）",
        request=JobPostingCreateSerializer,
        created=JobPostingSerializer,
    ),
)
class JobPostingViewSet(ScopedViewMixin, IdempotentCreateMixin, viewsets.ReadOnlyModelViewSet):
    queryset = JobPosting.objects.none()  # for the schema; requests use scoped_queryset
    serializer_class = JobPostingSerializer
    permission_classes = [EmploymentOfficeWrites]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = PostingFilter

    def scoped_queryset(self, user):
        return selectors.postings_visible_to(user)

    def create_once(self, request, *args, **kwargs) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        wrong = type_errors(data, POSTING_TYPES)
        if wrong:
            return Response(wrong, status=status.HTTP_400_BAD_REQUEST)
        form = posting_form(data)
        if not form.is_valid():
            return Response(
                form_errors(form, {"location_text": "location", "majors_text": "majors"}),
                status=status.HTTP_400_BAD_REQUEST,
            )
        posting = actions.create_posting(posting=form.save(), acting_user=request.user)
        posting = self.scoped_queryset(request.user).get(pk=posting.pk)
        return Response(self.get_serializer(posting).data, status=status.HTTP_201_CREATED)


# --- Recruitment events ----------------------------------------------------------------------------------------


class RecruitmentEventSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    postings = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="提供的岗位（岗位信息编号）"
    )

    class Meta:
        model = RecruitmentEvent
        fields = ["id", "office", "office_name", "name", "date", "kind", "kind_display", "online", "place",
                  "postings", "created_at"]  # fmt: skip
        read_only_fields = fields


class RecruitmentEventCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=TITLE_MAX, help_text="活动名称")
    date = serializers.DateField(help_text="举办日期（YYYY-MM-DD，可提前一年登记）")
    kind = serializers.ChoiceField(choices=EventKind.choices, help_text="活动类型")
    online = serializers.BooleanField(required=False, default=False, help_text="网络招聘")
    place = serializers.CharField(
        max_length=TITLE_MAX, required=False, allow_blank=True, help_text="举办地点（网络招聘可不填）"
    )
    postings = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        max_length=actions.MAX_BULK,
        required=False,
        help_text="提供的岗位：本机构及下级录入的岗位信息编号",
    )


EVENT_FIELDS = ["name", "date", "kind", "online", "place"]
EVENT_TYPES = {
    "name": ("活动名称", TEXT), "date": ("举办日期", TEXT), "kind": ("活动类型", TEXT), "online": ("网络招聘", BOOLEAN),
    "place": ("举办地点", TEXT), "postings": ("提供岗位", IDS),
}  # fmt: skip
MSG_POSTINGS = "请填写本机构及下级录入的岗位信息编号（最多 {max} 个）。"


def _posting_ids(value, user) -> tuple[list[int], str | None]:
    """The event's postings: ids of postings the user sees, else a Chinese message naming the unknown ones."""
    if value is None:
        return [], None
    if len(value) > actions.MAX_BULK or not all(1 <= v <= ID_MAX for v in value):
        return [], MSG_POSTINGS.format(max=actions.MAX_BULK)
    wanted = sorted(set(value))
    found = set(selectors.postings_visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        return [], f"没有找到岗位信息（编号 {'、'.join(missing[:10])}），或不在您的数据范围内。"
    return wanted, None


class EventFilter(StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)

    class Meta:
        model = RecruitmentEvent
        fields = ["kind"]


@extend_schema_view(
    list=extend_schema(
        summary="招聘活动列表（本机构及下级）", responses={200: RecruitmentEventSerializer, **errors(*LIST)}
    ),
    retrieve=extend_schema(
        summary="招聘活动", responses={200: RecruitmentEventSerializer, **errors(*READ_ONE)}
    ),
    create=create_schema(
        summary="登记招聘活动（就业服务机构工作人员）",
        request=RecruitmentEventCreateSerializer,
        created=RecruitmentEventSerializer,
    ),
)
class RecruitmentEventViewSet(ScopedViewMixin, IdempotentCreateMixin, viewsets.ReadOnlyModelViewSet):
    queryset = RecruitmentEvent.objects.none()  # for the schema; requests use scoped_queryset
    serializer_class = RecruitmentEventSerializer
    permission_classes = [EmploymentOfficeWrites]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    filterset_class = EventFilter

    def scoped_queryset(self, user):
        return selectors.events_visible_to(user).prefetch_related("postings")

    def create_once(self, request, *args, **kwargs) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        wrong = type_errors(data, EVENT_TYPES)
        if wrong:
            return Response(wrong, status=status.HTTP_400_BAD_REQUEST)
        form = EventForm(
            {name: data[name] for name in EVENT_FIELDS if name in data and data[name] is not None}
        )
        problems = form_errors(form) if not form.is_valid() else {}
        posting_ids, message = _posting_ids(data.get("postings"), request.user)
        if message:
            problems["postings"] = [message]
        if problems:
            return Response(problems, status=status.HTTP_400_BAD_REQUEST)
        event = actions.create_event(
            event=form.save(commit=False), posting_ids=posting_ids, acting_user=request.user
        )
        event = self.scoped_queryset(request.user).get(pk=event.pk)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("job-postings", JobPostingViewSet, basename="job-posting")
    router.register("recruitment-events", RecruitmentEventViewSet, basename="recruitment-event")
