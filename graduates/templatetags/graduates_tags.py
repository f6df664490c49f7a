from django import template

from graduates import checks, codes

register = template.Library()

_LISTS = {
    "state": codes.State,
    "education": codes.EducationLevel,
    "gender": codes.Gender,
    "destination": codes.Destination,
    "category": codes.Category,
    "hardship": codes.Hardship,
    "intention": codes.Intention,
    "need": codes.ServiceNeed,
    "source": codes.SourceChannel,
    "location": codes.LocationIntention,
    "ethnicity": codes.Ethnicity,
}


@register.filter
def label(value, list_name: str) -> str:
    """The Chinese label of a code (or the labels of a list of codes, in official order)."""
    choices = _LISTS[list_name]
    if isinstance(value, (list, tuple)):
        return codes.labels(value, choices)
    if value in (None, ""):
        return ""
    return dict(choices.choices).get(value, value)


@register.filter
def mask_id(value: str) -> str:
    return checks.mask_id_number(value or "")


@register.filter
def mask_phone(value: str) -> str:
    return checks.mask_phone(value or "")


STATE_BADGES = {
    "waiting": "text-bg-warning",
    "verified": "text-bg-primary",
    "unreachable": "text-bg-danger",
    "employed": "text-bg-success",
    "studying": "text-bg-info",
    "not_seeking": "text-bg-secondary",
    "transferred": "text-bg-light border",
}


@register.filter
def state_badge(value: str) -> str:
    return STATE_BADGES.get(value, "text-bg-light")


UPLOAD_BADGES = {
    "uploaded": "text-bg-light border",
    "checking": "text-bg-info",
    "checked": "text-bg-warning",
    "committing": "text-bg-info",
    "committed": "text-bg-success",
    "cancelled": "text-bg-secondary",
    "refused": "text-bg-danger",
    "failed": "text-bg-danger",
}


@register.filter
def upload_badge(value: str) -> str:
    """The colour of a roster upload's status: waiting for the user (待确认) stands out, failures are red."""
    return UPLOAD_BADGES.get(value, "text-bg-light")
