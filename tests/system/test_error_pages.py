import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_api_address_answers_json_in_chinese(client, staff):
    client.force_login(staff)

    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_an_unknown_page_answers_the_chinese_404_page(client, staff):
    client.force_login(staff)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_an_anonymous_api_call_gets_401(client, network):
    response = client.get("/api/org-units/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
