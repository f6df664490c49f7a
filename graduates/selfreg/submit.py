"""One submission of the self-registration, from the API or the page: checked, then written by the registry's
action (graduates.actions.register_self). The answer is the same whether or not the person was registered."""

from __future__ import annotations

import logging

from django.utils import timezone

from graduates.actions import register_self

from .validation import RegistrationInvalid, check_registration
from .workdays import contact_due_on

logger = logging.getLogger(__name__)

ANSWER = "已收到，工作人员将在1个工作日内与您联系"

__all__ = ["ANSWER", "RegistrationInvalid", "submit_registration"]


def submit_registration(data) -> None:
    """Check DATA and register. Raises RegistrationInvalid({"field": ["message"]}). A filled honeypot is answered
    like a success and stores nothing. Logs carry no personal data: only the lead's and the record's ids."""
    checked = check_registration(data)
    if checked is None:
        logger.info("self-registration dropped: honeypot field filled")
        return
    now = timezone.localtime()
    lead = register_self(
        graduate=checked.graduate,
        office=checked.office,
        requested_office=checked.requested_office,
        due_on=contact_due_on(now.date()),
        reference=f"本人登记 {now:%Y-%m-%d %H:%M:%S}",
    )
    logger.info(
        "self-registration %s: graduate %s, office %s, new record %s",
        lead.pk,
        lead.graduate_id,
        lead.office_id,
        lead.created_record,
    )
