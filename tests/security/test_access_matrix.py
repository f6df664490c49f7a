"""Access, tested as a matrix (issue 12): every URL pattern of the project × every persona of the demo province
(anonymous, the bureau 省局, 西宁市, its county 城东区, 海东市, the Education Dept, 青海大学) × an object inside
西宁/城东区's scope (A) and one inside 海东's (B), each cell with the status it must answer. Out-of-scope objects
are 404, never 403; a wrong role is 403; anonymous is sent to the login page (302) or, on the API, refused (401/
403). A route without a rule fails the test: a new URL must say who may use it.

`ACCESS_MATRIX_PRINT=1 pytest tests/security/test_access_matrix.py -s` prints the observed table."""

import os

import pytest
from django.apps import apps
from django.urls import reverse

from core.models import User
from tests.security.access import PERSONAS, answer, url_patterns
from tests.security.access_rules import RULES


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo province and its objects, seeded once for both tests of this module inside a transaction that is
    rolled back after them; each test runs in a savepoint of it (Django's TestCase), so neither sees what the
    other changed, and every request of the matrix is rolled back besides (tests/security/access.py)."""
    from django.db import transaction

    from tests.security.access_world import build_world

    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def personas_clients(client_class):
    clients = {}
    for name in PERSONAS:
        client = client_class()
        if name != "anon":
            user = User.objects.get(username=name)
            client.force_login(user)
        clients[name] = client
    return clients


@pytest.mark.django_db
def test_every_route_answers_each_persona_as_its_rule_says(world):
    from tests.conftest import OtpClient

    clients = personas_clients(OtpClient)
    routes = url_patterns()
    printing = os.environ.get("ACCESS_MATRIX_PRINT")
    if printing:  # observe: every route without a rule, GET, with an object where the route takes one
        from tests.security.access import Rule
        from tests.security.access_rules import OBJECT_ROUTES

        for route in routes:
            if route not in RULES and not route.startswith("admin:"):
                kw = OBJECT_ROUTES.get(route)
                RULES[route] = Rule(expect={"A": "?", "B": "?"} if kw else {"-": "?"}, kwargs=kw)
    missing = sorted(name for name in routes if name not in RULES and not name.startswith("admin:"))
    assert not missing, "routes without an access rule in tests/security/access_rules.py:\n" + "\n".join(
        missing
    )
    wrong = []
    # Logging out ends the clients' sessions: that route goes last.
    for name, rule in sorted(RULES.items(), key=lambda item: (item[0] == "logout", item[0])):
        assert name in routes, f"a rule for a route that no longer exists: {name}"
        if rule.method == "post" and routes[name].startswith("/api/") and rule.data is None:
            rule.data, rule.content_type = {}, "application/json"
        for target, expected in rule.expect.items():
            kwargs = rule.kwargs(world, target) if rule.kwargs else {}
            if kwargs is None:
                assert printing, f"{name}: the world has no object {target}"
                continue
            url = rule.path or (reverse(name, kwargs=kwargs) if not name.startswith("<") else routes[name])
            observed = " ".join(
                str(answer(clients[p], rule.method, url, rule.data, rule.content_type)) for p in PERSONAS
            )
            if printing and set(observed.split()[1:]) == {"405"} and rule.method == "get":
                rule.method = "post"
                if routes[name].startswith("/api/"):
                    rule.data, rule.content_type = {}, "application/json"
                observed = " ".join(
                    str(answer(clients[p], rule.method, url, rule.data, rule.content_type)) for p in PERSONAS
                )
            if printing:
                print(f"RULE {name}|{target}|{rule.method}|{observed}")
            if observed != expected:
                wrong.append(
                    f"{rule.method.upper()} {name} [{target}] expected {expected} observed {observed}"
                )
    assert not wrong, "\n".join(wrong)


OUR_APPS = {"core", "graduates", "handover", "services", "reporting"}


def admin_url(name: str, route: str) -> str | None:
    """The address of an admin route: a model's object routes with that model's first object (or an id that
    does not exist), the app index with its app; None for the routes that take other arguments."""
    if "<" not in route:
        return reverse(name)
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": "core"})
    parts = name.removeprefix("admin:").rsplit("_", 1)
    if "<path:object_id>" in route and len(parts) == 2:
        model_name = parts[0]
        model = next(
            (m for m in apps.get_models() if f"{m._meta.app_label}_{m._meta.model_name}" == model_name), None
        )
        if model is None:
            return None
        first = model._default_manager.order_by("pk").first()
        return reverse(name, kwargs={"object_id": first.pk if first is not None else 999999999})
    return None


@pytest.mark.django_db
def test_the_admin_is_closed_to_everyone_but_the_provincial_admins(world):
    """Every admin route: anonymous and every office, Education Dept and university user are sent to the admin's
    login (302), never shown a page; the provincial admin (with the second factor) gets every list of the
    project's own models, and no admin route answers 500 (Django's own models, such as groups, may be 403 for
    them: only a superuser manages those)."""
    from tests.conftest import OtpClient

    clients = personas_clients(OtpClient)
    routes = {name: route for name, route in url_patterns().items() if name.startswith("admin:")}
    assert len(routes) > 100
    wrong, asked = [], 0
    for name, route in sorted(routes.items()):
        url = admin_url(name, route)
        if url is None or name in {"admin:logout"}:
            continue
        asked += 1
        for persona in PERSONAS:
            status = answer(clients[persona], "get", url, None, None)
            ours = name.split(":")[1].split("_")[0] in OUR_APPS
            if persona == "sheng":
                listing = (name.endswith("_changelist") and ours) or name == "admin:index"
                allowed = {200} if listing else {200, 302, 403, 404}
            else:
                allowed = {302}  # to the login page, the admin's login included
            if status not in allowed:
                wrong.append(f"{persona} GET {url} ({name}): {status}, expected {sorted(allowed)}")
    assert asked > 100
    assert not wrong, "\n".join(wrong)
