"""The record page's service panel (included from graduates/detail.html, so the registry imports nothing)."""

from django import template

from core.scope import scope_for

from ..codes import Channel, ServiceType
from ..forms import ServiceForm, VoidForm
from ..models import ServiceEntry
from ..plans import active_standard, graduate_plan
from ..selectors import graduate_services, postings_for

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
    return {
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
