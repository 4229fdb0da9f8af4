"""Dealer settings, users and the seller profile through the API, on the local services."""
import json

import pytest

from chalicelib.auth import tokens
from chalicelib.domain.dealers import Role, Staff
from chalicelib.services import dealers
from tests.support import Api, body, tenant


@pytest.fixture
def garage(client):
    """A dealer without its legal details (the shared fixture's dealer has them)."""
    return tenant()


@pytest.fixture
def admin(client, garage):
    return Api(client, garage.token(garage.admin))


def test_the_dev_login_gives_a_token_that_reads_the_dealer_settings(client, garage):
    login = Api(client).post("/dev/login", {"email": garage.seller.email})
    assert login.status_code == 200
    token = body(login)["token"]
    read = Api(client, token).get("/dealer")
    assert read.status_code == 200
    assert body(read)["settings"]["remote_selling"] is True
    assert body(read)["id"] == garage.dealer.id


def test_the_dev_login_refuses_an_unknown_email(client, aws):
    assert Api(client).post("/dev/login", {"email": "nobody@example.com"}).status_code == 401


def test_every_staff_member_reads_the_settings_but_only_admins_change_them(admin, seller):
    assert seller.get("/dealer").status_code == 200
    refused = seller.send("PATCH", "/dealer/settings", {"proposal_validity_days": 10})
    assert refused.status_code == 403
    assert body(refused)["error"]["code"] == "forbidden"
    changed = admin.send("PATCH", "/dealer/settings", {"proposal_validity_days": 10, "reminder_days": [2, 5]})
    assert changed.status_code == 200
    assert body(changed)["settings"]["proposal_validity_days"] == 10
    assert body(seller.get("/dealer"))["settings"]["reminder_days"] == [2, 5]


def test_admins_add_branches_and_users_and_deactivate_them(admin, seller, garage):
    branch = body(admin.post("/dealer/branches", {"name": "Villeurbanne"}))["branches"][0]
    created = admin.post("/users", {"email": "nouveau@example.com", "name": "Nina", "role": "seller",
                                    "phone": "+33612345678", "branch_id": branch["id"]})
    assert created.status_code == 201
    user_id = body(created)["id"]
    assert {u["email"] for u in body(admin.get("/users"))} >= {"nouveau@example.com", garage.seller.email}
    assert seller.post("/users", {"email": "x@example.com", "name": "X", "role": "admin"}).status_code == 403
    deactivated = admin.post(f"/users/{user_id}/deactivate")
    assert deactivated.status_code == 200 and body(deactivated)["active"] is False
    assert admin.post(f"/users/{user_id}/deactivate").status_code == 400


def test_a_login_email_belongs_to_one_user_only(admin, garage):
    again = admin.post("/users", {"email": garage.seller.email.upper(), "name": "Twin", "role": "seller"})
    assert again.status_code == 409
    assert body(again)["error"]["fields"] == {"email": "already used"}


def test_a_user_in_an_unknown_branch_is_refused_naming_the_field(admin):
    refused = admin.post("/users", {"email": "b@example.com", "name": "B", "role": "seller", "branch_id": "nope"})
    assert refused.status_code == 400
    assert "branch_id" in body(refused)["error"]["fields"]


def test_a_seller_builds_a_profile_once_and_reuses_it(seller):
    assert seller.get("/me/profile").status_code == 404
    saved = seller.send("PUT", "/me/profile", {"display_name": "Victor V.", "phone": "+33611223344",
                                                "email": "victor@example.com",
                                                "notifications": {"email": True, "sms": True}})
    assert saved.status_code == 200
    profile = body(seller.get("/me/profile"))
    assert profile["display_name"] == "Victor V." and profile["phone"] == "+33611223344"
    assert profile["notifications"] == {"email": True, "sms": True, "on_view": True, "on_download": True,
                                        "on_question": True, "on_signature": True, "on_payment": True,
                                        "team_in_app": False}


def test_a_user_of_another_dealer_sees_nothing_of_this_one(client, garage):
    other = tenant("Autre Garage")
    intruder = Api(client, other.token(other.admin))
    assert intruder.get(f"/users/{garage.seller.id}").status_code == 404
    assert intruder.post(f"/users/{garage.seller.id}/deactivate").status_code == 404
    # looked up before the role check: another dealer's seller learns nothing either
    assert intruder.as_(other.token(other.seller)).post(f"/users/{garage.seller.id}/deactivate").status_code == 404
    assert body(intruder.get("/dealer"))["id"] == other.dealer.id
    assert dealers.get_user(garage.dealer.id, garage.seller.id).active


@pytest.mark.parametrize("raw, field", [
    (b'{"proposal_validity_days": ', "body"),
    (b'{"proposal_validity_days": "thirty"}', "proposal_validity_days"),
    (b'{"proposal_validity_days": 30.5}', "proposal_validity_days"),
    (b'{"remote_selling": "yes"}', "remote_selling"),
    (b'{"colour": "blue"}', "colour"),
    (b'{"deposit": {"enabled": true, "percent": 101}}', "deposit.percent"),
    (b'[1, 2]', "body"),
])
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(admin, garage, raw, field):
    refused = admin.send("PATCH", "/dealer/settings", raw=raw)
    assert refused.status_code == 400
    error = body(refused)["error"]
    assert error["code"] == "invalid_input" and error["message"]
    assert field in error["fields"]
    assert dealers.get_dealer(garage.dealer.id).version == garage.dealer.version


def test_a_body_over_one_megabyte_is_a_413_and_changes_nothing(admin, garage):
    huge = json.dumps({"proposal_validity_days": 40, "pad": "x" * 1_100_000}).encode()
    refused = admin.send("PATCH", "/dealer/settings", raw=huge)
    assert refused.status_code == 413
    assert body(refused)["error"]["code"] == "payload_too_large"
    assert dealers.get_dealer(garage.dealer.id).settings.proposal_validity_days == 30


def test_a_body_that_is_not_json_is_refused(admin):
    refused = admin.send("PATCH", "/dealer/settings", raw=b"proposal_validity_days=3",
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 400
    assert body(refused)["error"]["fields"] == {"body": "expected application/json"}


def test_an_unknown_route_is_a_404_in_the_api_error_shape(admin):
    missing = admin.get("/nothing/here")
    assert missing.status_code == 404
    assert body(missing)["error"]["code"] == "not_found"


def test_a_wrong_method_is_a_405_in_the_api_error_shape(admin):
    wrong = admin.send("DELETE", "/dealer")
    assert wrong.status_code == 405
    assert set(body(wrong)["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize("header", [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer not.a.token"])
def test_a_request_without_a_valid_token_is_a_401(client, aws, header):
    headers = {"authorization": header} if header else {}
    refused = client.http.get("/dealer", headers=headers)
    assert refused.status_code == 401
    assert body(refused)["error"]["code"] == "not_authenticated"


def test_a_deactivated_users_token_is_refused_on_the_next_request(admin, seller, garage):
    assert seller.get("/dealer").status_code == 200
    assert admin.post(f"/users/{garage.seller.id}/deactivate").status_code == 200
    refused = seller.get("/dealer")
    assert refused.status_code == 401 and body(refused)["error"]["code"] == "not_authenticated"
    assert admin.get("/dealer").status_code == 200


def test_a_token_for_a_user_the_dealer_does_not_have_is_refused(client, garage):
    stranger = Staff(dealer_id=garage.dealer.id, user_id="01HZZZZZZZZZZZZZZZZZZZZZZZ", role=Role.ADMIN)
    assert Api(client, tokens.issue_local(stranger, "inconnu@example.com")).get("/dealer").status_code == 401


def test_the_role_is_the_one_the_dealer_keeps_not_the_one_in_the_token(client, garage):
    claimed = Staff(dealer_id=garage.dealer.id, user_id=garage.seller.id, role=Role.ADMIN)
    as_admin = Api(client, tokens.issue_local(claimed, garage.seller.email))
    refused = as_admin.send("PATCH", "/dealer/settings", {"lead_deadline_hours": 12})
    assert refused.status_code == 403


def test_an_unexpected_failure_is_a_500_with_a_request_id_and_no_stack_trace(admin, monkeypatch):
    def explode(dealer_id):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(dealers, "get_dealer", explode)
    failed = admin.get("/dealer")
    assert failed.status_code == 500
    error = body(failed)["error"]
    assert error["code"] == "internal_error" and error["request_id"]
    assert failed.headers["X-Request-Id"] == error["request_id"]
    assert b"Traceback" not in failed.body and b"secret internals" not in failed.body


def test_every_api_response_carries_the_security_headers(seller):
    headers = seller.get("/dealer").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Request-Id"]


def test_the_openapi_document_is_served(client, aws):
    served = client.http.get("/openapi.json")
    assert served.status_code == 200
    assert body(served)["openapi"] == "3.1.0"


def test_a_body_over_one_megabyte_is_a_413_even_where_no_body_is_expected(admin, garage):
    refused = admin.send("POST", f"/users/{garage.seller.id}/deactivate", raw=b"x" * 1_100_000)
    assert refused.status_code == 413
    assert dealers.get_user(garage.dealer.id, garage.seller.id).active
