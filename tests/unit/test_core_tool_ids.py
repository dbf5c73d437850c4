"""Tool-call ids: Mistral accepts exactly 9 characters of [a-zA-Z0-9]; others map deterministically."""

from __future__ import annotations

import pytest

from mistral_lca.tool_ids import is_mistral_tool_call_id, new_tool_call_id, to_mistral_tool_call_id


def test_valid_ids_pass_through() -> None:
    assert to_mistral_tool_call_id("g6fVbXS8K") == "g6fVbXS8K"


@pytest.mark.parametrize("value", ["call_JIIjI55tTipFFzpcP8re3BpM", "6a1b4c2e-0000-4000-8000-000000000000", "x", ""])
def test_other_ids_map_to_stable_valid_ids(value: str) -> None:
    mapped = to_mistral_tool_call_id(value)
    assert is_mistral_tool_call_id(mapped)
    assert mapped == to_mistral_tool_call_id(value)


def test_mapping_matches_langchain_mistralai_so_histories_move_between_integrations() -> None:
    assert to_mistral_tool_call_id("call_JIIjI55tTipFFzpcP8re3BpM") == "8kxAQvoED"


def test_new_ids_are_valid_and_distinct() -> None:
    ids = {new_tool_call_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(is_mistral_tool_call_id(i) for i in ids)


def test_pairing_gives_idless_calls_and_results_the_same_id_in_order() -> None:
    from mistral_lca.tool_ids import ToolCallIdPairing

    pairing = ToolCallIdPairing()
    first = pairing.for_call(None, 1, 0, "a")
    second = pairing.for_call("", 1, 1, "b")
    kept = pairing.for_call("call_abc", 1, 2, "c")
    assert first != second
    assert kept == to_mistral_tool_call_id("call_abc")
    assert pairing.for_result("") == first
    assert pairing.for_result(None) == second
    assert pairing.for_result(None) is None
    assert pairing.for_result("call_abc") == kept
    assert ToolCallIdPairing().for_call(None, 1, 0, "a") == first  # deterministic
