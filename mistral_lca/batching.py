"""Batch inference at scale: many chat or embedding requests through the batch API, results in input order.

``client.batch.run_chat(requests, model=...)`` and ``client.batch.run_embeddings(texts, model=...)`` (and
their async twins) write the JSONL input (``custom_id`` = the request's index), upload it (purpose
``batch``), create the job, wait for it, download the output (and error) file, and return one
:class:`BatchResult` per input: the parsed response, or the error that request got. One failed request
never hides the others.

Everything here is pure (planning, encoding, decoding, ordering); the resources' drivers only run the
five calls in sequence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypedDict, TypeVar, cast, overload

from ._errors import InvalidRequestError, MistralLCAError
from ._json import dumps, loads
from .embedding_batches import plan_batches
from .jobs import OnChange
from .resources.chat import chat_body
from .resources.embeddings import embeddings_body
from .types.batch import BatchJob, BatchJobOutput
from .types.chat import ChatCompletionResponse
from .types.embeddings import EmbeddingResponse

__all__ = [
    "BatchItemError",
    "BatchPlan",
    "BatchRequestError",
    "BatchResult",
    "BatchWaitOptions",
    "chat_plan",
    "embeddings_plan",
    "encode_jsonl",
    "parse_jsonl",
    "raw_plan",
    "results_or_raise",
    "split_wait_options",
]

T = TypeVar("T")

INPUT_FILENAME = "batch_input.jsonl"


class BatchRequestError(MistralLCAError):
    """One request of a batch failed (raised by :meth:`BatchResult.unwrap`)."""

    def __init__(self, message: str, *, error: BatchItemError) -> None:
        super().__init__(message)
        self.error = error


@dataclass(frozen=True)
class BatchItemError:
    """Why one request of a batch has no response."""

    message: str
    status_code: int | None = None
    code: str | None = None
    body: Any = None


@dataclass(frozen=True)
class BatchResult(Generic[T]):
    """The outcome of the request at ``index``: exactly one of ``response`` and ``error`` is set."""

    index: int
    custom_id: str
    response: T | None = None
    error: BatchItemError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> T:
        """The response; :class:`BatchRequestError` if this request failed."""
        if self.error is not None or self.response is None:
            error = self.error or BatchItemError("no response")
            raise BatchRequestError(f"batch request {self.index} failed: {error.message}", error=error)
        return self.response


class BatchWaitOptions(TypedDict, total=False):
    """The keyword options of ``client.batch.run*`` besides the requests: how to wait, and the job's settings."""

    timeout: float | None
    """Seconds to wait for the job in total (``None``: no limit)."""
    poll_interval: float
    max_poll_interval: float
    on_change: OnChange[BatchJob] | None
    job_metadata: Mapping[str, str] | None
    timeout_hours: int | None


_WAIT_KEYS = frozenset(BatchWaitOptions.__annotations__)


def split_wait_options(params: Mapping[str, Any]) -> tuple[BatchWaitOptions, dict[str, Any]]:
    """``params`` split into the wait/job options of ``client.batch.run`` and everything else."""
    wait: dict[str, Any] = {k: v for k, v in params.items() if k in _WAIT_KEYS}
    rest = {k: v for k, v in params.items() if k not in _WAIT_KEYS}
    return cast(BatchWaitOptions, wait), rest


@overload
def results_or_raise(results: Sequence[BatchResult[T]], *, return_exceptions: Literal[False] = False) -> list[T]: ...


@overload
def results_or_raise(results: Sequence[BatchResult[T]], *, return_exceptions: bool) -> list[T | BatchRequestError]: ...


def results_or_raise(results: Sequence[BatchResult[T]], *, return_exceptions: bool = False) -> list[Any]:
    """Each result's response, in order. A failed request raises its :class:`BatchRequestError` (the first
    failure wins), or with ``return_exceptions=True`` stands in its place in the list."""
    out: list[Any] = []
    for result in results:
        try:
            out.append(result.unwrap())
        except BatchRequestError as error:
            if not return_exceptions:
                raise
            out.append(error)
    return out


# ------------------------------------------------------------------------------------------ JSONL codec


def encode_jsonl(bodies: Sequence[Mapping[str, Any]]) -> bytes:
    """The batch input file: one ``{"custom_id": "<index>", "body": {...}}`` line per request."""
    return b"".join(dumps({"custom_id": str(i), "body": body}) + b"\n" for i, body in enumerate(bodies))


def parse_jsonl(data: bytes | str) -> list[BatchJobOutput]:
    """Lines of a batch output or error file (blank lines skipped)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    out: list[BatchJobOutput] = []
    for line in text.splitlines():
        if line.strip():
            out.append(BatchJobOutput.model_validate(loads(line)))
    return out


def _message_of(value: Any) -> tuple[str | None, str | None]:
    """(message, code) from an error value: a string, ``{"message"|"detail": ..., "code": ...}``, or nested."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict):
        code = value.get("code")
        for key in ("message", "detail", "error"):
            inner = value.get(key)
            if isinstance(inner, str) and inner:
                return inner, None if code is None else str(code)
            if isinstance(inner, (dict, list)) and inner:
                message, inner_code = _message_of(inner)
                if message:
                    return message, inner_code or (None if code is None else str(code))
    if isinstance(value, list) and value:
        parts = [m for m, _ in (_message_of(v) for v in value) if m]
        return ("; ".join(parts) or None), None
    return None, None


def item_error(output: BatchJobOutput) -> BatchItemError | None:
    """The error of one output line, or ``None`` when it holds a successful response.

    The endpoint's own error body (``response.body`` with a 4xx/5xx status) is preferred over the batch
    line's generic ``error`` object, since it says what was wrong with the request.
    """
    response = output.response
    status = response.status_code if response is not None else None
    failed = output.error is not None or (status is not None and status >= 400)
    if not failed and response is not None and response.body is not None:
        return None
    body_message, body_code = _message_of(response.body) if failed and response is not None else (None, None)
    error_message, error_code = _message_of(output.error)
    message = body_message or error_message
    if message is None:
        message = f"HTTP {status}" if failed and status is not None else "the output line has no response"
    raw = output.error if output.error is not None else (response.body if response is not None else None)
    return BatchItemError(message, status, body_code or error_code, raw)


# ---------------------------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class BatchPlan(Generic[T]):
    """Everything needed to run one batch job and map its outputs back to the caller's inputs."""

    endpoint: str
    model: str | None
    bodies: list[dict[str, Any]]
    parse: Callable[[Any], Any]
    """One successful response body → the per-request value."""
    expand: Callable[[list[BatchResult[Any]]], list[BatchResult[T]]]
    """Per-request results → per-input results (identity, except embeddings split into texts)."""

    def input_file(self) -> tuple[str, bytes, str]:
        return (INPUT_FILENAME, encode_jsonl(self.bodies), "application/jsonl")

    def results(self, outputs: Iterable[BatchJobOutput]) -> list[BatchResult[T]]:
        """Per-input results in input order; a request missing from the outputs gets an error."""
        by_id: dict[str, BatchJobOutput] = {}
        for output in outputs:
            if output.custom_id is not None:
                previous = by_id.get(output.custom_id)
                if previous is None or item_error(previous) is not None:  # a retried request: keep a success
                    by_id[output.custom_id] = output
        return self.expand([self._result(i, by_id.get(str(i))) for i in range(len(self.bodies))])

    def _result(self, index: int, output: BatchJobOutput | None) -> BatchResult[Any]:
        custom_id = str(index)
        if output is None:
            return BatchResult(index, custom_id, error=BatchItemError("no result for this request in the job's output"))
        problem = item_error(output)
        if problem is not None:
            return BatchResult(index, custom_id, error=problem)
        response = output.response
        assert response is not None  # item_error checked it
        try:
            return BatchResult(index, custom_id, response=self.parse(response.body))
        except (ValueError, TypeError) as exc:
            return BatchResult(
                index, custom_id, error=BatchItemError(f"unreadable response: {exc}", response.status_code)
            )


def _identity(results: list[BatchResult[Any]]) -> list[BatchResult[Any]]:
    return results


def _strip_model(body: dict[str, Any], model: str, index: int) -> dict[str, Any]:
    own = body.pop("model", None)
    if own is not None and own != model:
        raise InvalidRequestError(
            f"Invalid batch request {index}: model {own!r} differs from the job's model {model!r}"
        )
    return body


def chat_plan(
    requests: Sequence[Mapping[str, Any] | Sequence[Mapping[str, Any]]],
    *,
    model: str,
    endpoint: str = "/v1/chat/completions",
    **common: Any,
) -> BatchPlan[ChatCompletionResponse]:
    """Validate chat requests (a dict of chat parameters, or just a list of messages) into a plan.

    ``common`` parameters (``temperature=...``) apply to every request that does not set them itself.
    """
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError("Invalid batch request: model must be a non-empty string")
    if not requests:
        raise InvalidRequestError("Invalid batch request: requests must not be empty")
    bodies: list[dict[str, Any]] = []
    for index, request in enumerate(requests):
        params: dict[str, Any] = dict(common)
        if isinstance(request, Mapping):
            params.update(request)
        elif isinstance(request, Sequence) and not isinstance(request, (str, bytes)):
            params["messages"] = list(request)
        else:
            raise InvalidRequestError(
                f"Invalid batch request {index}: expected chat parameters or a list of messages,"
                f" got {type(request).__name__}"
            )
        params.setdefault("model", model)
        body = chat_body(params, what=f"batch[{index}] chat")
        body.pop("stream", None)
        bodies.append(_strip_model(body, model, index))
    return BatchPlan(endpoint, model, bodies, ChatCompletionResponse.model_validate, _identity)


def embeddings_plan(
    texts: Sequence[str],
    *,
    model: str,
    texts_per_request: int = 64,
    max_tokens_per_request: int = 16_000,
    **options: Any,
) -> BatchPlan[list[float]]:
    """Group ``texts`` into embedding requests (by count and tokens, counted as the adapters do live);
    results come back one per text (its vector)."""
    if isinstance(texts, str):
        raise InvalidRequestError("Invalid batch request: texts must be a list of strings, not one string")
    if not texts:
        raise InvalidRequestError("Invalid batch request: texts must not be empty")
    if not isinstance(texts_per_request, int) or texts_per_request < 1:
        raise InvalidRequestError(f"texts_per_request must be a positive integer, got {texts_per_request!r}")
    if not isinstance(max_tokens_per_request, int) or max_tokens_per_request < 1:
        raise InvalidRequestError(f"max_tokens_per_request must be a positive integer, got {max_tokens_per_request!r}")
    planned = plan_batches(texts, max_inputs=texts_per_request, max_tokens=max_tokens_per_request, model=model)
    groups = [planned.texts_of(batch) for batch in planned]
    bodies = [
        _strip_model(embeddings_body({**options, "model": model, "inputs": group}), model, index)
        for index, group in enumerate(groups)
    ]
    sizes = [len(g) for g in groups]

    def parse(body: Any) -> list[list[float]]:
        return EmbeddingResponse.model_validate(body).vectors()

    def expand(results: list[BatchResult[Any]]) -> list[BatchResult[list[float]]]:
        out: list[BatchResult[list[float]]] = []
        position = 0
        for result, size in zip(results, sizes, strict=True):
            vectors: list[list[float]] | None = result.response
            for offset in range(size):
                index = position + offset
                if result.error is not None:
                    out.append(BatchResult(index, result.custom_id, error=result.error))
                elif vectors is None or offset >= len(vectors):
                    missing = BatchItemError(f"the response has {len(vectors or [])} vectors for {size} texts")
                    out.append(BatchResult(index, result.custom_id, error=missing))
                else:
                    out.append(BatchResult(index, result.custom_id, response=vectors[offset]))
            position += size
        return out

    return BatchPlan("/v1/embeddings", model, bodies, parse, expand)


def raw_plan(endpoint: str, bodies: Sequence[Mapping[str, Any]], *, model: str | None = None) -> BatchPlan[Any]:
    """Any batch endpoint with bodies as given; results are the response bodies (dicts)."""
    if not isinstance(endpoint, str) or not endpoint.startswith("/v1/"):
        raise InvalidRequestError(
            f"Invalid batch request: endpoint must be an API path such as /v1/ocr, got {endpoint!r}"
        )
    if not bodies:
        raise InvalidRequestError("Invalid batch request: bodies must not be empty")
    return BatchPlan(endpoint, model, [dict(b) for b in bodies], lambda body: body, _identity)
