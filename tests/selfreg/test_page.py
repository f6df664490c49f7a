"""The public page /register/: a plain form with Django's CSRF protection, the PIPL text, errors in place."""

import pytest
from django.test import Client

from graduates.models import Graduate, SelfRegistration
from tests.factories import make_id_number
from tests.html_refs import foreign_refs

from .conftest import payload

pytestmark = pytest.mark.django_db


def form(**overrides) -> dict:
    data = payload(**overrides)
    data["consent"] = "on" if data["consent"] else ""
    return {k: v for k, v in data.items() if v != ""}


def test_the_page_shows_the_form_and_what_happens_to_the_data(demo_province, client):
    response = client.get("/register/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("求职登记", "公民身份号码", "用途", "保存的信息", "保存期限", "谁能看到", "我已阅读并同意"):
        assert text in page
    assert 'name="csrfmiddlewaretoken"' in page and 'name="form_token"' in page
    assert "城东区" in page  # the province's counties to choose the origin from
    assert "/static/selfreg/register.js" in page
    assert foreign_refs(page) == []  # no CDN, no web font: everything from this site


def test_a_post_without_the_csrf_token_is_refused(demo_province):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/register/", form())
    assert response.status_code == 403
    assert not Graduate.objects.exists()


def test_a_valid_form_registers_and_shows_the_answer(demo_province, client):
    response = client.post("/register/", form(name="页面登记"), follow=True)
    assert response.status_code == 200
    assert "已收到，工作人员将在1个工作日内与您联系" in response.content.decode()
    assert SelfRegistration.objects.get().graduate.name == "页面登记"


def test_another_province_is_given_as_a_code(demo_province, client):
    data = form(origin_region="other", origin_region_other="110101", id_number=make_id_number("110101"))
    response = client.post("/register/", data)
    assert response.status_code == 302
    lead = SelfRegistration.objects.get()
    assert lead.graduate.origin_region_id == "110101"
    assert lead.office.kind == "bureau"  # nobody in the province holds 北京: the bureau receives it


def test_errors_are_shown_beside_their_fields_and_the_input_kept(demo_province, client):
    response = client.post("/register/", form(mobile="123", consent=False, name="保留的姓名"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "手机号码应为以 1 开头的 11 位数字。" in page
    assert "请阅读并同意个人信息处理说明。" in page
    assert 'value="保留的姓名"' in page
    assert not Graduate.objects.exists()


def test_the_page_is_rate_limited_too(demo_province, client, settings):
    settings.SELF_REGISTRATION_RATES = {"ip": "1/hour", "id_number": "100/day"}
    assert client.post("/register/", form()).status_code == 302
    response = client.post("/register/", form(id_number=make_id_number("630102", "20030415", 543)))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert SelfRegistration.objects.count() == 1


def test_the_honeypot_on_the_page_stores_nothing(demo_province, client):
    response = client.post("/register/", form(website="spam"), follow=True)
    assert "已收到" in response.content.decode()
    assert not Graduate.objects.exists()
