"""The rate limiter as pure logic: an injected clock, no sleeps, no network.

Header learning for every family, sliding windows, token costs and their calibration, Retry-After, cool-downs,
AIMD on requests in flight, monthly quota exhaustion, fixed caps, the shared registry, and thread safety.
"""

from __future__ import annotations

import email.utils
import gc
import itertools
import pickle
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest

from mistral_lca import QuotaExceededError, RateLimiter, RateLimitError, RateLimitStore, ResponseHeaders
from mistral_lca._errors import ConfigurationError
from mistral_lca._pacing import CallPacing
from mistral_lca._rate_headers import read_rate_limits
from mistral_lca._rate_state import LimiterState, Window
from mistral_lca.ratelimit import (
    InMemoryRateLimitStore,
    Permit,
    Wait,
    forget_shared_rate_limiters,
    limiter_key,
    shared_rate_limiter,
)
from mistral_lca.testing import FastForwardClock

TOKEN = "at_SECRET_limiter_token"
URL = "https://api.lowcodeapi.com/mistralai"


def limiter(clock: FastForwardClock | None = None, **kwargs: Any) -> RateLimiter:
    return RateLimiter(clock=clock or FastForwardClock(), rng=random.Random(0), **kwargs)


def grant(lim: RateLimiter, tokens: float = 0, path: str = "/v1/chat/completions") -> Permit:
    decision = lim.acquire(tokens, path=path)
    assert isinstance(decision, Permit), decision
    return decision


def must_wait(lim: RateLimiter, tokens: float = 0, path: str = "/v1/chat/completions") -> Wait:
    decision = lim.acquire(tokens, path=path)
    assert isinstance(decision, Wait), decision
    return decision


def answer(lim: RateLimiter, permit: Permit | None, status: int = 200, **headers: str) -> None:
    lim.on_response(permit, {k.replace("_", "-"): v for k, v in headers.items()}, status)


def refused_in_a_row(lim: RateLimiter, clock: FastForwardClock, times: int, **headers: str) -> list[float]:
    """Send ``times`` requests, each answered 429 (with ``headers``); the waits the limiter asked for between them."""
    waits = []
    for _ in range(times):
        decision = lim.acquire()
        while isinstance(decision, Wait):
            waits.append(decision.seconds)
            clock.sleep(decision.seconds)
            decision = lim.acquire()
        answer(lim, decision, 429, **headers)
    return waits


# ------------------------------------------------------------------------------------------------ headers


def test_current_headers_in_any_case_are_read() -> None:
    info = read_rate_limits(
        ResponseHeaders(
            {
                "X-Ratelimit-Limit-Req-Minute": "100",
                "X-Ratelimit-Remaining-Req-Minute": "95",
                "x-ratelimit-limit-req-10-second": "60",
                "x-ratelimit-remaining-req-10-second": "59",
                "x-ratelimit-limit-req-second": "2",
                "x-ratelimit-remaining-req-second": "0",
                "X-Ratelimit-Limit-Tokens-Minute": "100000",
                "X-Ratelimit-Remaining-Tokens-Minute": "99692",
                "x-ratelimit-limit-tokens-month": "10000000000",
                "x-ratelimit-remaining-tokens-month": "9999999893",
                "X-Ratelimit-Tokens-Query-Cost": "187",
            }
        )
    )
    got = {name: (r.limit, r.remaining) for name, r in info.windows.items()}
    assert got == {
        "requests/60s": (100, 95),
        "requests/10s": (60, 59),
        "requests/1s": (2, 0),
        "tokens/60s": (100000, 99692),
        "tokens/2.592e+06s": (10000000000, 9999999893),
    }
    assert info.query_cost == 187
    assert info.windows["requests/1s"].exhausted and not info.windows["requests/60s"].exhausted
    assert info.windows["tokens/2.592e+06s"].is_quota and info.exhausted_quota() is None
    assert info.retry_after is None


def test_the_2024_bysize_family_is_read_as_tokens() -> None:
    info = read_rate_limits(
        {
            "x-ratelimitbysize-limit-minute": "500000",
            "x-ratelimitbysize-remaining-minute": "499000",
            "x-ratelimitbysize-limit-month": "1000000000",
            "x-ratelimitbysize-remaining-month": "0",
            "ratelimitbysize-query-cost": "1000",
        }
    )
    assert (info.windows["tokens/60s"].limit, info.windows["tokens/60s"].remaining) == (500000, 499000)
    assert info.query_cost == 1000
    quota = info.exhausted_quota()
    assert quota is not None and quota.kind == "tokens" and quota.limit == 1_000_000_000


def test_the_unprefixed_bysize_form_gives_a_minute_window_with_its_reset() -> None:
    info = read_rate_limits(
        {"ratelimitbysize-limit": "500000", "ratelimitbysize-remaining": "0", "ratelimitbysize-reset": "17"}
    )
    window = info.windows["tokens/60s"]
    assert (window.limit, window.remaining, window.reset_after) == (500000, 0, 17)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": email.utils.formatdate(0, usegmt=True)}, 0.0),  # a date in the past: now
    ],
)
def test_retry_after_in_every_form(headers: dict[str, str], seconds: float) -> None:
    assert read_rate_limits(headers).retry_after == seconds


def test_absent_unknown_and_garbled_headers_teach_nothing() -> None:
    assert read_rate_limits(None).empty
    assert read_rate_limits({}).empty
    info = read_rate_limits(
        {
            "x-ratelimit-limit-ocr-pages-minute": "1250",  # a unit the client cannot estimate
            "x-ratelimit-limit-req-fortnight": "5",
            "x-ratelimit-limit-req-minute": "lots",
            "x-ratelimit-remaining-tokens-minute": "-3",
            "content-type": "application/json",
        }
    )
    assert info.empty


# ------------------------------------------------------------------------------------------------ windows


def test_a_sliding_window_waits_for_its_oldest_entries() -> None:
    window = Window("requests", 1.0, 2.0)
    window.add(10.0, 1, 1)
    window.add(10.4, 1, 2)
    assert window.wait_for(1, 10.5) == pytest.approx(0.5)  # until the entry of t=10.0 leaves
    assert window.wait_for(1, 11.0) == 0.0
    assert window.used(11.0) == 1  # pruned
    tokens = Window("tokens", 60.0, 100.0)
    tokens.add(0.0, 60, 1)
    tokens.add(30.0, 30, 2)
    assert tokens.wait_for(20, 31.0) == pytest.approx(29.0)  # 60 must leave for 20 more to fit
    assert tokens.wait_for(70, 31.0) == pytest.approx(29.0)  # 60 leaving is enough: 30 + 70 fit
    assert tokens.wait_for(80, 31.0) == pytest.approx(59.0)  # both must leave
    assert tokens.wait_for(500, 31.0) == pytest.approx(59.0)  # above the limit: alone, once the log is empty
    assert Window("tokens", 60.0, 100.0).wait_for(500, 0.0) == 0.0


def test_state_round_trips_through_json() -> None:
    state = LimiterState(blocked_until=3.5, block_reason="Retry-After", cost_ratio={"/v1/embeddings": 0.75})
    state.remember(1.0, 12.0, 7)
    state.windows["requests/1s"] = Window("requests", 1.0, 2.0, 0.03, entries=[[1.0, 1.0, 7.0]])
    assert LimiterState.from_json(state.to_json()) == state


# ------------------------------------------------------------------------------------------------ pacing


def test_nothing_learned_means_no_wait_for_the_first_calls() -> None:
    lim = limiter()
    permits = [grant(lim) for _ in range(4)]  # the first call, and the first few together, are free
    blocked = must_wait(lim)
    assert not blocked.counts  # waiting for a request in flight to answer, not for a rate limit
    answer(lim, permits[0])  # the first answer (no rate headers): nothing to fear any more
    assert all(isinstance(lim.acquire(), Permit) for _ in range(100))
    assert lim.totals().waits == 0


def test_a_learned_request_window_paces_to_the_limit() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    answer(lim, grant(lim), x_ratelimit_limit_req_second="2", x_ratelimit_remaining_req_second="1")
    grant(lim)  # the second of this second
    wait = must_wait(lim)
    assert wait.counts and wait.seconds == pytest.approx(1.03)  # the window plus its safety margin
    assert "requests/1s" in wait.reason
    clock.sleep(wait.seconds)
    grant(lim)
    assert lim.totals() == lim.totals().__class__(requests=3, waits=1, seconds_waited=pytest.approx(1.03))


def test_over_any_window_of_its_length_a_learned_limit_is_never_exceeded() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    answer(lim, grant(lim), x_ratelimit_limit_req_10_second="5", x_ratelimit_remaining_req_10_second="4")
    sent = [0.0]
    while len(sent) < 40:
        decision = lim.acquire()
        if isinstance(decision, Wait):
            clock.sleep(decision.seconds)
            continue
        sent.append(clock())
        lim.on_response(decision, {}, 200)
        clock.sleep(0.3)
    for start in sent:
        assert sum(start <= t < start + 10 for t in sent) <= 5
    assert 70 <= sent[-1] - sent[0] <= 73  # 40 requests at 5 per 10 s: 7 windows (plus margins) after the first


def test_a_window_learned_late_counts_what_was_sent_before_it_was_known() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    first_wave = [grant(lim) for _ in range(4)]  # nothing known yet: all sent at once
    # The first answer says 1 of 6 is used: the 3 others are on their way, not unused budget.
    answer(lim, first_wave[0], x_ratelimit_limit_req_second="6", x_ratelimit_remaining_req_second="5")
    assert [isinstance(lim.acquire(), Permit) for _ in range(3)] == [True, True, False]


def test_usage_the_server_counted_and_we_did_not_send_is_respected() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    # Another process of the same key used 98 of the 100 requests of this minute.
    answer(lim, grant(lim), x_ratelimit_limit_req_minute="100", x_ratelimit_remaining_req_minute="1")
    grant(lim)
    assert must_wait(lim).seconds == pytest.approx(60.62)


def test_tokens_are_reserved_then_corrected_by_the_query_cost_and_the_estimate_calibrated() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    path = "/v1/embeddings"
    first = grant(lim, 1000, path)
    answer(
        lim,
        first,
        x_ratelimit_limit_tokens_minute="10000",
        x_ratelimit_remaining_tokens_minute="9250",
        x_ratelimit_tokens_query_cost="750",
    )
    state = lim.snapshot()
    assert state.cost_ratio[path] == pytest.approx(0.75)
    second = grant(lim, 4000, path)
    assert second.tokens == pytest.approx(3000)  # 4,000 estimated x 0.75: what the server will really charge
    answer(
        lim,
        second,
        x_ratelimit_limit_tokens_minute="10000",
        x_ratelimit_remaining_tokens_minute="6250",
        x_ratelimit_tokens_query_cost="3000",
    )
    assert lim.snapshot().windows["tokens/60s"].used(clock()) == pytest.approx(3750)
    grant(lim, 8000, path)  # 6,000 calibrated: fits in 10,000 - 3,750
    assert must_wait(lim, 1000, path).seconds == pytest.approx(60.62)
    assert isinstance(lim.acquire(0, path="/v1/models"), Permit)  # a request without tokens is not held back


# ------------------------------------------------------------------------------------------------ 429s


def test_retry_after_holds_back_every_caller_of_the_key() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    permit = grant(lim)
    answer(lim, permit, 429, retry_after="3")
    assert must_wait(lim).seconds == pytest.approx(3.0)
    assert must_wait(lim).reason == "Retry-After"
    clock.sleep(3.0)
    grant(lim)
    assert lim.totals().rate_limited == 1


def test_an_unexplained_429_cools_down_doubling_until_a_success() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    waits = refused_in_a_row(lim, clock, 4)
    assert [0.25 * 2**n <= w <= 0.5 * 2**n for n, w in enumerate(waits)] == [True] * 3
    clock.sleep(60)
    answer(lim, grant(lim), 200)
    answer(lim, grant(lim), 429)
    assert 0.25 <= must_wait(lim).seconds <= 0.5  # the streak was reset by the success


def test_a_429_that_a_learned_window_explains_waits_for_that_window_only() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    answer(lim, grant(lim), x_ratelimit_limit_req_second="2", x_ratelimit_remaining_req_second="1")
    refused = grant(lim)
    answer(lim, refused, 429, x_ratelimit_limit_req_second="2", x_ratelimit_remaining_req_second="0")
    wait = must_wait(lim)
    assert wait.seconds == pytest.approx(1.03) and "requests/1s" in wait.reason
    assert lim.snapshot().blocked_until == 0.0  # no extra cool-down


def test_repeated_retry_after_zero_is_still_backed_off() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    waits = refused_in_a_row(lim, clock, 5, retry_after="0")
    assert waits == pytest.approx([0.01, 0.02, 0.04, 0.08])


def test_a_wait_longer_than_the_call_may_wait_raises_without_sending() -> None:
    lim = limiter()
    answer(lim, grant(lim), 429, retry_after="30")
    with pytest.raises(RateLimitError) as caught:
        lim.acquire(max_wait=10)
    assert caught.value.status_code == 429
    assert caught.value.retry_after == pytest.approx(30, abs=0.01)
    assert "Nothing was sent" in caught.value.message and "rate_limit_wait" in caught.value.message
    assert isinstance(lim.acquire(max_wait=31), Wait)


# ------------------------------------------------------------------------------------------------ AIMD


def test_requests_in_flight_are_halved_on_a_429_once_per_round_and_grow_back_slowly() -> None:
    clock = FastForwardClock()
    lim = limiter(clock, initial_concurrency=8)
    first_round = [grant(lim) for _ in range(8)]
    answer(lim, first_round[0], 429)  # 8 were in flight: 4 from now on
    assert lim.concurrency == 4
    for permit in first_round[1:]:
        answer(lim, permit, 429)  # same round (sent before the cut): no further cut
    assert lim.concurrency == 4
    clock.sleep(60)
    later = grant(lim)
    answer(lim, later, 429)  # sent after the cut: a new round
    assert lim.concurrency == 2
    clock.sleep(60)  # past the cool-downs
    for _ in range(3):
        answer(lim, grant(lim), 200)  # +1/window per success
    assert lim.concurrency == 3
    grants = [lim.acquire() for _ in range(4)]
    assert [isinstance(g, Permit) for g in grants] == [True, True, True, False]


# ------------------------------------------------------------------------------------------------ quota


def test_an_exhausted_monthly_quota_fails_every_call_at_once_then_is_probed_again() -> None:
    clock = FastForwardClock()
    lim = limiter(clock)
    answer(
        lim,
        grant(lim),
        x_ratelimit_limit_tokens_month="1000000",
        x_ratelimit_remaining_tokens_month="0",
    )
    with pytest.raises(QuotaExceededError) as caught:
        lim.acquire()
    assert isinstance(caught.value, RateLimitError)
    assert "monthly tokens quota of 1,000,000 is used up" in caught.value.message
    clock.sleep(601)
    grant(lim)  # one probe, ten minutes later


def test_a_429_reporting_an_exhausted_month_raises_quota_exceeded_at_once() -> None:
    from mistral_lca._response import error_from_response

    lim = limiter()
    pacing = CallPacing(lim, 600, "/v1/chat/completions", 10)
    assert list(pacing.admission()) == []
    body = b'{"message":"Rate limit exceeded","provider":"mistralai","error":{"object":"error","message":"Rate limit exceeded","type":"rate_limited","code":"1300"},"headers":{"x-ratelimit-limit-req-month":"5000","x-ratelimit-remaining-req-month":"0"}}'
    error = error_from_response(429, {"content-type": "application/json"}, body)
    with pytest.raises(QuotaExceededError) as caught:
        pacing.failed(error)
    assert caught.value.status_code == 429 and caught.value.code == "1300"
    assert "monthly requests quota of 5,000 is used up" in caught.value.message


# ------------------------------------------------------------------------------------------------ per call


def test_a_call_waits_out_429s_within_rate_limit_wait_and_then_raises_the_last_one() -> None:
    from mistral_lca._response import error_from_response

    clock = FastForwardClock()
    lim = limiter(clock)
    pacing = CallPacing(lim, 10, "/v1/chat/completions", 0)
    waited: list[float] = []
    error = error_from_response(429, {"retry-after": "4"}, b'{"message": "slow down"}')
    with pytest.raises(RateLimitError) as caught:
        for _ in range(10):
            for delay in pacing.admission():
                waited.append(delay)
                clock.sleep(delay)
            assert pacing.failed(error) is True
    assert caught.value is error  # the server's 429, not a message of ours
    assert waited == [4.0, 4.0]  # a third wait would pass 10 s
    assert pacing.left == pytest.approx(2.0)


def test_rate_limit_wait_zero_raises_the_first_429() -> None:
    from mistral_lca._response import error_from_response

    lim = limiter()
    pacing = CallPacing(lim, 0, "/v1/chat/completions", 0)
    assert list(pacing.admission()) == []
    error = error_from_response(429, {}, b'{"message": "slow down"}')
    with pytest.raises(RateLimitError) as caught:
        pacing.failed(error)
    assert caught.value is error


def test_other_failures_give_the_permit_back_and_are_left_to_the_retry_policy() -> None:
    from mistral_lca import APIConnectionError

    lim = limiter()
    pacing = CallPacing(lim, 600, "/v1/chat/completions", 0)
    for _ in pacing.admission():
        pass
    assert pacing.failed(APIConnectionError("reset")) is False
    pacing.release()  # idempotent
    assert lim.concurrency == 4  # nothing answered yet
    assert all(isinstance(lim.acquire(), Permit) for _ in range(4))


# ------------------------------------------------------------------------------------------------ caps


def test_a_requests_per_second_cap_paces_evenly_without_bursts() -> None:
    clock = FastForwardClock()
    lim = limiter(clock, requests_per_second=4)
    grant(lim)
    assert must_wait(lim).seconds == pytest.approx(0.25)
    clock.sleep(0.25)
    grant(lim)


def test_a_tokens_per_minute_cap_counts_estimated_tokens() -> None:
    lim = limiter(tokens_per_minute=1000)
    grant(lim, 600)
    grant(lim, 400)
    assert must_wait(lim, 1).seconds == pytest.approx(60.0)
    assert isinstance(lim.acquire(0), Permit)


def test_the_lowest_cap_given_for_a_key_wins() -> None:
    lim = limiter(requests_per_second=4, tokens_per_minute=1000)
    lim.add_caps(requests_per_second=10, tokens_per_minute=5000)
    lim.add_caps(requests_per_second=2, tokens_per_minute=500)
    windows = lim.snapshot().windows
    assert (windows["cap:requests"].limit, windows["cap:requests"].period) == (1, 0.5)
    assert windows["cap:tokens"].limit == 500


@pytest.mark.parametrize("bad", [0, -1, float("inf"), "2", True])
def test_bad_caps_are_configuration_errors(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="requests_per_second"):
        RateLimiter(requests_per_second=bad)
    with pytest.raises(ConfigurationError, match="tokens_per_minute"):
        RateLimiter(tokens_per_minute=bad)


# ------------------------------------------------------------------------------------------------ sharing


def test_one_shared_limiter_per_token_and_base_url() -> None:
    forget_shared_rate_limiters()
    one = shared_rate_limiter(TOKEN, URL)
    assert shared_rate_limiter(TOKEN, URL) is one
    assert shared_rate_limiter(TOKEN, URL + "/other") is not one
    assert shared_rate_limiter("at_another_token", URL) is not one
    key = limiter_key(TOKEN, URL)
    assert TOKEN not in key and "SECRET" not in repr(one) and key[:8] in repr(one)


def test_every_client_of_a_token_shares_the_limiter_and_caps_apply_to_the_key() -> None:
    from mistral_lca import AsyncMistralLCAClient, MistralLCAClient

    forget_shared_rate_limiters()
    sync = MistralLCAClient(api_token=TOKEN, base_url=URL)
    capped = AsyncMistralLCAClient(api_token=TOKEN, base_url=URL, requests_per_second=2)
    own = RateLimiter()
    alone = MistralLCAClient(api_token=TOKEN, base_url=URL, rate_limiter=own)
    assert sync.rate_limiter is capped.rate_limiter is not own
    assert alone.rate_limiter is own
    assert sync.rate_limiter.snapshot().windows["cap:requests"].period == 0.5
    with pytest.raises(TypeError, match=r"rate_limiter must be a mistral_lca\.RateLimiter"):
        MistralLCAClient(api_token=TOKEN, base_url=URL, rate_limiter=object())  # type: ignore[arg-type]


def test_the_shared_limiter_lives_as_long_as_a_client_uses_it() -> None:
    from mistral_lca import MistralLCAClient
    from mistral_lca.ratelimit import _SHARED

    forget_shared_rate_limiters()
    client = MistralLCAClient(api_token=TOKEN, base_url=URL)
    key = limiter_key(TOKEN, URL)
    assert _SHARED[key] is client.rate_limiter
    del client
    gc.collect()
    assert key not in _SHARED  # nothing learned for a token outlives its last client


def test_a_limiter_is_not_picklable() -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(RateLimiter())


def test_a_custom_store_receives_every_transaction() -> None:
    class CountingStore(InMemoryRateLimitStore):
        def __init__(self) -> None:
            super().__init__()
            self.keys: list[str] = []

        def transact(self, key: str, change: Callable[[LimiterState], Any]) -> Any:
            self.keys.append(key)
            return super().transact(key, change)

    store = CountingStore()
    assert isinstance(store, RateLimitStore)
    lim = RateLimiter(store=store, key="team-a", requests_per_second=1)
    answer(lim, grant(lim))
    assert set(store.keys) == {"team-a"} and len(store.keys) >= 3


# ------------------------------------------------------------------------------------------------ threads


def test_threads_never_exceed_a_learned_window_and_leave_nothing_in_flight() -> None:
    lim = RateLimiter()  # the real clock: threads really race
    answer(lim, grant(lim), x_ratelimit_limit_req_second="20", x_ratelimit_remaining_req_second="19")
    sent: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(4):
            while True:
                decision = lim.acquire()
                if isinstance(decision, Permit):
                    break
                threading.Event().wait(decision.seconds)
            with lock:
                sent.append(decision.granted_at)
            lim.on_response(decision, {}, 200)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sent) == 32
    for start in sent:
        assert sum(start <= t < start + 1.0 for t in sent) <= 20
    assert lim.concurrency >= 1 and lim._local.in_flight == 0


# ------------------------------------------------------------------------------------------------ processes

_WORKER = """
import json, sys, time
from mistral_lca.ratelimit import RateLimiter, SqliteRateLimitStore, Permit
limiter = RateLimiter(store=SqliteRateLimitStore(sys.argv[1]), key="shared-key", requests_per_second=20)
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
sent = []
while len(sent) < 15:
    decision = limiter.acquire()
    if isinstance(decision, Permit):
        sent.append(decision.granted_at)
        limiter.on_response(decision, {}, 200)
    else:
        time.sleep(decision.seconds)
print(json.dumps(sent))
"""


def test_two_processes_sharing_an_sqlite_store_pace_as_one(tmp_path: Any) -> None:
    import json
    import subprocess
    import sys
    import time

    path = str(tmp_path / "limits.sqlite")
    start = time.time() + 1.5  # both start together, after their imports
    workers = [
        subprocess.Popen([sys.executable, "-c", _WORKER, path, str(start)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=60)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]
    sent = sorted(t for output in outputs for t in json.loads(output))
    assert len(sent) == 30
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 0.05 - 1e-6  # one request per 1/20 s across both processes, never two at once
    assert sent[-1] - sent[0] >= 29 * 0.05 - 1e-6  # alone, each would have needed only half the time


def test_the_sqlite_store_rolls_back_a_failed_change(tmp_path: Any) -> None:
    from mistral_lca.ratelimit import SqliteRateLimitStore

    store = SqliteRateLimitStore(tmp_path / "limits.sqlite")

    def block(state: LimiterState) -> None:
        state.blocked_until = 99.0

    def fail(state: LimiterState) -> None:
        state.blocked_until = 500.0
        raise RuntimeError("boom")

    store.transact("k", block)
    with pytest.raises(RuntimeError):
        store.transact("k", fail)
    assert store.transact("k", lambda state: state.blocked_until) == 99.0
    assert store.transact("other", lambda state: state.blocked_until) == 0.0
    assert isinstance(store, RateLimitStore) and "limits.sqlite" in repr(store)


def test_a_shared_store_is_used_by_the_shared_limiters(tmp_path: Any) -> None:
    from mistral_lca.ratelimit import SqliteRateLimitStore, set_shared_store

    store = SqliteRateLimitStore(tmp_path / "limits.sqlite")
    set_shared_store(store)
    try:
        lim = shared_rate_limiter(TOKEN, URL, requests_per_second=2)
        key = limiter_key(TOKEN, URL)
        assert store.transact(key, lambda state: state.windows["cap:requests"].period) == 0.5
    finally:
        set_shared_store(None)
    assert shared_rate_limiter(TOKEN, URL) is not lim
