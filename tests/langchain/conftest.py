"""Fixtures for the LangChain adapter tests.

Cassette matching here is the project's (``lca_body``) with one refinement: chat bodies compare tool-call ids
by their pattern, not their value. LangChain helpers such as ``tool_example_to_messages`` mint random ids on
every run; what must hold is that the same ids appear in the same places (the assistant call and the tool
result that answers it), which the canonical form keeps.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

_LC_MATCHER = "lc_body"
_LOCAL_HOST = re.compile(r"^127\.0\.0\.1(:\d+)?$")
_PUBLIC_HOST = "api.lowcodeapi.com"


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    """Run a test once on the sync path and once on the async path (parity)."""
    return str(request.param)


def _json_body(request: Any) -> Any:
    content_type = request.headers.get("content-type", request.headers.get("Content-Type", "")) or ""
    if "json" not in content_type:
        return None
    body = request.body or b""
    try:
        return json.loads(body.decode() if isinstance(body, bytes) else body)
    except ValueError:
        return None


def canonical_tool_ids(body: Any) -> Any:
    """``body`` with every tool-call id replaced by ``id<n>`` in order of first appearance."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return body
    body = copy.deepcopy(body)
    names: dict[str, str] = {}

    def canonical(value: Any) -> Any:
        return names.setdefault(value, f"id{len(names)}") if isinstance(value, str) else value

    for message in body["messages"]:
        if not isinstance(message, dict):
            continue
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict) and "id" in call:
                call["id"] = canonical(call["id"])
        if "tool_call_id" in message:
            message["tool_call_id"] = canonical(message["tool_call_id"])
    return body


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    def match(r1: Any, r2: Any) -> None:
        left, right = _json_body(r1), _json_body(r2)
        if isinstance(left, dict) and isinstance(right, dict) and "messages" in left:
            assert canonical_tool_ids(left) == canonical_tool_ids(right)
            return
        vcr.matchers["lca_body"](r1, r2)

    vcr.register_matcher(_LC_MATCHER, match)


@pytest.fixture(scope="session")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The project's cassette settings, with ``lc_body`` in place of ``lca_body``.

    Recordings against the local stand-in also get the public ``Host`` header (the project hook rewrites
    the URI only), so no local address or port ends up in a cassette.
    """
    match_on = [_LC_MATCHER if name == "lca_body" else name for name in vcr_config["match_on"]]
    rewrite = vcr_config.get("before_record_request")

    def before_record_request(request: Any) -> Any:
        request = rewrite(request) if rewrite else request
        if request is not None and "host" in request.headers and _LOCAL_HOST.match(request.headers["host"]):
            request.headers["host"] = _PUBLIC_HOST
        return request

    return {**vcr_config, "match_on": match_on, "before_record_request": before_record_request}
