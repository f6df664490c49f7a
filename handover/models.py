"""Handover batches (青人社厅函〔2017〕490号, 吉人社发〔2022〕21号): lists reach the bureau, are split by origin to the
offices, and each office acknowledges its share."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.fields import BlindIndexField, BlindIndexModelMixin, EncryptedCharField, EncryptedQuerySet
from core.models import Office
from graduates.models import Graduate, RosterUpload


class BatchSource(models.TextChoices):
    EDUCATION = "education", "教育厅移交（省属院校）"
    MOHRSS = "mohrss", "人社部（省外院校本省生源）"
    UNIVERSITY = "university", "院校名单"
    SELF = "self", "本人登记"


class HandoverBatch(models.Model):
    """One list received by the bureau: where it came from, for which cohort, its file, its counts."""

    class Status(models.TextChoices):
        RECEIVED = "received", "待分发"
        DISPATCHED = "dispatched", "已分发"

    source = models.CharField("来源", max_length=12, choices=BatchSource.choices)
    cohort = models.PositiveSmallIntegerField("届别")
    received_on = models.DateField("接收日期", default=timezone.localdate)
    upload = models.OneToOneField(
        RosterUpload,
        verbose_name="导入的名单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batch",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECEIVED)
    total = models.PositiveIntegerField("人数", default=0)
    dispatched = models.PositiveIntegerField("已分发", default=0)
    unassigned = models.PositiveIntegerField("待分配", default=0)
    kept = models.PositiveIntegerField("已签约（不分发）", default=0)
    reported_to_mohrss = models.PositiveIntegerField("省外生源（报人社部）", default=0, db_default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField("分发时间", null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "交接批次"
        verbose_name_plural = "交接批次"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.cohort}届 {self.get_source_display()}（{self.received_on:%Y-%m-%d}）"

    @property
    def not_yet_dispatched(self) -> int:
        """People added to the batch since its last dispatch (the queue and the kept ones are counted apart)."""
        return max(0, self.total - self.dispatched - self.unassigned - self.kept - self.reported_to_mohrss)


class HandoverItem(models.Model):
    """One graduate of a batch: where it was dispatched and whether that office has acknowledged it (签收)."""

    batch = models.ForeignKey(HandoverBatch, on_delete=models.CASCADE, related_name="items")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="handover_items")
    kept = models.BooleanField("已签约，不分发", default=False)
    # A graduate of a province-run university whose origin lies outside the province: reported to MOHRSS with
    # the province-run universities' list (000 §一(一)3), not ours to dispatch, so not in the 待分配 queue.
    # A database default too: items are inserted by set-based SQL that names only the columns it knows.
    reported_to_mohrss = models.BooleanField("省外生源，报人社部（不分发）", default=False, db_default=False)
    office = models.ForeignKey(
        Office,
        verbose_name="接收机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover_items",
    )
    dispatched_at = models.DateTimeField("分发时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "交接明细"
        verbose_name_plural = "交接明细"
        constraints = [
            models.UniqueConstraint(fields=["batch", "graduate"], name="handover_item_once_per_batch")
        ]
        indexes = [
            models.Index(fields=["office", "acknowledged_at"], name="handover_item_office_ack_idx"),
            # The worklist reads graduates in the order of their first hand-over from this (contact/selectors.py).
            models.Index(
                fields=["dispatched_at", "graduate"],
                condition=models.Q(dispatched_at__isnull=False),
                name="handover_item_dispatched_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.graduate_id}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "电话"
    HOME_VISIT = "home", "入户走访"
    ONLINE = "online", "网络/微信"
    REPORT_IN = "report_in", "报到时"
    ARCHIVE = "archive", "档案托管时"
    # Police / social-security data comparison (000 §一(一)4, 002): a match found in other records.
    DATA_MATCH = "data_match", "数据比对"
    # At the office's window: 求职登记, 报到 or 档案托管 in person.
    WINDOW = "window", "窗口办理"


class ContactOutcome(models.TextChoices):
    VERIFIED = "verified", "已核实并完善信息"
    UNREACHABLE = "unreachable", "无法联系"
    LIVES_ELSEWHERE = "elsewhere", "现居外地（需转移）"
    EMPLOYED = "employed", "已就业"
    NO_INTENTION = "no_intention", "暂无就业意愿"
    NO_ANSWER = "no_answer", "本次未联系上"


class ContactAttempt(models.Model):
    """One attempt of an office to reach a received graduate (seed 000: 逐个联系，核实登记)."""

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="contact_attempts")
    office = models.ForeignKey(Office, verbose_name="机构", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    method = models.CharField("方式", max_length=12, choices=ContactMethod.choices)
    outcome = models.CharField("结果", max_length=12, choices=ContactOutcome.choices)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        ordering = ["-at"]
        indexes = [models.Index(fields=["graduate", "-at"], name="contact_graduate_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.get_method_display()} {self.get_outcome_display()}"


class Transfer(models.Model):
    """A graduate who lives elsewhere, moved to the office where they are: requested by the sending office,
    accepted or rejected by the receiving one; until then the sender keeps the graduate. A transfer out of the
    province has no receiving office and is final when requested."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "待接收"
        ACCEPTED = "accepted", "已接收"
        REJECTED = "rejected", "已拒绝"
        CANCELLED = "cancelled", "已撤回"
        LEFT_PROVINCE = "left", "已转出省外"

    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="transfers")
    from_office = models.ForeignKey(
        Office, verbose_name="转出机构", on_delete=models.PROTECT, related_name="+"
    )
    to_office = models.ForeignKey(
        Office, verbose_name="接收机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_region = models.ForeignKey(
        "core.Region",
        verbose_name="现居住地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField("原因", max_length=300)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField("处理意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "转移"
        verbose_name_plural = "转移"
        ordering = ["-requested_at"]
        constraints = [
            # At most one open request per graduate: two offices cannot both be asked to take the same person.
            models.UniqueConstraint(
                fields=["graduate"],
                condition=models.Q(status="requested"),
                name="transfer_one_open_per_graduate",
            )
        ]
        indexes = [models.Index(fields=["to_office", "status"], name="transfer_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.graduate_id} → {self.to_office_id or self.to_region_id}"


class ReportIn(BlindIndexModelMixin):
    """A graduate who reported to an office (报到): with a 就业报到证 (cohorts before 2023), with the 毕业去向登记
    record's 转递编号/核验编号, or with an arriving personnel archive. Matched to the registry by ID number."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", "就业报到证"
        DESTINATION_RECORD = "record", "毕业去向登记（转递编号/核验编号）"
        ARCHIVE = "archive", "人事档案到达"

    office = models.ForeignKey(Office, verbose_name="报到机构", on_delete=models.PROTECT, related_name="+")
    cohort = models.PositiveSmallIntegerField("届别")
    id_number = EncryptedCharField("公民身份号码", max_length=18)  # encrypted at rest (core/fields.py)
    id_number_digest = BlindIndexField("公民身份号码索引", source="id_number")
    name = models.CharField("姓名", max_length=50)
    kind = models.CharField("报到依据", max_length=12, choices=Kind.choices)
    certificate_no = models.CharField("报到证编号", max_length=40, blank=True)
    transfer_no = models.CharField("转递编号", max_length=40, blank=True)
    verify_no = models.CharField("核验编号", max_length=40, blank=True)
    reported_on = models.DateField("报到日期", default=timezone.localdate)
    graduate = models.ForeignKey(
        Graduate, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_ins"
    )
    registered_on_the_spot = models.BooleanField("现场登记", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = EncryptedQuerySet.as_manager()

    class Meta:
        verbose_name = "报到记录"
        verbose_name_plural = "报到记录"
        constraints = [
            models.UniqueConstraint(
                fields=["office", "cohort", "id_number_digest"], name="report_in_once_per_office"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort}届 {self.get_kind_display()}"


class HandoverDeadline(models.Model):
    """A due date of the handover for a cohort, editable in the admin; absent, the default applies: the
    Education Dept's hand-over mid-September (15 Sep; Jilin: end of July), the MOHRSS list 31 October."""

    class Kind(models.TextChoices):
        EDUCATION = "education", "教育厅移交名单"
        MOHRSS = "mohrss", "人社部省外院校本省生源名单"

    cohort = models.PositiveSmallIntegerField("届别")
    kind = models.CharField("事项", max_length=12, choices=Kind.choices)
    due_on = models.DateField("截止日期")

    class Meta:
        verbose_name = "交接截止日期"
        verbose_name_plural = "交接截止日期"
        constraints = [models.UniqueConstraint(fields=["cohort", "kind"], name="handover_deadline_once")]

    def __str__(self) -> str:
        return f"{self.cohort}届 {self.get_kind_display()}：{self.due_on:%Y-%m-%d}"
