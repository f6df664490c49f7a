"""Writes of the scheduled mail: the monthly tables mailed to each office's report recipients, and the reminders
(each an in-app notification too, and a mail to users with an address).

Idempotency: every mail is first claimed as one Delivery row per (kind, period, office, recipient) — a unique key
in the database — and sent only by whoever inserted the row; a re-run or a second beat finds the row and sends
nothing. A failed send leaves the row FAILED (a send cut off by a killed worker leaves it SENDING, stale after
CLAIM_TIMEOUT): both may be claimed again, by the retry task (reporting.mail.deliver, with backoff) or by the next
run.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import asdict, dataclass
from smtplib import SMTPException

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.actions import notify
from core.models import Office, OfficeKind, User
from reporting import actions as reporting_actions
from reporting import selectors as reporting_selectors
from reporting.models import MonthlySnapshot

from . import selectors
from .models import Delivery, DeliveryKind, ReportRecipient

logger = logging.getLogger(__name__)

DELIVER_TASK = "reporting.mail.deliver"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
HANDOVER_KINDS = {"education": DeliveryKind.EDUCATION_LIST_DUE, "mohrss": DeliveryKind.MOHRSS_LIST_DUE}


@dataclass
class Counts:
    sent: int = 0
    skipped: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _date_cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _path(url_name: str, *args) -> str:
    try:
        return reverse(url_name, args=args) if url_name else ""
    except NoReverseMatch:
        return ""


def absolute_url(path: str) -> str:
    return f"{str(settings.SITE_URL or '').rstrip('/')}{path}" if path else ""


# --- Claiming and sending one delivery --------------------------------------------------------------------------


def claim(
    *,
    kind: str,
    period: str,
    office: Office | None,
    recipient: str,
    subject: str,
    body: str,
    user: User | None = None,
    email: str = "",
    url: str = "",
    snapshot: MonthlySnapshot | None = None,
) -> Delivery | None:
    """Insert the Delivery row of (KIND, PERIOD, OFFICE, RECIPIENT) and return it, or take over an existing one
    that failed or whose sender died; None when it was sent or is being sent by someone else."""
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                kind=kind,
                period=period,
                office=office,
                recipient=recipient,
                user=user,
                email=email,
                subject=subject[:200],
                body=body,
                url=url,
                snapshot=snapshot,
            )
    except IntegrityError:
        pass
    return _reclaim(Delivery.objects.filter(kind=kind, period=period, office=office, recipient=recipient))


def _reclaim(deliveries: QuerySet[Delivery]) -> Delivery | None:
    now = timezone.now()
    claimable = deliveries.filter(
        Q(status=Delivery.Status.FAILED)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    )
    # One UPDATE: of two runs racing for a failed row, the second finds it SENDING and fresh, and skips it.
    if claimable.update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now) == 0:
        return None
    return deliveries.select_related("user").get()


def reclaim(delivery_id: int) -> Delivery | None:
    """For the retry task: the delivery when it is still to be sent (FAILED, or SENDING and stale)."""
    return _reclaim(Delivery.objects.filter(pk=delivery_id))


def attachable(size: int) -> bool:
    return size <= settings.REPORT_MAIL_MAX_ATTACHMENT_BYTES


def build_message(delivery: Delivery) -> EmailMessage:
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.email],
    )
    if delivery.snapshot_id is not None:
        snapshot = MonthlySnapshot.objects.only("content", "filename").get(pk=delivery.snapshot_id)
        content = bytes(snapshot.content)
        if attachable(len(content)):
            message.attach(snapshot.filename, content, XLSX)
    return message


def deliver(delivery: Delivery) -> None:
    """Send a claimed DELIVERY: the in-app notification (once, whatever the mail does), then the mail when there
    is an address. Raises SMTPException / OSError after recording the failure (the row stays claimable)."""
    user = delivery.user if delivery.user_id is not None else None
    if user is not None and not delivery.notified:
        with transaction.atomic():
            notify(user=user, message=f"{delivery.subject}。{delivery.body}", url=delivery.url)
            Delivery.objects.filter(pk=delivery.pk).update(notified=True)
        delivery.notified = True
    if delivery.email:
        try:
            build_message(delivery).send(fail_silently=False)
        except (SMTPException, OSError) as error:
            code = getattr(error, "smtp_code", "")
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, error=f"{type(error).__name__} {code}".strip()[:300]
            )
            logger.warning("delivery %s failed: %s %s", delivery.pk, type(error).__name__, code)
            raise
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
    )


def _deliver_counted(delivery: Delivery, counts: Counts) -> None:
    try:
        deliver(delivery)
    except (SMTPException, OSError):
        counts.failed += 1
        # The retry task takes it over with backoff (reporting.mail.deliver: autoretry on SMTP errors).
        current_app.send_task(DELIVER_TASK, args=[delivery.pk], countdown=1)
    else:
        counts.sent += 1


# --- The monthly tables -----------------------------------------------------------------------------------------


def _pause_inside_export() -> None:
    """Tests only (setting REPORT_MAIL_SLOW_EXPORT_SECONDS): hold the export's transaction open, so that a test
    can kill the worker while a table is being stored."""
    seconds = settings.REPORT_MAIL_SLOW_EXPORT_SECONDS
    if seconds:
        time.sleep(seconds)


def monthly_snapshot(*, cohort: int, month: datetime.date, office: Office | None) -> MonthlySnapshot:
    """The month's table for OFFICE (None: the province): the latest stored version when it shows the whole
    month, else a new one. Stored only when its transaction commits at the end: a worker killed meanwhile
    leaves nothing, and the next run generates it. One run at a time per table (a second beat waits, then
    reuses)."""
    code = office.region_id if office is not None else "province"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"reporting.mail:{cohort}:{month}:{code}"]
            )
        snapshot = selectors.complete_snapshot(cohort=cohort, month=month, office=office)
        if snapshot is not None:
            return snapshot
        snapshot = reporting_actions.generate_monthly_snapshot(
            cohort=cohort, month=month, office=office, user=None
        )
        _pause_inside_export()
        return snapshot


def monthly_mail(
    *, recipient: ReportRecipient, sender_office: Office, snapshot: MonthlySnapshot, path: str
) -> tuple[str, str]:
    """Subject and body (Chinese) of the monthly table's mail."""
    month = snapshot.month
    unit = "全省" if sender_office.kind == OfficeKind.BUREAU else sender_office.name
    title = f"{snapshot.cohort}届离校未就业高校毕业生信息汇总表"
    subject = f"{unit}{month.year}年{month.month}月{title}"
    due = reporting_selectors.due_date(month)
    size = len(bytes(snapshot.content))
    if attachable(size):
        where = f"见附件“{snapshot.filename}”。也可登录系统下载：{absolute_url(path)}"
    else:
        where = f"文件较大（约 {size / 1024 / 1024:.1f} MB），未作为附件发送，请登录系统下载：{absolute_url(path)}"
    body = (
        f"{recipient.name or '您好'}：\n\n"
        f"{unit}{month.year}年{month.month}月的{title}已由系统生成"
        f"（数据截至{_date_cn(snapshot.as_of)}，共 {snapshot.row_count} 行）。{where}\n\n"
        f"该表应于{_date_cn(due)}前报送。\n\n"
        f"此邮件由系统自动发送，请勿直接回复。如需更改收件人，请联系省就业服务局。\n"
    )
    return subject, body


def send_monthly_tables(*, month: datetime.date) -> Counts:
    """Mail MONTH's 汇总表 of every active prefecture and county office (and the province's, to the bureau's
    recipients) to its report recipients, generating the tables not stored yet. What the schedule (1st, 02:00)
    and `manage.py send_monthly_reports` run. Raises reporting.selectors.ReportingWindowError for a month
    outside the reporting window."""
    month = reporting_selectors.month_start(month)
    cohort = reporting_selectors.cohort_for_month(month)
    if cohort is None:
        raise reporting_selectors.ReportingWindowError(
            f"{month.year}年{month.month}月不属于任何届别的报送期（8月至次年6月）。"
        )
    reporting_selectors.check_window(cohort=cohort, month=month)
    counts = Counts()
    for target in selectors.monthly_targets():
        snapshot = monthly_snapshot(cohort=cohort, month=month, office=target.office)
        path = _path("reporting:download", snapshot.pk)
        for recipient in target.recipients:
            subject, body = monthly_mail(
                recipient=recipient, sender_office=target.sender_office, snapshot=snapshot, path=path
            )
            delivery = claim(
                kind=DeliveryKind.MONTHLY_TABLE,
                period=f"{month:%Y-%m}",
                office=target.sender_office,
                recipient=recipient.email.lower(),
                email=recipient.email,
                subject=subject,
                body=body,
                url=path,
                snapshot=snapshot,
            )
            if delivery is None:
                counts.skipped += 1
                continue
            _deliver_counted(delivery, counts)
    return counts


# --- Reminders ----------------------------------------------------------------------------------------------------


def _send_reminders(*, kind: str, period: str, reminders: list[selectors.Reminder], counts: Counts) -> None:
    for reminder in reminders:
        path = _path(reminder.url_name)
        body = reminder.body + (f"\n\n{absolute_url(path)}" if path else "")
        for user in reminder.users:
            delivery = claim(
                kind=kind,
                period=period,
                office=reminder.office,
                recipient=f"user:{user.pk}",
                user=user,
                email=user.email,
                subject=reminder.subject,
                body=body,
                url=path,
            )
            if delivery is None:
                counts.skipped += 1
                continue
            _deliver_counted(delivery, counts)


def services_reminders(today: datetime.date) -> list[selectors.Reminder]:
    """One digest per person: the graduates with a service overdue or due within a week."""
    digests = selectors.services_digests(today)
    users = User.objects.filter(pk__in=sorted(digests)).select_related("office").order_by("username")
    reminders = []
    for user in users:
        digest = digests[user.pk]
        if user.office is None:
            continue
        reminders.append(
            selectors.Reminder(
                office=user.office,
                users=[user],
                subject=f"服务提醒：{digest.overdue} 人服务已逾期，{digest.due} 人 7 天内到期",
                body=f"您负责的毕业生中，{digest.overdue} 人有服务已逾期，{digest.due} 人有服务将在 7 天内到期"
                f"（{_date_cn(today)}）。请登录系统“服务计划”查看并及时提供服务。",
                url_name="services:plans",
            )
        )
    return reminders


def uncontacted_reminders(today: datetime.date) -> list[selectors.Reminder]:
    days = settings.REMINDER_UNCONTACTED_DAYS
    counts = selectors.uncontacted_after_dispatch(today, days)
    offices = Office.objects.filter(pk__in=sorted(counts), is_active=True).order_by("region_id")
    users = selectors.office_users([office.pk for office in offices])
    return [
        selectors.Reminder(
            office=office,
            users=users.get(office.pk, []),
            subject=f"提醒：{counts[office.pk]} 名毕业生分发已满 {days} 天仍未联系",
            body=f"{office.name}有 {counts[office.pk]} 名毕业生分发已满 {days} 天仍处于“待联系”状态。"
            f"请登录系统“联系工作”逐一联系核实。",
            url_name="handover:worklist",
        )
        for office in offices
    ]


def send_reminders(*, today: datetime.date | None = None) -> Counts:
    """Every reminder due on TODAY (default: today), each once per (kind, period, person): the universities'
    roster, the bureau's two lists, the monthly table (the 5th), the weekly progress table (Thursday), the
    services digest and the graduates uncontacted since their dispatch. What the daily schedule runs."""
    today = today or timezone.localdate()
    counts = Counts()
    due, reminders = selectors.roster_due(today)
    _send_reminders(kind=DeliveryKind.ROSTER_DUE, period=due.isoformat(), reminders=reminders, counts=counts)
    for kind, due, reminders in selectors.handover_lists_due(today):
        _send_reminders(kind=HANDOVER_KINDS[kind], period=due.isoformat(), reminders=reminders, counts=counts)
    month, reminders = selectors.monthly_table_due(today)
    _send_reminders(
        kind=DeliveryKind.MONTHLY_DUE, period=f"{month:%Y-%m}", reminders=reminders, counts=counts
    )
    week, reminders = selectors.weekly_progress_due(today)
    _send_reminders(kind=DeliveryKind.WEEKLY_DUE, period=week.isoformat(), reminders=reminders, counts=counts)
    _send_reminders(
        kind=DeliveryKind.SERVICES_DUE,
        period=today.isoformat(),
        reminders=services_reminders(today),
        counts=counts,
    )
    _send_reminders(
        kind=DeliveryKind.UNCONTACTED,
        period=today.isoformat(),
        reminders=uncontacted_reminders(today),
        counts=counts,
    )
    return counts
