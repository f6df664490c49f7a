"""Background work of the registry: large roster checks and commits. Ids in, one action each, own retries."""

from celery import shared_task
from django.urls import reverse
from django.utils import translation

from core.actions import notify
from core.models import User

from .models import RosterUpload
from .roster import actions


@shared_task(bind=True, name=actions.CHECK_TASK, acks_late=True, max_retries=2)
def check_roster_task(self, upload_id: int) -> str:
    with translation.override("zh-hans"):
        upload = RosterUpload.objects.select_related("uploaded_by", "university", "office").get(pk=upload_id)
        if upload.status not in (RosterUpload.Status.UPLOADED, RosterUpload.Status.CHECKING):
            return upload.status  # already done (a redelivered message): nothing twice
        try:
            upload = actions.check_upload(upload)  # a crash inside the check is recorded there (导入失败)
        except (
            Exception
        ) as exc:  # the check could not even start or record its end (e.g. the database went away)
            actions.log_failure("check", upload_id, exc)
            RosterUpload.objects.filter(
                pk=upload_id, status__in=(RosterUpload.Status.UPLOADED, RosterUpload.Status.CHECKING)
            ).update(status=RosterUpload.Status.FAILED, message=actions.MSG_CHECK_FAILED)
            return RosterUpload.Status.FAILED
        messages = {
            RosterUpload.Status.CHECKED: f"名单“{upload.filename}”已检查完毕：新增 {upload.new}，更新 {upload.updated}，"
            f"有误 {upload.invalid}。请确认导入。",
            RosterUpload.Status.REFUSED: f"名单“{upload.filename}”无法读取：{upload.message}",
            RosterUpload.Status.FAILED: f"名单“{upload.filename}”{upload.message}",
        }
        if upload.status in messages:  # a cancelled upload needs no news
            notify(
                user=upload.uploaded_by,
                message=messages[upload.status],
                url=reverse("roster:detail", args=[upload.pk]),
            )
        return upload.status


@shared_task(bind=True, name=actions.COMMIT_TASK, acks_late=True, max_retries=0)
def commit_roster_task(self, upload_id: int, user_id: int) -> str:
    with translation.override("zh-hans"):
        user = User.objects.get(pk=user_id)
        upload = RosterUpload.objects.get(pk=upload_id)
        if upload.status != RosterUpload.Status.COMMITTING:
            return upload.status
        try:
            upload = actions.commit_upload(upload=upload, acting_user=user)
        except actions.StaleCheck:
            RosterUpload.objects.filter(pk=upload_id).update(status=RosterUpload.Status.UPLOADED)
            check_roster_task.delay(upload_id)
            notify(user=user, message=f"名单“{upload.filename}”涉及的记录在检查后被修改过，已重新检查，请再次确认。",
                   url=reverse("roster:detail", args=[upload_id]))  # fmt: skip
            return "rechecking"
        except Exception as exc:
            actions.log_failure("commit", upload_id, exc)
            RosterUpload.objects.filter(pk=upload_id, status=RosterUpload.Status.COMMITTING).update(
                status=RosterUpload.Status.FAILED, message="导入时出现系统错误，没有写入任何记录。"
            )
            notify(user=user, message=f"名单“{upload.filename}”导入时出错，没有写入任何记录。",
                   url=reverse("roster:detail", args=[upload_id]))  # fmt: skip
            return RosterUpload.Status.FAILED
        notify(
            user=user,
            message=f"名单“{upload.filename}”已导入：新增 {upload.new}，更新 {upload.updated}。",
            url=reverse("roster:detail", args=[upload.pk]),
        )
        return upload.status
