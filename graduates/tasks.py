"""Background work of the registry: large roster checks and commits. Ids in, one action each, own retries."""

import logging

from celery import shared_task
from django.urls import reverse
from django.utils import translation

from core.actions import notify
from core.models import User

from .models import RosterUpload
from .roster import actions

logger = logging.getLogger(__name__)


@shared_task(bind=True, name=actions.CHECK_TASK, acks_late=True, max_retries=2)
def check_roster_task(self, upload_id: int) -> str:
    with translation.override("zh-hans"):
        upload = RosterUpload.objects.select_related("uploaded_by", "university", "office").get(pk=upload_id)
        if upload.status not in (RosterUpload.Status.UPLOADED, RosterUpload.Status.CHECKING):
            return upload.status  # already done (a redelivered message): nothing twice
        try:
            upload = actions.check_upload(upload)
        except Exception:
            logger.exception("roster %s: check failed", upload_id)
            RosterUpload.objects.filter(pk=upload_id).update(
                status=RosterUpload.Status.FAILED,
                message="检查时出现系统错误，名单未导入。请稍后重新上传；如仍失败请联系管理员。",
            )
            raise
        notify(
            user=upload.uploaded_by,
            message=f"名单“{upload.filename}”已检查完毕：新增 {upload.new}，更新 {upload.updated}，有误 {upload.invalid}。请确认导入。"
            if upload.status == RosterUpload.Status.CHECKED
            else f"名单“{upload.filename}”无法读取：{upload.message}",
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
        except Exception:
            logger.exception("roster %s: commit failed", upload_id)
            RosterUpload.objects.filter(pk=upload_id).update(
                status=RosterUpload.Status.FAILED, message="导入时出现系统错误，没有写入任何记录。"
            )
            raise
        notify(
            user=user,
            message=f"名单“{upload.filename}”已导入：新增 {upload.new}，更新 {upload.updated}。",
            url=reverse("roster:detail", args=[upload.pk]),
        )
        return upload.status
