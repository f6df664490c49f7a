"""The real-name record (登记表, 人社厅发〔2012〕69号 annex 1), its sources, follow-up visits and change history."""

from __future__ import annotations

import functools
import operator

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.fields import BlindIndexField, BlindIndexModelMixin, EncryptedCharField, EncryptedQuerySet
from core.models import Office, Region

from .codes import (
    Category,
    Destination,
    EducationLevel,
    Ethnicity,
    Gender,
    Hardship,
    Intention,
    LocationIntention,
    RosterSource,
    SchoolStatus,
    ServiceNeed,
    SourceChannel,
    State,
    VisitMethod,
    VisitOutcome,
)

# 不漏项、不缺项 (001 §一(二)): a record lacking any of these is 信息不全. The one definition: the QuerySet methods,
# the list's filter, the home counter and the record's badge all read it.
COMPLETENESS_FIELDS: dict[str, object] = {"location_intention": "", "intentions": [], "hardship": []}
INCOMPLETE = functools.reduce(
    operator.or_, (Q(**{name: empty}) for name, empty in COMPLETENESS_FIELDS.items())
)


class GraduateQuerySet(EncryptedQuerySet["Graduate"]):
    def incomplete(self) -> GraduateQuerySet:
        """Records missing 就业地意向, 就业意向 or 困难状况."""
        return self.filter(INCOMPLETE)

    def complete(self) -> GraduateQuerySet:
        return self.exclude(INCOMPLETE)

    def in_scope_of(self, user) -> GraduateQuerySet:
        from core.scope import scope_for

        return scope_for(user).filter(self, office_field="responsible_office", university_field="university")

    def waiting_for_contact(self) -> GraduateQuerySet:
        return self.filter(state=State.WAITING)


def code_array(verbose_name: str, choices: type[models.TextChoices], help_text: str = "") -> ArrayField:
    return ArrayField(
        models.CharField(max_length=2, choices=choices.choices),
        verbose_name=verbose_name,
        default=list,
        blank=True,
        help_text=help_text,
    )


class Graduate(BlindIndexModelMixin):
    # --- 登记表 fields -------------------------------------------------------------------------------------
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=2, choices=Ethnicity.choices)
    # Encrypted at rest (SM4-GCM, core/fields.py): search and the one-per-cohort rule use the blind index below.
    id_number = EncryptedCharField("公民身份号码", max_length=18)
    id_number_digest = BlindIndexField("公民身份号码索引", source="id_number")
    birth_date = models.DateField("出生日期", help_text="由公民身份号码得出")
    university = models.ForeignKey(
        Office,
        verbose_name="毕业院校（系统内）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alumni",
        limit_choices_to={"kind": "university"},
    )
    university_name = models.CharField("毕业院校", max_length=100)
    graduation_date = models.DateField("毕业日期")
    education = models.CharField("学历", max_length=1, choices=EducationLevel.choices)
    major = models.CharField("所学专业", max_length=100)
    origin_region = models.ForeignKey(
        Region, verbose_name="入学前户口所在地", on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField("电子邮箱", blank=True)
    postcode = models.CharField("邮编", max_length=6, blank=True)
    mobile = models.CharField("手机号码", max_length=11, blank=True)
    landline = models.CharField("固定电话", max_length=20, blank=True)
    hardship = code_array("困难状况", Hardship)
    location_intention = models.CharField(
        "就业地意向", max_length=1, choices=LocationIntention.choices, blank=True
    )
    intentions = code_array("就业意向", Intention)
    service_needs = code_array("就业服务需求", ServiceNeed, "就业意向为“自愿暂时不就业”的不填")
    destination = models.CharField(
        "就业去向", max_length=2, choices=Destination.choices, blank=True, help_text="最近一次回访结果"
    )
    # --- registry fields -----------------------------------------------------------------------------------
    cohort = models.PositiveSmallIntegerField("届别", help_text="毕业年份")
    category = models.CharField("人员类别", max_length=10, choices=Category.choices, default=Category.FRESH)
    sources = ArrayField(
        models.CharField(max_length=12, choices=SourceChannel.choices), verbose_name="来源渠道", default=list
    )
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.WAITING)
    state_changed_at = models.DateTimeField("状态变更时间", default=timezone.now)
    responsible_office = models.ForeignKey(
        Office, verbose_name="责任机构", on_delete=models.PROTECT, related_name="graduates"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="graduates",
    )
    unemployment_cert_no = models.CharField("就业失业登记证编号", max_length=30, blank=True)
    unemployment_cert_date = models.DateField("就业失业登记证发证日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1, help_text="每次修改加 1，防止覆盖他人的修改")
    school_status = models.CharField(
        "离校时就业状态",
        max_length=12,
        choices=SchoolStatus.choices,
        blank=True,
        help_text="院校/教育厅名单所报",
    )
    hand_edited = ArrayField(
        models.CharField(max_length=40),
        verbose_name="经办人员修改过的字段",
        default=list,
        blank=True,
        help_text="后来导入的名单不直接覆盖这些字段，而是列为冲突",
    )

    objects = GraduateQuerySet.as_manager()

    class Meta:
        verbose_name = "毕业生"
        verbose_name_plural = "毕业生"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest", "cohort"], name="graduate_one_per_id_and_cohort"
            ),
            models.CheckConstraint(
                condition=~Q(intentions__contains=["9"]) | Q(service_needs=[]),
                name="graduate_no_needs_when_not_seeking",
            ),
        ]
        indexes = [
            # The offices' list. The count of a scope's matches is an index-only scan of the first; the page in
            # the default order (newest change first) is read in index order from the other two, filtered on the
            # way, instead of sorting every match (bench/registry.py: 347 ms → a few ms p95 at 1M graduates).
            # The list's filters that have no index of their own ride along (INCLUDE), so a scope's filtered count
            # stays an index-only scan (graduates/paging.py counts up to 10,000 matches).
            models.Index(
                fields=["responsible_office", "state", "cohort"],
                include=["education", "category", "staff", "destination"],
                name="graduate_office_filters_idx",
            ),
            # 统计分析 (reporting/statistics): every breakdown of a cohort in an office scope is an index-only scan
            # of this, a quarter of the table's size, instead of reading the heap (bench/statistics_page.py).
            models.Index(
                fields=["cohort", "responsible_office"],
                include=[
                    "id",
                    "created_at",
                    "state",
                    "education",
                    "destination",
                    "major",
                    "hardship",
                    "service_needs",
                ],
                name="graduate_statistics_idx",
            ),
            models.Index(fields=["state", "-updated_at", "-id"], name="graduate_state_updated_idx"),
            models.Index(fields=["-updated_at", "-id"], name="graduate_updated_idx"),
            models.Index(fields=["name"], name="graduate_name_idx", opclasses=["varchar_pattern_ops"]),
            # Sorting a whole scope by name reads this in order instead of sorting every match (LIKE can't use it).
            models.Index(fields=["name", "-id"], name="graduate_name_order_idx"),
            models.Index(fields=["mobile"], name="graduate_mobile_idx"),
            models.Index(fields=["major"], name="graduate_major_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["cohort", "state"], name="graduate_cohort_state_idx"),
            # An office's records in registration order (the 待分配 queue's page and its capped count, index-only).
            models.Index(
                fields=["responsible_office", "created_at", "id"],
                include=["school_status"],
                name="graduate_office_created_idx",
            ),
            # The list's other sorts (filters.SORTS, each then -id), read in index order and, for deep pages,
            # sought by keyset (graduates/paging.py) instead of sorting every match.
            models.Index(fields=["-created_at", "-id"], name="graduate_created_idx"),
            models.Index(fields=["-cohort", "-id"], name="graduate_cohort_order_idx"),
            models.Index(fields=["graduation_date", "-id"], name="graduate_graduation_idx"),
            models.Index(fields=["state", "-id"], name="graduate_state_order_idx"),
            # 信息不全: counted and listed per office from an index of just those records.
            models.Index(
                fields=["responsible_office", "state"], condition=INCOMPLETE, name="graduate_incomplete_idx"
            ),
            GinIndex(fields=["hardship"], name="graduate_hardship_gin"),
            GinIndex(fields=["intentions"], name="graduate_intentions_gin"),
            GinIndex(fields=["service_needs"], name="graduate_needs_gin"),
            GinIndex(fields=["sources"], name="graduate_sources_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.cohort}届）"

    def clean(self) -> None:
        """Every check of the registration form; errors are collected per field, in Chinese."""
        from .checks import collect_graduate_errors

        errors = collect_graduate_errors(self)
        if errors:
            raise ValidationError(errors)

    @property
    def missing_information(self) -> list[str]:
        """The labels of the COMPLETENESS_FIELDS this record lacks (empty: complete)."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name, empty in COMPLETENESS_FIELDS.items()
            if getattr(self, name) in (empty, None)
        ]

    @property
    def masked_id_number(self) -> str:
        from .checks import mask_id_number

        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self) -> str:
        from .checks import mask_phone

        return mask_phone(self.mobile)


class GraduateSource(models.Model):
    """One channel a record came through, with its provenance (the batch or file), kept forever."""

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="source_records")
    channel = models.CharField("来源渠道", max_length=12, choices=SourceChannel.choices)
    reference = models.CharField("来源批次/文件", max_length=200, blank=True)
    received_at = models.DateTimeField("接收时间", default=timezone.now)
    office = models.ForeignKey(
        Office, verbose_name="接收机构", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "来源记录"
        verbose_name_plural = "来源记录"
        constraints = [
            models.UniqueConstraint(
                fields=["graduate", "channel", "reference"], name="graduate_source_unique_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.reference}".strip()


class FollowUpVisit(models.Model):
    """回访: a contact with the graduate and what it found. The record's 就业去向 is the latest visit's."""

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField("回访日期")
    method = models.CharField("回访方式", max_length=10, choices=VisitMethod.choices)
    outcome = models.CharField(
        "联系结果", max_length=12, choices=VisitOutcome.choices, default=VisitOutcome.REACHED
    )
    destination = models.CharField("就业去向", max_length=2, choices=Destination.choices, blank=True)
    employer = models.CharField("就业单位", max_length=100, blank=True)
    note = models.TextField("回访情况", blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回访人", on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(Office, verbose_name="回访机构", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["-visited_on", "-created_at"]
        indexes = [models.Index(fields=["graduate", "-visited_on"], name="visit_graduate_date_idx")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_method_display()}"


class GraduateChange(models.Model):
    """Field-level change history: who changed which fields, from what to what, when. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", "登记"
        UPDATED = "updated", "修改"
        STATE = "state", "状态变更"
        ASSIGNED = "assigned", "指定责任人"
        HANDOVER = "handover", "交接"

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField("时间", default=timezone.now)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office, verbose_name="操作机构", null=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField("变更内容", default=dict, help_text='{"字段": [旧值, 新值]}')
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["graduate", "-at"], name="change_graduate_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


# Fields whose changes are recorded in GraduateChange (everything a user can edit on the record).
TRACKED_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "university_name",
    "graduation_date",
    "education",
    "major",
    "origin_region_id",
    "email",
    "postcode",
    "mobile",
    "landline",
    "hardship",
    "location_intention",
    "intentions",
    "service_needs",
    "destination",
    "cohort",
    "category",
    "state",
    "staff_id",
    "unemployment_cert_no",
    "unemployment_cert_date",
]


class RosterUpload(models.Model):
    """One uploaded roster: the file (kept in the database, so any worker host can read it), the check's result
    (counts, errors with row and column, conflicts with hand edits) and the commit. Rows wait in RosterRow."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        CHECKING = "checking", "检查中"
        CHECKED = "checked", "待确认"
        COMMITTING = "committing", "导入中"
        COMMITTED = "committed", "已导入"
        CANCELLED = "cancelled", "已取消"
        REFUSED = "refused", "无法读取"
        FAILED = "failed", "导入失败"

    created_at = models.DateTimeField("上传时间", default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(Office, verbose_name="上传机构", on_delete=models.PROTECT, related_name="+")
    source = models.CharField("名单来源", max_length=12, choices=RosterSource.choices)
    university = models.ForeignKey(
        Office,
        verbose_name="院校",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="roster_uploads",
        limit_choices_to={"kind": "university"},
    )
    cohort = models.PositiveSmallIntegerField("届别")
    filename = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("文件大小")
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField("文件内容", editable=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.UPLOADED)
    message = models.TextField("说明", blank=True, help_text="无法读取的原因，或导入失败的原因")
    # Progress, updated while a worker checks or writes (the page polls it; it survives a reload).
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_read = models.PositiveIntegerField("已读取", default=0)
    rows_checked = models.PositiveIntegerField("已检查", default=0)
    rows_written = models.PositiveIntegerField("已写入", default=0)
    # The check's result.
    new = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    invalid = models.PositiveIntegerField("有误", default=0)
    conflicts = models.PositiveIntegerField("冲突", default=0)
    columns = models.JSONField("列", default=dict, help_text="字段 → 文件中的列名")
    errors = models.JSONField("错误", default=list)
    warnings = models.JSONField(
        "提示", default=list, help_text="不影响导入的提示，如入学前户口所在地未到县级"
    )
    conflict_list = models.JSONField("冲突明细", default=list)
    checked_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "名单导入"
        verbose_name_plural = "名单导入"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["university", "cohort"], name="roster_university_cohort_idx")]

    def __str__(self) -> str:
        return f"{self.filename}（{self.cohort}届）"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.CHECKING, self.Status.COMMITTING)

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        if self.status == self.Status.COMMITTING:
            done = self.rows_written
        else:
            done = (self.rows_read + self.rows_checked) // 2
        return min(100, done * 100 // self.rows_total)


# The columns a new record takes from its row; the others are the same for the whole upload (set at commit).
STAGED_COLUMNS = [
    "name", "gender", "ethnicity", "id_number", "id_number_digest", "birth_date", "university_id",
    "university_name", "graduation_date", "education", "major", "origin_region_id", "email", "postcode", "mobile", "landline",
    "hardship", "location_intention", "intentions", "service_needs", "destination", "state", "school_status",
]  # fmt: skip


class RosterRow(models.Model):
    """A checked row waiting for the commit: a new record's values (typed columns), an update's changed fields
    (data, changes), or an invalid row's original cells (data: to download, fix and upload again)."""

    class Action(models.TextChoices):
        NEW = "new", "新增"
        UPDATE = "update", "更新"
        UNCHANGED = "unchanged", "无变化"
        INVALID = "invalid", "有误"

    upload = models.ForeignKey(RosterUpload, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField("行号")
    action = models.CharField(max_length=10, choices=Action.choices)
    # A plain id, not a foreign key: new rows get their graduate's id reserved at staging, before it exists.
    graduate_id = models.BigIntegerField(null=True)
    graduate_version = models.PositiveIntegerField(null=True)
    data = models.JSONField(default=dict, help_text="更新：要写入的字段；有误：原始单元格")
    changes = models.JSONField(default=dict)
    # A new record's values, typed like Graduate's columns (COPY in, INSERT … SELECT out: no JSON to parse).
    name = models.CharField(max_length=50, blank=True)
    gender = models.CharField(max_length=1, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    id_number = EncryptedCharField(max_length=18, blank=True)
    id_number_digest = BlindIndexField(source="id_number")
    birth_date = models.DateField(null=True)
    university_id = models.BigIntegerField(null=True)
    university_name = models.CharField(max_length=100, blank=True)
    graduation_date = models.DateField(null=True)
    education = models.CharField(max_length=1, blank=True)
    major = models.CharField(max_length=100, blank=True)
    origin_region_id = models.CharField(max_length=6, blank=True)
    email = models.CharField(max_length=254, blank=True)
    postcode = models.CharField(max_length=6, blank=True)
    mobile = models.CharField(max_length=11, blank=True)
    landline = models.CharField(max_length=20, blank=True)
    hardship = ArrayField(models.CharField(max_length=2), default=list)
    location_intention = models.CharField(max_length=1, blank=True)
    intentions = ArrayField(models.CharField(max_length=2), default=list)
    service_needs = ArrayField(models.CharField(max_length=2), default=list)
    destination = models.CharField(max_length=2, blank=True)
    state = models.CharField(max_length=12, blank=True)
    school_status = models.CharField(max_length=12, blank=True)

    class Meta:
        indexes = [models.Index(fields=["upload", "action"], name="roster_row_upload_action_idx")]

    def __str__(self) -> str:
        return f"{self.upload_id}:{self.row_number}"


class RosterDeadline(models.Model):
    """The universities' due date for a cohort's roster (15 June by default, 青人社厅函〔2017〕490号)."""

    cohort = models.PositiveSmallIntegerField("届别", unique=True)
    due_date = models.DateField("截止日期")

    class Meta:
        verbose_name = "院校名单报送截止日期"
        verbose_name_plural = "院校名单报送截止日期"

    def __str__(self) -> str:
        return f"{self.cohort}届：{self.due_date:%Y-%m-%d}"


class SelfRegistration(models.Model):
    """本人登记 (seed 002's 求职登记小程序): a graduate's own request for help. The registry record it created or
    linked holds the data; this is the lead on the office's worklist, to be contacted within one working day, with
    the fields the office had changed by hand and the graduate gave otherwise (conflicts for the office)."""

    class Status(models.TextChoices):
        OPEN = "open", "待联系"
        CONTACTED = "contacted", "已联系"

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="self_registrations")
    office = models.ForeignKey(
        Office, verbose_name="受理机构", on_delete=models.PROTECT, related_name="self_registrations"
    )
    requested_office = models.ForeignKey(
        Office,
        verbose_name="本人选择的服务机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_record = models.BooleanField("新登记", help_text="否：已有记录，本人再次登记")
    received_at = models.DateTimeField("提交时间", default=timezone.now)
    due_on = models.DateField("联系截止日期", help_text="提交后 1 个工作日")
    conflicts = models.JSONField(
        "待处理的冲突",
        default=list,
        help_text="经办人员修改过、本人填写不同的字段：[{field, label, office_value, self_value}]",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    contacted_at = models.DateTimeField("联系时间", null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("联系情况", max_length=200, blank=True)

    class Meta:
        verbose_name = "本人登记"
        verbose_name_plural = "本人登记"
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["office", "status", "due_on"], name="selfreg_office_status_idx")]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.get_status_display()}"
