"""MistralModerationMiddleware's pure half: which messages are judged, in which conversation, and what a verdict
does. No network: results are built by hand (the agent-level tests run against the stand-in)."""

from __future__ import annotations

import pickle
import re
import warnings
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_mistral_lca.middleware import MistralModerationError
from langchain_mistral_lca.middleware._moderation_checks import (
    DEFAULT_VIOLATION_MESSAGE,
    ModerationCheck,
    ModerationPolicy,
    checked_template,
    final_tool_checks,
    input_checks,
    moderation_inputs,
    output_checks,
    selected_categories,
)
from mistral_lca import ResponseDecodeError
from mistral_lca.types.classifiers import ModerationObject

TOOL_ID = re.compile(r"^[A-Za-z0-9]{9}$")
IMAGE = {"type": "image", "url": "https://example.com/cat.png"}
VIOLENCE = "I can't help with that: it was flagged by moderation for violence and threats."


def result(*flagged: str, scores: dict[str, float] | None = None) -> ModerationObject:
    names = ["sexual", "violence_and_threats", "pii", *flagged]
    return ModerationObject(
        categories={name: name in flagged for name in names},
        category_scores=scores or {name: (0.9 if name in flagged else 0.01) for name in names},
    )


def call(name: str, call_id: str, **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def tool_turn() -> list[Any]:
    return [
        HumanMessage("Check the news and the weather.", id="h1"),
        AIMessage(
            "Looking both up.",
            id="a1",
            tool_calls=[call("news", "call_news_0001", topic="Paris"), call("weather", "call_wx_0002", city="Paris")],
        ),
        ToolMessage("Rebels plan an attack.", tool_call_id="call_news_0001", name="news", id="t1"),
        ToolMessage("Sunny, 24 C.", tool_call_id="call_wx_0002", name="weather", id="t2"),
    ]


def policy(exit_behavior: Any = "end", template: str | None = None, categories: Any = None) -> ModerationPolicy:
    return ModerationPolicy(exit_behavior, checked_template(template), selected_categories(categories))


# ----------------------------------------------------------------------------------- which messages


def test_input_is_the_new_user_message_judged_after_the_history() -> None:
    messages = [
        SystemMessage("Be brief."),
        HumanMessage("Hi"),
        AIMessage("Hello!"),
        HumanMessage("What is the capital of France?"),
    ]
    [check] = input_checks(messages, check_input=True, check_tool_results=False)
    assert (check.stage, check.index, check.text) == ("input", 3, "What is the capital of France?")
    assert check.conversation == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "What is the capital of France?"},
    ]


def test_a_user_message_is_judged_once_not_on_every_step_of_the_tool_loop() -> None:
    messages = tool_turn()
    assert input_checks(messages, check_input=True, check_tool_results=False) == []
    assert [c.index for c in input_checks(messages[:1], check_input=True, check_tool_results=False)] == [0]


def test_every_new_user_message_of_the_turn_is_judged() -> None:
    messages = [AIMessage("Hello!"), HumanMessage("first"), HumanMessage("second")]
    checks = input_checks(messages, check_input=True, check_tool_results=False)
    assert [(c.index, c.text) for c in checks] == [(1, "first"), (2, "second")]
    assert [m["content"] for m in checks[0].conversation] == ["Hello!", "first"]  # what came before, in order


def test_tool_results_of_the_turn_each_end_their_own_conversation() -> None:
    messages = tool_turn()
    checks = input_checks(messages, check_input=True, check_tool_results=True)
    assert [(c.stage, c.index) for c in checks] == [("tool", 2), ("tool", 3)]
    first, second = (c.conversation for c in checks)
    # The first result is moved after its sibling: every call is still answered, and the judged one is last.
    assert [m["role"] for m in first] == ["user", "assistant", "tool", "tool"]
    assert first[-1]["content"] == "Rebels plan an attack." and first[-2]["content"] == "Sunny, 24 C."
    assert second[-1]["content"] == "Sunny, 24 C." and second[-2]["content"] == "Rebels plan an attack."
    calls = first[1]["tool_calls"]
    assert all(TOOL_ID.match(c["id"]) for c in calls)
    assert {m["tool_call_id"] for m in first[2:]} == {c["id"] for c in calls}  # ids paired like chat
    assert first[1]["content"] == "Looking both up."  # the text of a tool-calling turn is context too
    assert moderation_inputs(checks) == [first, second]  # one request, one conversation per check


def test_tool_results_only_when_asked() -> None:
    assert input_checks(tool_turn(), check_input=True, check_tool_results=False) == []
    assert len(input_checks(tool_turn(), check_input=False, check_tool_results=True)) == 2


def test_final_tool_results_are_those_the_agent_ended_on() -> None:
    messages = tool_turn()
    assert [(c.stage, c.index) for c in final_tool_checks(messages)] == [("tool", 2), ("tool", 3)]
    assert final_tool_checks([*messages, AIMessage("done")]) == []
    assert final_tool_checks([]) == []


def test_output_is_the_latest_answer_in_its_conversation() -> None:
    messages = [*tool_turn(), AIMessage("Stay safe: rebels plan an attack.", id="a2")]
    [check] = output_checks(messages)
    assert (check.stage, check.index, check.text) == ("output", 4, "Stay safe: rebels plan an attack.")
    assert check.conversation[-1] == {"role": "assistant", "content": "Stay safe: rebels plan an attack."}
    assert "prefix" not in check.conversation[-1]  # a chat prefix flag means nothing to moderation
    assert [m["role"] for m in check.conversation] == ["user", "assistant", "tool", "tool", "assistant"]
    assert moderation_inputs([check]) == check.conversation  # a single check is sent as one conversation


def test_answer_with_text_and_tool_calls_is_judged_on_its_text() -> None:
    answer = AIMessage("I will hurt them.", tool_calls=[call("send", "call_x")])
    [check] = output_checks([HumanMessage("hi"), answer])
    assert check.text == "I will hurt them."
    assert check.conversation[-1]["content"] == "I will hurt them." and check.conversation[-1]["tool_calls"]


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [HumanMessage("hi")],  # no answer yet
        [HumanMessage("hi"), AIMessage("", tool_calls=[call("f", "abcDEF123")])],  # tool calls without text
        [HumanMessage("hi"), AIMessage([IMAGE])],  # no text at all
        [HumanMessage("hi"), AIMessage([{"type": "reasoning", "reasoning": "hmm"}])],  # reasoning is not text
    ],
    ids=["empty", "no-answer", "tool-calls-only", "image-only", "reasoning-only"],
)
def test_nothing_to_judge_in_the_output(messages: list[Any]) -> None:
    assert output_checks(messages) == []


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [HumanMessage([IMAGE])],
        [HumanMessage("")],
        [AIMessage("", tool_calls=[call("f", "abcDEF123")]), ToolMessage([IMAGE], tool_call_id="abcDEF123")],
        [AIMessage("only an answer")],
    ],
    ids=["empty", "image-only", "empty-text", "image-tool-result", "no-new-input"],
)
def test_nothing_to_judge_in_the_input(messages: list[Any]) -> None:
    assert input_checks(messages, check_input=True, check_tool_results=True) == []


def test_multimodal_messages_are_judged_on_their_text_only() -> None:
    messages = [
        HumanMessage([{"type": "text", "text": "Describe this:"}, IMAGE], id="h0"),
        AIMessage([{"type": "reasoning", "reasoning": "a cat"}, {"type": "text", "text": "A cat."}], id="a0"),
        HumanMessage([IMAGE, {"type": "text", "text": "And this one?"}, {"type": "file", "url": "https://x/a.pdf"}]),
    ]
    [check] = input_checks(messages, check_input=True, check_tool_results=False)
    assert check.text == "And this one?"
    assert check.conversation == [
        {"role": "user", "content": "Describe this:"},
        {"role": "assistant", "content": "A cat."},
        {"role": "user", "content": "And this one?"},
    ]


def test_messages_mistral_chat_has_no_role_for_are_left_out_of_the_context() -> None:
    messages = [ChatMessage("an aside", role="narrator"), ChatMessage("Hello", role="assistant"), HumanMessage("Hi")]
    [check] = input_checks(messages, check_input=True, check_tool_results=False)
    assert check.conversation == [{"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Hi"}]


def test_tool_results_without_ids_pair_with_their_calls() -> None:
    messages = [
        HumanMessage("go"),
        AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": None, "type": "tool_call"}]),
        ToolMessage("done", tool_call_id=""),
    ]
    [check] = input_checks(messages, check_input=False, check_tool_results=True)
    assistant, tool = check.conversation[1:]
    assert TOOL_ID.match(tool["tool_call_id"]) and tool["tool_call_id"] == assistant["tool_calls"][0]["id"]


# ------------------------------------------------------------------------------------------- verdicts


def check_of(messages: list[Any], stage: Any = "input", index: int = 0) -> ModerationCheck:
    text = str(messages[index].text)
    return ModerationCheck(stage, index, text, [{"role": "user", "content": text}])


def test_not_flagged_means_no_update() -> None:
    messages = [HumanMessage("hello", id="h")]
    assert policy().apply(messages, [check_of(messages)], [result()]) is None
    assert policy().apply(messages, [], []) is None


@pytest.mark.parametrize("stage", ["input", "tool"])
def test_end_on_input_or_tool_keeps_the_message_and_appends_the_verdict(stage: str) -> None:
    messages = [HumanMessage("I will hurt you", id="h")]
    update = policy("end").apply(messages, [check_of(messages, stage)], [result("violence_and_threats")])
    assert update is not None and update["jump_to"] == "end"
    [verdict] = update["messages"]
    assert isinstance(verdict, AIMessage) and verdict.id is None and not verdict.tool_calls
    assert verdict.content == "I can't help with that: it was flagged by moderation for violence and threats."


def test_end_when_the_agent_is_already_ending_adds_the_verdict_without_a_jump() -> None:
    messages = [ToolMessage("I will hurt you", tool_call_id="abcDEF123", id="t")]
    update = policy("end").apply(messages, [check_of(messages, "tool")], [result("violence_and_threats")], ending=True)
    assert update is not None and "jump_to" not in update and update["messages"][0].text == VIOLENCE


def test_end_on_output_takes_the_flagged_answers_place() -> None:
    answer = AIMessage("I will hurt you", id="answer-1", tool_calls=[call("send", "abcDEF123")])
    messages = [HumanMessage("hi", id="h"), answer]
    update = policy("end").apply(messages, [check_of(messages, "output", 1)], [result("violence_and_threats")])
    assert update is not None and update["jump_to"] == "end"
    [verdict] = update["messages"]
    assert verdict.id == "answer-1"  # same id: the state reducer replaces the answer
    assert "hurt" not in verdict.text and not verdict.tool_calls  # no dangling tool calls left in the history


@pytest.mark.parametrize("stage", ["input", "output", "tool"])
def test_replace_swaps_the_content_and_keeps_the_message(stage: str) -> None:
    original: Any = {
        "input": HumanMessage("I will hurt you", id="m"),
        "output": AIMessage("I will hurt you", id="m", tool_calls=[call("f", "abcDEF123")]),
        "tool": ToolMessage("I will hurt you", tool_call_id="abcDEF123", id="m"),
    }[stage]
    messages = [original]
    update = policy("replace", "[removed: {categories}]").apply(
        messages, [check_of(messages, stage)], [result("violence_and_threats")]
    )
    assert update is not None and "jump_to" not in update
    [replaced] = update["messages"]
    assert type(replaced) is type(original) and replaced.id == "m"
    assert replaced.content == "[removed: violence and threats]"
    if stage == "output":
        assert replaced.tool_calls == original.tool_calls
    assert original.content == "I will hurt you"  # the state's own message is not mutated


def test_replace_handles_every_flagged_message_of_the_step() -> None:
    messages = tool_turn()
    checks = input_checks(messages, check_input=True, check_tool_results=True)
    update = policy("replace").apply(messages, checks, [result("violence_and_threats"), result("pii")])
    assert update is not None
    assert [(m.id, m.text) for m in update["messages"]] == [
        ("t1", "I can't help with that: it was flagged by moderation for violence and threats."),
        ("t2", "I can't help with that: it was flagged by moderation for pii."),
    ]


@pytest.mark.parametrize("stage", ["input", "output", "tool"])
def test_error_raises_with_the_stage_and_result(stage: Any) -> None:
    messages = [HumanMessage("my ssn is 123", id="h")]
    verdict = result("pii")
    with pytest.raises(MistralModerationError) as caught:
        policy("error", "{categories}: {original_content}").apply(messages, [check_of(messages, stage)], [verdict])
    error = caught.value
    assert (error.stage, error.result, error.content, error.categories) == (stage, verdict, "my ssn is 123", ["pii"])
    assert str(error) == "pii: my ssn is 123"
    assert isinstance(error, RuntimeError)


def test_error_and_end_stop_at_the_first_flagged_message() -> None:
    messages = tool_turn()
    checks = input_checks(messages, check_input=True, check_tool_results=True)
    with pytest.raises(MistralModerationError) as caught:
        policy("error").apply(messages, checks, [result(), result("pii")])
    assert caught.value.content == "Sunny, 24 C."
    update = policy("end", "{original_content}").apply(messages, checks, [result("pii"), result("sexual")])
    assert update is not None and update["messages"][0].content == "Rebels plan an attack."


def test_only_selected_categories_count() -> None:
    messages = [HumanMessage("x", id="h")]
    only_pii = policy("error", categories=["pii"])
    assert only_pii.apply(messages, [check_of(messages)], [result("violence_and_threats")]) is None
    with pytest.raises(MistralModerationError) as caught:
        only_pii.apply(messages, [check_of(messages)], [result("violence_and_threats", "pii")])
    assert caught.value.categories == ["pii"]  # the unselected flag is not reported either


def test_template_fields() -> None:
    messages = [HumanMessage("call 555-0100", id="h")]
    verdict = result("pii", "violence_and_threats", scores={"pii": 0.93, "sexual": 0.01, "violence_and_threats": 0.6})
    template = "{categories} | {category_scores} | {original_content} | {{literal}}"
    update = policy("end", template).apply(messages, [check_of(messages)], [verdict])
    assert update is not None
    assert update["messages"][0].content == (
        'violence and threats, pii | {"pii": 0.93, "sexual": 0.01, "violence_and_threats": 0.6} '
        "| call 555-0100 | {literal}"
    )
    selected = policy("end", "{category_scores}", ["pii"]).apply(messages, [check_of(messages)], [verdict])
    assert selected is not None and selected["messages"][0].content == '{"pii": 0.93}'  # the selected ones


def test_a_selected_category_the_results_never_carry_is_reported() -> None:
    messages = [HumanMessage("x", id="h")]
    with pytest.warns(UserWarning, match=r"no category 'violence'.*can never"):
        policy(categories=["violence", "pii"]).apply(messages, [check_of(messages)], [result()])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        policy(categories=["pii"]).apply(messages, [check_of(messages)], [result()])  # present: no warning
        policy().apply(messages, [check_of(messages)], [result()])


def test_unknown_categories_in_results_count_by_default() -> None:
    messages = [HumanMessage("x", id="h")]
    update = policy().apply(messages, [check_of(messages)], [result("jailbreaking")])
    assert update is not None and "jailbreaking" in update["messages"][0].content


def test_a_result_count_that_does_not_match_is_an_error() -> None:
    messages = tool_turn()
    checks = input_checks(messages, check_input=True, check_tool_results=True)
    with pytest.raises(ResponseDecodeError, match="1 results for 2 conversations"):
        policy().apply(messages, checks, [result()])


# ------------------------------------------------------------------------------------ settings checks


def test_default_template() -> None:
    assert checked_template(None) == DEFAULT_VIOLATION_MESSAGE
    assert checked_template("plain text") == "plain text"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("flagged: {reason}", r"unknown field \{reason\}"),
        ("flagged: {0}", "not a valid template"),
        ("flagged: {}", "not a valid template"),
        ("flagged: {categories", "not a valid template"),
        ("flagged: {categories:d}", "not a valid template"),
    ],
)
def test_a_bad_template_is_refused_up_front(template: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected) as caught:
        checked_template(template)
    assert "{categories}, {category_scores}, {original_content}" in str(caught.value)


def test_template_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="must be a string"):
        checked_template(42)  # type: ignore[arg-type]


def test_categories_selection_is_validated() -> None:
    assert selected_categories(None) is None
    assert selected_categories(("pii", "pii", "jailbreaking")) == {"pii", "jailbreaking"}
    with pytest.raises(TypeError, match=r"list of category names such as \['pii'\]"):
        selected_categories("pii")
    with pytest.raises(ValueError, match="empty"):
        selected_categories([])
    with pytest.raises(TypeError, match="non-empty strings"):
        selected_categories(["pii", ""])
    with pytest.raises(TypeError, match="non-empty strings"):
        selected_categories(["pii", 3])  # type: ignore[list-item]


def test_the_error_pickles_with_its_details() -> None:
    error = MistralModerationError("output", result("pii"), "my ssn", ["pii"], "flagged for pii")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.stage, copy.result, copy.content, copy.categories, str(copy)) == (
        "output",
        error.result,
        "my ssn",
        ["pii"],
        "flagged for pii",
    )
    default = MistralModerationError("input", result("pii", "sexual"))
    assert (
        default.categories == ["sexual", "pii"]
        and str(default) == "Mistral moderation flagged the input for sexual, pii"
    )
