"""``mistral_lca.conversation_fold``: one turn, whole or streamed, folded into parts, citations and calls."""

from __future__ import annotations

from typing import Any

import pytest

from mistral_lca import StreamError
from mistral_lca.conversation_fold import ConversationFold, fold_response
from mistral_lca.conversation_parts import Citation, FilePart, OtherPart, TextPart, ThinkingPart, ToolExecutionPart
from mistral_lca.resources.conversations import response_to_events
from mistral_lca.types.conversations import ConversationEvent, ConversationResponse, parse_conversation_event

REF_A = {"type": "tool_reference", "tool": "web_search", "title": "A", "url": "https://a.example", "source": "brave"}
REF_B = {"type": "tool_reference", "tool": "web_search", "title": "B", "url": "https://b.example"}
WEB_RESPONSE: dict[str, Any] = {
    "conversation_id": "conv_1",
    "outputs": [
        {
            "type": "tool.execution",
            "id": "te_1",
            "name": "web_search",
            "arguments": '{"query": "tour winner"}',
            "info": {"results": 2},
            "model": "mistral-medium-2505",
        },
        {
            "type": "message.output",
            "id": "msg_1",
            "model": "mistral-medium-2505",
            "content": [
                {"type": "text", "text": "Pogačar won."},
                REF_A,
                REF_B,
                {"type": "text", "text": " Again."},
                REF_B,
            ],
        },
    ],
    "usage": {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12, "connector_tokens": 30},
}


def events(*items: dict[str, Any]) -> list[ConversationEvent]:
    return [parse_conversation_event(item["type"], item) for item in items]


def started(conversation_id: str = "conv_1") -> dict[str, Any]:
    return {"type": "conversation.response.started", "conversation_id": conversation_id}


def done(**usage: int) -> dict[str, Any]:
    return {"type": "conversation.response.done", "usage": usage or {"prompt_tokens": 1, "total_tokens": 2}}


def delta(content: Any, entry: str = "msg_1", index: int = 0) -> dict[str, Any]:
    return {"type": "message.output.delta", "id": entry, "output_index": index, "content": content}


def test_whole_answer_folds_into_parts_in_order() -> None:
    fold, everything = fold_response(ConversationResponse.model_validate(WEB_RESPONSE))
    assert [type(part) for part in fold.parts] == [ToolExecutionPart, TextPart]
    tool = fold.parts[0]
    assert isinstance(tool, ToolExecutionPart)
    assert (tool.id, tool.name, tool.parsed_arguments(), tool.info) == (
        "te_1",
        "web_search",
        {"query": "tour winner"},
        {"results": 2},
    )
    assert tool.entry() == {
        "type": "tool.execution",
        "id": "te_1",
        "name": "web_search",
        "arguments": '{"query": "tour winner"}',
        "info": {"results": 2},
    }
    assert fold.text == "Pogačar won. Again."
    assert fold.conversation_id == "conv_1" and fold.model == "mistral-medium-2505"
    assert fold.usage is not None and fold.usage.connector_tokens == 30
    assert fold.done
    # the single delta of a whole answer holds everything
    assert everything.done and everything.conversation_id == "conv_1" and everything.text == fold.text
    assert list(everything.parts) == [0, 1]


def test_references_cite_the_text_before_them_and_share_a_span_in_a_row() -> None:
    fold, _ = fold_response(ConversationResponse.model_validate(WEB_RESPONSE))
    text = fold.parts[1]
    assert isinstance(text, TextPart)
    spans = [(c.title, c.start_index, c.end_index) for c in text.citations]
    assert spans == [("A", 0, 12), ("B", 0, 12), ("B", 12, 19)]
    assert text.text[0:12] == "Pogačar won." and text.text[12:19] == " Again."
    first = text.citations[0]
    assert first.fields() == {"title": "A", "url": "https://a.example", "tool": "web_search", "source": "brave"}


def test_citation_offsets_point_into_the_whole_reply_text() -> None:
    fold = ConversationFold()
    fold.add(
        events(
            started(),
            delta("Intro. ", entry="msg_1", index=0),
            {"type": "tool.execution.started", "id": "te", "output_index": 1, "name": "web_search", "arguments": "{}"},
            {"type": "tool.execution.done", "id": "te", "output_index": 1, "name": "web_search", "info": {}},
            delta("Found it.", entry="msg_2", index=2),
            delta(REF_A, entry="msg_2", index=2),
            done(),
        )
    )
    assert [type(p) for p in fold.parts] == [TextPart, ToolExecutionPart, TextPart]
    second = fold.parts[2]
    assert isinstance(second, TextPart)
    assert second.offset == len("Intro. ")
    assert (second.citations[0].start_index, second.citations[0].end_index) == (0, 9)
    [whole] = fold.citations
    assert fold.text[whole.start_index : whole.end_index] == "Found it."


def test_streamed_pieces_fold_to_the_whole_answer_whatever_the_reads() -> None:
    response = ConversationResponse.model_validate(WEB_RESPONSE)
    whole, _ = fold_response(response)
    wire = [
        started(),
        {"type": "tool.execution.started", "id": "te_1", "output_index": 0, "name": "web_search", "arguments": '{"que'},
        {
            "type": "tool.execution.delta",
            "id": "te_1",
            "output_index": 0,
            "name": "web_search",
            "arguments": 'ry": "tour',
        },
        {
            "type": "tool.execution.delta",
            "id": "te_1",
            "output_index": 0,
            "name": "web_search",
            "arguments": ' winner"}',
        },
        {"type": "tool.execution.done", "id": "te_1", "output_index": 0, "name": "web_search", "info": {"results": 2}},
        delta("Pog", index=1),
        delta("ačar won.", index=1),
        delta(REF_A, index=1),
        delta(REF_B, index=1),
        delta(" Again.", index=1),
        delta(REF_B, index=1),
        done(prompt_tokens=7, completion_tokens=5, total_tokens=12),
    ]
    for read_size in (1, 2, 5, len(wire)):
        fold = ConversationFold()
        texts = []
        for start in range(0, len(wire), read_size):
            texts.append(fold.add(events(*wire[start : start + read_size])).text)
        assert fold.parts == whole.parts, read_size
        assert "".join(texts) == whole.text


def test_deltas_carry_only_what_is_new() -> None:
    fold = ConversationFold()
    first = fold.add(events(started(), delta("Hello")))
    assert first.conversation_id == "conv_1"
    assert first.parts == {0: TextPart("Hello", [], 0)}
    second = fold.add(events(delta(" world"), delta(REF_A)))
    assert second.conversation_id is None
    [(index, piece)] = second.parts.items()
    assert index == 0 and isinstance(piece, TextPart)
    assert piece.text == " world" and [c.title for c in piece.citations] == ["A"]
    assert piece.citations[0] == Citation(0, 11, "A", "https://a.example", "web_search", "brave")
    last = fold.add(events(done()))
    assert last.done and last.usage is not None and not last.parts
    assert not fold.add(events({"type": "conversation.response.something_new", "x": 1}))  # nothing new: falsy


def test_thinking_files_and_other_chunks_become_their_own_parts() -> None:
    fold = ConversationFold()
    fold.add(
        events(
            delta({"type": "thinking", "thinking": [{"type": "text", "text": "Let me "}]}),
            delta({"type": "thinking", "thinking": [{"type": "text", "text": "think."}], "signature": "sig"}),
            delta("Here."),
            delta({"type": "tool_file", "tool": "image_generation", "file_id": "f1", "file_type": "png"}),
            delta({"type": "image_url", "image_url": "https://img.example/x.png"}),
            done(),
        )
    )
    thinking, text, image, other = fold.parts
    assert thinking == ThinkingPart("Let me think.", "sig") and fold.thinking == "Let me think."
    assert text == TextPart("Here.", [], 0)
    assert isinstance(image, FilePart) and image.is_image and image.mime_type == "image/png"
    assert image.fields() == {"file_id": "f1", "file_type": "png", "tool": "image_generation"}
    assert fold.files == [image]
    assert isinstance(other, OtherPart) and other.chunk == {
        "type": "image_url",
        "image_url": "https://img.example/x.png",
    }


@pytest.mark.parametrize(
    ("file_type", "file_name", "mime"),
    [
        ("jpg", None, "image/jpeg"),
        ("image/webp", None, "image/webp"),
        (None, "plot.png", "image/png"),
        ("csv", None, "text/csv"),
    ],
)
def test_file_part_mime_types(file_type: str | None, file_name: str | None, mime: str) -> None:
    part = FilePart("f", file_name, file_type, "code_interpreter")
    assert part.mime_type == mime
    assert part.is_image is mime.startswith("image/")


def test_a_text_part_only_grows_while_it_is_the_last_part() -> None:
    fold = ConversationFold()
    fold.add(events(delta("a", entry="m1"), delta("b", entry="m2", index=1), delta("c", entry="m1")))
    assert [p.text for p in fold.parts if isinstance(p, TextPart)] == ["a", "b", "c"]
    assert [p.offset for p in fold.parts if isinstance(p, TextPart)] == [0, 1, 2]


def test_a_reference_with_no_text_before_it_gets_an_empty_span() -> None:
    fold = ConversationFold()
    fold.add(events(delta(REF_A), delta("text")))
    [part] = fold.parts
    assert isinstance(part, TextPart)
    assert part.text == "text" and (part.citations[0].start_index, part.citations[0].end_index) == (0, 0)


def test_function_calls_arrive_in_pieces_with_id_and_name_once() -> None:
    fold = ConversationFold()
    call = {"type": "function.call.delta", "id": "fc", "name": "get_weather", "tool_call_id": "Ab3dE6gH9"}
    first = fold.add(events({**call, "arguments": '{"city":'}))
    second = fold.add(events({**call, "arguments": ' "Paris"}'}, done()))
    assert [(c.tool_call_id, c.name, c.arguments) for c in first.calls.values()] == [
        ("Ab3dE6gH9", "get_weather", '{"city":')
    ]
    assert [(c.tool_call_id, c.name, c.arguments) for c in second.calls.values()] == [("", "", ' "Paris"}')]
    [whole] = fold.function_calls
    assert (whole.tool_call_id, whole.name, whole.arguments) == ("Ab3dE6gH9", "get_weather", '{"city": "Paris"}')


def test_whole_function_call_with_object_arguments_and_no_id() -> None:
    response = ConversationResponse.model_validate(
        {
            "conversation_id": "c",
            "outputs": [
                {"type": "function.call", "id": "fc1", "name": "f", "tool_call_id": "abcdefghi", "arguments": {"x": 1}},
                {"type": "function.call", "id": "fc2", "name": "g", "arguments": "{}"},
            ],
        }
    )
    fold, _ = fold_response(response)
    first, second = fold.function_calls
    assert (first.tool_call_id, first.arguments) == ("abcdefghi", '{"x":1}')
    assert second.name == "g" and len(second.tool_call_id) == 9 and second.tool_call_id.isalnum()
    again, _ = fold_response(response)
    assert again.function_calls[1].tool_call_id == second.tool_call_id  # made up deterministically


def test_tool_runs_without_started_or_done_still_become_parts() -> None:
    fold = ConversationFold()
    fold.add(events({"type": "tool.execution.done", "id": "t1", "name": "code_interpreter", "info": {"code": "1"}}))
    fold.add(events({"type": "tool.execution.started", "id": "t2", "name": "web_search", "arguments": "q"}, done()))
    first, second = fold.tool_executions
    assert (first.id, first.arguments, first.info) == ("t1", "", {"code": "1"})
    assert (second.id, second.info, second.parsed_arguments()) == ("t2", None, {"arguments": "q"})
    assert ToolExecutionPart("t", "x", "[1]").parsed_arguments() == {"arguments": "[1]"}
    assert ToolExecutionPart("t", "x").parsed_arguments() == {}


def test_handoffs_join_their_halves() -> None:
    response = ConversationResponse.model_validate(
        {
            "conversation_id": "c",
            "outputs": [
                {
                    "type": "agent.handoff",
                    "id": "h1",
                    "previous_agent_id": "ag_1",
                    "previous_agent_name": "Triage",
                    "next_agent_id": "ag_2",
                    "next_agent_name": "Expert",
                },
                {"type": "message.output", "id": "m", "agent_id": "ag_2", "content": "Hi"},
            ],
        }
    )
    fold, everything = fold_response(response)
    expected = {
        "id": "h1",
        "previous_agent_id": "ag_1",
        "previous_agent_name": "Triage",
        "next_agent_id": "ag_2",
        "next_agent_name": "Expert",
    }
    assert fold.handoffs == [expected] and everything.handoffs == [expected]
    assert fold.agent_id == "ag_2"
    lone = ConversationFold()
    lone.add(events({"type": "agent.handoff.done", "id": "h", "next_agent_id": "a", "next_agent_name": "A"}))
    assert lone.handoffs == [{"id": "h", "next_agent_id": "a", "next_agent_name": "A"}]


def test_an_error_event_raises_a_stream_error_without_secrets() -> None:
    fold = ConversationFold()
    fold.add(events(started(), delta("partial")))
    error = {"type": "conversation.response.error", "message": "boom ?api_token=at_SECRETSECRET1", "code": 3000}
    with pytest.raises(StreamError) as caught:
        fold.add(events(error))
    assert "boom" in str(caught.value) and "code 3000" in str(caught.value)
    assert "at_SECRETSECRET1" not in str(caught.value)


def test_response_to_events_keeps_tool_arguments_and_both_handoff_halves() -> None:
    kinds = [e.type for e in response_to_events(ConversationResponse.model_validate(WEB_RESPONSE))]
    assert kinds == [
        "conversation.response.started",
        "tool.execution.started",
        "tool.execution.done",
        "message.output.delta",
        "conversation.response.done",
    ]


def test_a_single_chunk_object_in_a_delta_is_read() -> None:
    [event] = events(delta(REF_A))
    assert event.type == "message.output.delta"
    assert isinstance(event.content, list) and event.content[0].source == "brave"  # type: ignore[union-attr]
