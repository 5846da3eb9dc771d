"""Login rate limiting: the throttle on a fake clock, and both login routes on a real app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ACCOUNTS, PASSWORD
from warmline.web.throttle import (
    ADDRESS_FACTOR,
    MAX_FAILURES,
    WINDOW_S,
    LoginThrottle,
    TooManyAttempts,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_account_is_paused_after_the_allowance_and_freed_by_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock)
    keys = throttle.keys("Dana@Example.com ", "10.0.0.1")
    assert keys[0] == "email:dana@example.com"
    for _ in range(MAX_FAILURES):
        throttle.check(keys)
        throttle.failed(keys)
        clock.now += 10
    with pytest.raises(TooManyAttempts) as caught:
        throttle.check(keys)
    assert 0 < caught.value.retry_after <= WINDOW_S and "try again in" in str(caught.value)
    clock.now += WINDOW_S  # the oldest failure has left the window
    throttle.check(keys)


def test_success_clears_the_account_but_an_address_has_its_own_larger_allowance() -> None:
    throttle = LoginThrottle(clock=Clock())
    for i in range(MAX_FAILURES * ADDRESS_FACTOR):
        keys = throttle.keys(f"user{i}@example.com", "10.0.0.9")  # many accounts, one address
        throttle.check(keys)
        throttle.failed(keys)
    with pytest.raises(TooManyAttempts):
        throttle.check(throttle.keys("someone.else@example.com", "10.0.0.9"))
    throttle.check(throttle.keys("someone.else@example.com", "10.0.0.10"))
    keys = throttle.keys("ok@example.com", "10.0.0.11")
    for _ in range(MAX_FAILURES - 1):
        throttle.failed(keys)
    throttle.succeeded(keys)
    throttle.failed(keys)
    throttle.check(keys)  # the count started again after the right password


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_both_login_routes_refuse_with_429_even_for_the_right_password(client: TestClient) -> None:
    email = ACCOUNTS["agent_1"].email
    for _ in range(MAX_FAILURES):
        resp = client.post("/api/v1/token", data={"username": email, "password": "wrong-wrong"})
        assert resp.status_code == 401
    resp = client.post("/api/v1/token", data={"username": email, "password": PASSWORD})
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    assert resp.json()["error"]["code"] == "too_many_requests"
    page = client.post("/login", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert page.status_code == 429 and "too many failed logins" in page.text
    other = client.post("/login", data={"email": ACCOUNTS["agent_2"].email, "password": PASSWORD}, follow_redirects=False)
    assert other.status_code == 303  # another account is not affected
