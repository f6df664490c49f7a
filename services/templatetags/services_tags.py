"""The record page's service panel (included from graduates/detail.html, so the registry imports nothing)."""

from django import template
from django.utils import timezone

from core.scope import scope_for

from ..codes import HARDSHIP_CODES, Channel, ServiceType
from ..forms import ServiceForm, SpecialistForm, VoidForm
from ..models import ServiceEntry
from ..plans import active_standard, graduate_plan
from ..selectors import graduate_services, one_on_one_of, postings_for, specialist_options

register = template.Library()

RECENT = 10


@register.inclusion_tag("services/_record_panel_body.html", takes_context=True)
def service_panel(context, graduate):
    request = context.get("request")
    user = getattr(request, "user", None)
    office = getattr(user, "office", None)
    can_log = bool(
        context.get("can_act") and office is not None and office.is_employment_office and user.role
    )
    scope = scope_for(user)
    recent = [e for e in graduate_services(graduate)[:RECENT] if scope.covers_office(e.office_id)]
    standard = active_standard()
    plan = graduate_plan(graduate_id=graduate.pk, standard=standard) if standard else []
    counted = {e.pk: e for e in ServiceEntry.objects.filter(pk__in=[i for o in plan for i in o.entry_ids])}
    obligations = [{"o": o, "entries": [counted[i] for i in o.entry_ids if i in counted]} for o in plan]
    hardship = bool(set(graduate.hardship or []) & set(HARDSHIP_CODES))
    help_ = one_on_one_of(graduate) if hardship else None
    specialist_form = None
    if hardship and can_log:
        initial = (
            {"specialist": help_.specialist_id, "plan": help_.plan, "follow_up_days": help_.follow_up_days}
            if help_
            else {"specialist": user.pk}
        )
        specialist_form = SpecialistForm(initial=initial, specialists=specialist_options(graduate))
    return {
        "hardship": hardship,
        "today": timezone.localdate(),
        "help": help_,
        "specialist_form": specialist_form,
        "postings": postings_for(graduate=graduate) if can_log else [],
        "standard": standard,
        "obligations": obligations,
        "g": graduate,
        "can_log": can_log,
        "form": ServiceForm(),
        "void_form": VoidForm(),
        "recent": recent,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def service_label(code: str) -> str:
    return dict(ServiceType.choices).get(code, code)


@register.filter
def channel_label(code: str) -> str:
    return dict(Channel.choices).get(code, code) if code else "—"


@register.filter
def get_count(counts: dict, key: str) -> int:
    return counts.get(key, 0)
