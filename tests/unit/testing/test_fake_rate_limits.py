"""The stand-in's account rate limits, observed with plain httpx: budgets, the real 429, every header family."""

from __future__ import annotations

import email.utils
from typing import Any

import httpx
import pytest
from fake_support import CHAT, user

from mistral_lca.testing import FakeLowCodeAPI, RateLimits
from mistral_lca.testing.fake.ratelimits import RATE_LIMITED_BODY, request_cost
from mistral_lca.tokens import count_tokens_each

EMBEDDINGS = "/v1/embeddings"
T0 = 1_800_000_000.0  # a minute boundary: 30,000,000 minutes


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(rate_limited_stand_in: Any, clock: Clock) -> Any:
    """``limited(**RateLimits fields)`` → a stand-in with those limits, counting windows by ``clock``."""

    def start(**limits: Any) -> FakeLowCodeAPI:
        server: FakeLowCodeAPI = rate_limited_stand_in(**limits)
        server.rate_clock = clock
        return server

    return start


def embed(http: httpx.Client, fake: FakeLowCodeAPI, *texts: str) -> httpx.Response:
    return http.post(fake.url(EMBEDDINGS), json={"model": "mistral-embed", "input": list(texts)})


def upstream(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    headers: dict[str, str] = body.get("response_headers", body.get("headers"))
    return {k: v for k, v in headers.items() if "ratelimit" in k or "retry-after" in k}


def test_requests_per_second_refuses_the_third_request_with_the_real_429(
    limited: Any, http: httpx.Client, clock: Clock
) -> None:
    fake = limited(requests_per_second=2)
    assert [http.post(fake.url(CHAT), json=user("x")).status_code for _ in range(2)] == [200, 200]
    refused = http.post(fake.url(CHAT), json=user("x"))
    assert refused.status_code == 429
    body = refused.json()
    assert body["message"] == "Rate limit exceeded" and body["provider"] == "mistralai"
    assert body["error"] == {
        "object": "error",
        "message": "Rate limit exceeded",
        "type": "rate_limited",
        "code": "1300",
    }
    assert body["error"] == RATE_LIMITED_BODY
    assert upstream(refused) == {"x-ratelimit-limit-req-second": "2", "x-ratelimit-remaining-req-second": "0"}
    assert "retry-after" not in refused.headers  # none, as in Mistral's recorded 429s
    assert fake.stats.rate_limited == 1 and fake.state.rate_counters.requests_refused == 1
    clock.now += 1  # the next second: a new window
    assert http.post(fake.url(CHAT), json=user("x")).status_code == 200


def test_every_request_window_is_reported_and_refused_requests_do_not_count(
    limited: Any, http: httpx.Client, clock: Clock
) -> None:
    fake = limited(requests_per_second=5, requests_per_10_seconds=6, requests_per_minute=7)
    statuses = []
    for _ in range(4):
        statuses.append(http.get(fake.url("/v1/models")).status_code)
    assert statuses == [200] * 4
    first = http.get(fake.url("/v1/models"))
    assert upstream(first) == {
        "x-ratelimit-limit-req-second": "5",
        "x-ratelimit-remaining-req-second": "0",
        "x-ratelimit-limit-req-10-second": "6",
        "x-ratelimit-remaining-req-10-second": "1",
        "x-ratelimit-limit-req-minute": "7",
        "x-ratelimit-remaining-req-minute": "2",
    }
    assert http.get(fake.url("/v1/models")).status_code == 429  # 6th in this second
    clock.now += 1
    assert http.get(fake.url("/v1/models")).status_code == 200  # 6th in 10 s
    assert http.get(fake.url("/v1/models")).status_code == 429  # 7th in 10 s
    clock.now += 10
    assert http.get(fake.url("/v1/models")).status_code == 200  # 7th in the minute
    assert http.get(fake.url("/v1/models")).status_code == 429
    clock.now += 60
    assert http.get(fake.url("/v1/models")).status_code == 200


def test_tokens_per_minute_charges_the_embedding_inputs_and_reports_the_query_cost(
    limited: Any, http: httpx.Client, clock: Clock
) -> None:
    first_texts, second_text = ["a" * 160, "b" * 40], "c" * 200
    first_cost = sum(count_tokens_each(first_texts, "mistral-embed"))  # the stand-in counts as the client does
    second_cost = count_tokens_each([second_text], "mistral-embed")[0]
    budget = first_cost + second_cost
    fake = limited(tokens_per_minute=budget)
    first = embed(http, fake, *first_texts)
    assert first.status_code == 200
    assert first.json()["result"]["usage"]["prompt_tokens"] == first_cost
    assert upstream(first) == {
        "x-ratelimit-limit-tokens-minute": str(budget),
        "x-ratelimit-remaining-tokens-minute": str(second_cost),
        "x-ratelimit-tokens-query-cost": str(first_cost),
    }
    assert embed(http, fake, second_text).status_code == 200  # exactly what was left
    refused = embed(http, fake, "d")
    assert refused.status_code == 429
    assert upstream(refused) == {
        "x-ratelimit-limit-tokens-minute": str(budget),
        "x-ratelimit-remaining-tokens-minute": "0",
    }
    clock.now += 60
    alone = embed(http, fake, "e" * 4000)  # more than a minute's budget passes alone, in a fresh window
    assert alone.status_code == 200
    assert upstream(alone)["x-ratelimit-remaining-tokens-minute"] == "0"


def test_the_monthly_quota_refuses_everything_once_used_up(limited: Any, http: httpx.Client, clock: Clock) -> None:
    fake = limited(tokens_per_month=1000, month_tokens_used=990)
    cost = count_tokens_each(["x" * 80], "mistral-embed")[0]
    assert cost > 10
    ok = embed(http, fake, "x" * 80)  # over the quota's last 10 tokens, but it was not used up before
    assert ok.status_code == 200
    assert upstream(ok) == {
        "x-ratelimit-limit-tokens-month": "1000",
        "x-ratelimit-remaining-tokens-month": "0",
        "x-ratelimit-tokens-query-cost": str(cost),
    }
    clock.now += 3600
    refused = http.post(fake.url(CHAT), json=user("x"))
    assert refused.status_code == 429
    assert upstream(refused) == {"x-ratelimit-limit-tokens-month": "1000", "x-ratelimit-remaining-tokens-month": "0"}


def test_the_2024_bysize_family_reports_the_token_budgets(limited: Any, http: httpx.Client, clock: Clock) -> None:
    clock.now = T0 + 15
    fake = limited(tokens_per_minute=1000, tokens_per_month=10**6, headers=("bysize",))
    response = embed(http, fake, "x" * 400)
    cost = count_tokens_each(["x" * 400], "mistral-embed")[0]
    assert upstream(response) == {
        "x-ratelimitbysize-limit-minute": "1000",
        "x-ratelimitbysize-remaining-minute": str(1000 - cost),
        "ratelimitbysize-limit": "1000",
        "ratelimitbysize-remaining": str(1000 - cost),
        "ratelimitbysize-reset": "45",
        "x-ratelimitbysize-limit-month": "1000000",
        "x-ratelimitbysize-remaining-month": str(10**6 - cost),
        "ratelimitbysize-query-cost": str(cost),
    }


@pytest.mark.parametrize(
    ("families", "expected"),
    [
        ((), set()),
        (("requests",), {"x-ratelimit-limit-req-minute", "x-ratelimit-remaining-req-minute"}),
        (
            ("tokens",),
            {"x-ratelimit-limit-tokens-minute", "x-ratelimit-remaining-tokens-minute", "x-ratelimit-tokens-query-cost"},
        ),
    ],
)
def test_header_families_are_selectable(
    limited: Any, http: httpx.Client, families: tuple[str, ...], expected: set[str]
) -> None:
    fake = limited(requests_per_minute=10, tokens_per_minute=1000, headers=families)
    assert set(upstream(http.post(fake.url(CHAT), json=user("x")))) == expected


@pytest.mark.parametrize(
    ("form", "name", "value"),
    [
        ("seconds", "retry-after", "1"),
        ("ms", "retry-after-ms", "250"),
        ("date", "retry-after", email.utils.formatdate(T0 + 1, usegmt=True)),
    ],
)
def test_retry_after_in_each_form_says_when_the_window_renews(
    limited: Any, http: httpx.Client, clock: Clock, form: str, name: str, value: str
) -> None:
    clock.now = T0 + 0.75
    fake = limited(requests_per_second=1, retry_after=form)
    assert http.get(fake.url("/v1/models")).status_code == 200
    refused = http.get(fake.url("/v1/models"))
    assert refused.status_code == 429
    assert upstream(refused)[name] == value
    assert name not in refused.headers  # LowCodeAPI: inside the envelope only


def test_plain_mistral_mode_shares_the_budget_and_sends_real_headers(limited: Any, http: httpx.Client) -> None:
    fake = limited(requests_per_second=1, retry_after="seconds")
    bearer = {"Authorization": "Bearer k"}
    ok = http.post(f"{fake.mistral_base_url}{CHAT}", json=user("x"), headers=bearer)
    assert ok.status_code == 200
    assert ok.headers["x-ratelimit-remaining-req-second"] == "0"
    refused = http.post(fake.url(CHAT), json=user("x"))  # the same account through LowCodeAPI
    assert refused.status_code == 429
    plain = http.post(f"{fake.mistral_base_url}{CHAT}", json=user("x"), headers=bearer)
    assert plain.status_code == 429
    assert plain.json() == RATE_LIMITED_BODY
    assert plain.headers["retry-after"] == "1"


def test_no_limits_means_no_rate_limit_headers_and_no_429(fake: FakeLowCodeAPI, http: httpx.Client) -> None:
    for _ in range(20):
        response = http.post(fake.url(CHAT), json=user("x"))
        assert response.status_code == 200
        assert upstream(response) == {}


def test_usage_is_forgotten_on_reset(limited: Any, http: httpx.Client) -> None:
    fake = limited(requests_per_minute=1)
    assert http.get(fake.url("/v1/models")).status_code == 200
    assert http.get(fake.url("/v1/models")).status_code == 429
    fake.reset_rate_limits()
    assert http.get(fake.url("/v1/models")).status_code == 200
    fake.reset(state=True)
    assert http.get(fake.url("/v1/models")).status_code == 200


def test_limits_are_validated_and_round_trip_from_json() -> None:
    with pytest.raises(ValueError, match="unknown header family"):
        RateLimits(headers=("req",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="retry_after"):
        RateLimits(retry_after="soon")  # type: ignore[arg-type]
    limits = RateLimits.from_json({"requests_per_second": 2, "headers": ["requests", "bysize"]})
    assert limits == RateLimits(requests_per_second=2, headers=("requests", "bysize"))


def test_request_cost() -> None:
    assert request_cost({"model": "m", "input": ["abcd", "abcde"]}, b"") == sum(
        count_tokens_each(["abcd", "abcde"], "m")
    )
    assert request_cost({"model": "m", "input": "abcdefgh"}, b"") == count_tokens_each(["abcdefgh"], "m")[0]
    assert request_cost({"model": "m", "messages": []}, b"x" * 40) == 10
    assert request_cost(None, b"") == 1


def test_standalone_options_build_the_limits() -> None:
    import argparse

    from mistral_lca.testing.fake.__main__ import rate_limits

    def parsed(**given: Any) -> argparse.Namespace:
        names = ("requests_per_second", "requests_per_10_seconds", "requests_per_minute", "tokens_per_minute")
        defaults = dict.fromkeys((*names, "tokens_per_month", "retry_after", "rate_headers"))
        return argparse.Namespace(**{**defaults, **given})

    assert rate_limits(parsed()) is None
    assert rate_limits(parsed(requests_per_second=2, retry_after="ms")) == RateLimits(
        requests_per_second=2, retry_after="ms"
    )
    assert rate_limits(parsed(tokens_per_month=10, rate_headers="bysize")) == RateLimits(
        tokens_per_month=10, headers=("bysize",)
    )
    assert rate_limits(parsed(requests_per_minute=1, rate_headers="")).headers == ()  # type: ignore[union-attr]
