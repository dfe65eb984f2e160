"""The sandbox's plex.tv API: status codes, JSON and XML shapes, errors (spec section 6)."""

from __future__ import annotations

from xml.etree import ElementTree

import httpx
import pytest

from plexbook.sandbox import SandboxServer
from plexbook.totp import totp
from tests.conftest import ALEX, CASEY, CASEY_TOTP, sign_in_token

JSON = {"Accept": "application/json"}
USER_KEYS = {"id", "uuid", "title", "email", "protected", "homeAdmin"}
HOME_USER_KEYS = {
    "id",
    "uuid",
    "title",
    "username",
    "email",
    "thumb",
    "admin",
    "guest",
    "restricted",
    "restrictionProfile",
    "protected",
    "hasPassword",
}


def error_of(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert set(body) == {"errors"}
    (error,) = body["errors"]
    assert set(error) == {"code", "message", "status"}
    assert error["status"] == response.status_code
    assert "Traceback" not in response.text
    return error


def xml_error_of(response: httpx.Response) -> ElementTree.Element:
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors"
    (error,) = root.findall("error")
    assert error.get("status") == str(response.status_code)
    return error


def alex(api: httpx.Client) -> dict[str, str]:
    return {"X-Plex-Token": sign_in_token(str(api.base_url)), **JSON}


def home_user(api: httpx.Client, headers: dict[str, str], title: str) -> dict[str, object]:
    users = api.get("/api/v2/home/users", headers=headers).json()["users"]
    return next(u for u in users if u["title"] == title)


# -- sign in ---------------------------------------------------------------------------------
def test_signin_answers_201_with_a_token(api: httpx.Client) -> None:
    response = api.post("/api/v2/users/signin", data={"login": ALEX[0], "password": ALEX[1]}, headers=JSON)
    assert response.status_code == 201
    body = response.json()
    assert USER_KEYS <= set(body)
    assert body["authToken"]
    assert body["homeAdmin"] is True


def test_signin_answers_xml_unless_json_is_asked_for(api: httpx.Client) -> None:
    response = api.post("/api/v2/users/signin", data={"login": ALEX[0], "password": ALEX[1]})
    assert response.status_code == 201
    assert response.headers["content-type"].startswith("application/xml")
    user = ElementTree.fromstring(response.content)
    assert user.tag == "user"
    assert user.get("authToken")
    assert user.get("homeAdmin") == "1"


def test_wrong_password_is_401_code_1001(api: httpx.Client) -> None:
    response = api.post("/api/v2/users/signin", data={"login": ALEX[0], "password": "nope"}, headers=JSON)
    assert response.status_code == 401
    assert error_of(response) == {"code": 1001, "message": "User could not be authenticated", "status": 401}
    xml = xml_error_of(api.post("/api/v2/users/signin", data={"login": ALEX[0], "password": "nope"}))
    assert xml.get("code") == "1001"


def test_two_factor_account_needs_a_valid_code(api: httpx.Client) -> None:
    form = {"login": CASEY[0], "password": CASEY[1]}
    missing = api.post("/api/v2/users/signin", data=form, headers=JSON)
    assert missing.status_code == 401
    assert error_of(missing)["code"] == 1029
    wrong = api.post("/api/v2/users/signin", data={**form, "verificationCode": "000000"}, headers=JSON)
    if totp(CASEY_TOTP).verify("000000", valid_window=1):  # vanishingly rare, but possible
        pytest.skip("000000 happens to be a valid code right now")
    assert wrong.status_code == 401
    assert error_of(wrong)["code"] == 1029
    code = totp(CASEY_TOTP).now()
    right = api.post("/api/v2/users/signin", data={**form, "verificationCode": code}, headers=JSON)
    assert right.status_code == 201
    assert right.json()["title"] == "Casey"


def test_hammering_signin_answers_429(api: httpx.Client) -> None:
    statuses = [
        api.post("/api/v2/users/signin", data={"login": ALEX[0], "password": f"bad{i}"}, headers=JSON).status_code
        for i in range(7)
    ]
    assert statuses == [401] * 5 + [429, 429]
    assert (
        error_of(api.post("/api/v2/users/signin", data={"login": ALEX[0], "password": ALEX[1]}, headers=JSON))["code"]
        == 1003
    )


# -- guards ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v2/user"),
        ("GET", "/api/v2/home/users"),
        ("GET", "/api/home/users"),
        ("PUT", "/api/home/users/1001?pin="),
        ("POST", "/api/v2/home/users/restricted/1003?removePin=1"),
        ("POST", "/api/v2/home/users/x/switch"),
        ("POST", "/api/v2/users/signin"),
    ],
)
def test_every_endpoint_needs_a_client_identifier(classic_sandbox: SandboxServer, method: str, path: str) -> None:
    response = httpx.request(method, classic_sandbox.base_url + path, headers=JSON)
    assert response.status_code == 400
    assert error_of(response)["code"] == 1000


def test_client_identifier_and_token_may_come_as_query_parameters(classic_sandbox: SandboxServer) -> None:
    token = sign_in_token(classic_sandbox.base_url)
    response = httpx.get(
        f"{classic_sandbox.base_url}/api/v2/user",
        params={"X-Plex-Client-Identifier": "q", "X-Plex-Token": token},
        headers=JSON,
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Alex"


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_missing_or_invalid_token_is_401(api: httpx.Client, token: str | None) -> None:
    headers = {**JSON, **({"X-Plex-Token": token} if token else {})}
    for path in ("/api/v2/user", "/api/v2/home/users"):
        response = api.get(path, headers=headers)
        assert response.status_code == 401
        assert error_of(response)["code"] == 1001


def test_unknown_route_answers_in_the_error_shape(api: httpx.Client) -> None:
    response = api.get("/api/v2/nothing-here", headers=JSON)
    assert response.status_code == 404
    error_of(response)


# -- who am I, Home users --------------------------------------------------------------------
def test_user_answers_the_signed_in_user(api: httpx.Client) -> None:
    body = api.get("/api/v2/user", headers=alex(api)).json()
    assert USER_KEYS <= set(body)
    assert (body["title"], body["email"], body["protected"], body["homeAdmin"]) == ("Alex", ALEX[0], True, True)


def test_home_users_json_shape(api: httpx.Client) -> None:
    body = api.get("/api/v2/home/users", headers=alex(api)).json()
    assert {"id", "name", "users"} <= set(body)
    users = {u["title"]: u for u in body["users"]}
    assert list(users) == ["Alex", "Jordan", "Kid", "Teen"]
    for user in users.values():
        assert set(user) == HOME_USER_KEYS
    assert users["Alex"]["admin"]
    assert users["Alex"]["protected"]
    assert users["Jordan"]["protected"]
    assert not users["Jordan"]["restricted"]
    assert users["Kid"]["restricted"]
    assert users["Kid"]["restrictionProfile"] == "little_kid"
    assert users["Kid"]["protected"]
    assert users["Kid"]["username"] == ""
    assert users["Kid"]["email"] == ""
    assert users["Teen"]["restrictionProfile"] == "older_kid"
    assert not users["Teen"]["protected"]


def test_home_users_v1_is_xml_with_the_same_flags(api: httpx.Client) -> None:
    headers = {"X-Plex-Token": sign_in_token(str(api.base_url))}
    response = api.get("/api/home/users", headers=headers)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert root.tag == "MediaContainer"
    assert root.get("size") == "4"
    users = {u.get("title"): u for u in root.findall("User")}
    assert users["Alex"].get("admin") == "1"
    assert users["Alex"].get("protected") == "1"
    assert users["Teen"].get("restricted") == "1"
    assert users["Teen"].get("protected") == "0"


# -- PINs ------------------------------------------------------------------------------------
def test_put_with_wrong_current_pin_is_401_incorrect_pin(api: httpx.Client) -> None:
    headers = alex(api)
    response = api.put("/api/home/users/1002", params={"pin": "", "currentPin": "1111"}, headers=headers)
    assert response.status_code == 401
    assert error_of(response)["message"] == "Incorrect PIN"
    assert home_user(api, headers, "Jordan")["protected"] is True


def test_put_removes_changes_and_sets_a_pin(api: httpx.Client, classic_sandbox: SandboxServer) -> None:
    token = sign_in_token(str(api.base_url))
    removed = api.put("/api/home/users/1002", params={"pin": "", "currentPin": "2468"}, headers={"X-Plex-Token": token})
    assert removed.status_code == 200
    response = ElementTree.fromstring(removed.content)
    assert (response.tag, response.get("code"), response.get("status")) == ("Response", "0", "Updated user")
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    again = api.put("/api/home/users/1002", params={"pin": ""}, headers={"X-Plex-Token": token})
    assert again.status_code == 200  # removing a PIN that is not set still answers 200
    api.put("/api/home/users/1002", params={"pin": "9753"}, headers={"X-Plex-Token": token})
    assert classic_sandbox.state.user_titled("Jordan").pin == "9753"


def test_put_refuses_a_pin_that_is_not_four_digits(api: httpx.Client) -> None:
    response = api.put("/api/home/users/1004", params={"pin": "12a4"}, headers=alex(api))
    assert response.status_code == 400
    assert error_of(response)["message"] == "PIN must be 4 digits"


def test_managed_user_pin_set_and_remove(api: httpx.Client, classic_sandbox: SandboxServer) -> None:
    headers = alex(api)
    set_ = api.post("/api/v2/home/users/restricted/1004", params={"pin": "5555"}, headers=headers)
    assert set_.status_code == 201
    assert set_.json()["protected"] is True
    assert classic_sandbox.state.user_titled("Teen").pin == "5555"
    removed = api.post("/api/v2/home/users/restricted/1004", params={"removePin": "1"}, headers=headers)
    assert removed.status_code == 201
    assert removed.json()["protected"] is False
    not_managed = api.post("/api/v2/home/users/restricted/1002", params={"removePin": "1"}, headers=headers)
    assert not_managed.status_code == 400


def test_managed_user_pin_needs_an_admin_token(api: httpx.Client) -> None:
    headers = alex(api)
    teen = home_user(api, headers, "Teen")
    switched = api.post(f"/api/v2/home/users/{teen['uuid']}/switch", headers=headers)
    assert switched.status_code == 201
    as_teen = {"X-Plex-Token": switched.json()["authToken"], **JSON}
    response = api.post("/api/v2/home/users/restricted/1003", params={"removePin": "1"}, headers=as_teen)
    assert response.status_code == 403


def test_switch_needs_the_right_pin_for_a_protected_user(api: httpx.Client) -> None:
    headers = alex(api)
    kid = home_user(api, headers, "Kid")
    for pin in (None, "0000"):
        params = {"pin": pin} if pin else {}
        response = api.post(f"/api/v2/home/users/{kid['uuid']}/switch", params=params, headers=headers)
        assert response.status_code == 403
        assert error_of(response) == {
            "code": 1041,
            "message": "A valid PIN is required to perform this action",
            "status": 403,
        }
    right = api.post(f"/api/v2/home/users/{kid['uuid']}/switch", params={"pin": "4321"}, headers=headers)
    assert right.status_code == 201
    assert right.json()["authToken"]
    assert right.json()["title"] == "Kid"


def test_more_than_five_wrong_pins_in_a_minute_answer_429(api: httpx.Client, classic_sandbox: SandboxServer) -> None:
    now = [1000.0]
    classic_sandbox.state._clock = lambda: now[0]  # a clock the test moves, instead of waiting
    headers = alex(api)
    kid = home_user(api, headers, "Kid")
    switch = f"/api/v2/home/users/{kid['uuid']}/switch"
    statuses = [api.post(switch, params={"pin": "0000"}, headers=headers).status_code for _ in range(5)]
    assert statuses == [403] * 5
    limited = api.post(switch, params={"pin": "4321"}, headers=headers)
    assert limited.status_code == 429
    assert error_of(limited)["code"] == 1003
    assert api.put("/api/home/users/1002", params={"pin": "", "currentPin": "2468"}, headers=headers).status_code == 429
    now[0] += 61
    assert api.post(switch, params={"pin": "4321"}, headers=headers).status_code == 201


# -- the sandbox's own routes for its pages ---------------------------------------------------
def test_verify_pin_route(api: httpx.Client) -> None:
    headers = alex(api)
    assert api.post("/api/v2/home/users/1001/pin/verify", params={"pin": "1234"}, headers=headers).status_code == 200
    wrong = api.post("/api/v2/home/users/1001/pin/verify", params={"pin": "1111"}, headers=headers)
    assert wrong.status_code == 401
    assert error_of(wrong)["message"] == "Incorrect PIN"


def test_reset_pin_route(api: httpx.Client, classic_sandbox: SandboxServer) -> None:
    headers = alex(api)
    wrong = api.post("/api/v2/user/pin/reset", data={"pin": "1111", "password": "x"}, headers=headers)
    assert wrong.status_code == 401
    assert error_of(wrong)["message"] == "Incorrect password"
    bad = api.post("/api/v2/user/pin/reset", data={"pin": "11", "password": ALEX[1]}, headers=headers)
    assert bad.status_code == 400
    ok = api.post("/api/v2/user/pin/reset", data={"pin": "8642", "password": ALEX[1]}, headers=headers)
    assert ok.status_code == 200
    assert classic_sandbox.state.user_titled("Alex").pin == "8642"


# -- faults ----------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [500, 503])
def test_a_route_can_be_made_to_fail(api: httpx.Client, classic_sandbox: SandboxServer, status: int) -> None:
    headers = alex(api)
    classic_sandbox.faults.fail("/api/v2/home/users", status)
    response = api.get("/api/v2/home/users", headers=headers)
    assert response.status_code == status
    assert error_of(response)["code"] == status
    assert api.get("/api/v2/user", headers=headers).status_code == 200


def test_a_route_can_drop_its_connection(api: httpx.Client, classic_sandbox: SandboxServer) -> None:
    headers = alex(api)
    classic_sandbox.faults.drop_connection("/api/v2/home/users")
    with pytest.raises(httpx.TransportError):
        api.get("/api/v2/home/users", headers=headers)
    classic_sandbox.faults.clear()
    assert api.get("/api/v2/home/users", headers=headers).status_code == 200


def test_latency_is_added_to_every_answer(api: httpx.Client, classic_sandbox: SandboxServer) -> None:
    classic_sandbox.faults.latency_ms = 300
    response = api.get("/api/v2/user", headers=JSON)
    # A lower bound only: the sandbox cannot answer sooner than it was told to wait.
    assert response.elapsed.total_seconds() >= 0.3
