"""``client.models``: list, retrieve and delete model cards."""

from __future__ import annotations

from .._operation import Operation, model_parser
from .._request import RequestSpec
from ..types.models import DeleteModelResponse, ModelCard, ModelList
from ._base import AsyncResource, SyncResource

__all__ = ["AsyncModels", "Models"]

_ONE = "/v1/models/{model_id}"


def _list() -> Operation[ModelList]:
    return Operation(RequestSpec("GET", "/v1/models"), model_parser(ModelList))


def _retrieve(model_id: str) -> Operation[ModelCard]:
    return Operation(RequestSpec("GET", _ONE, path_params={"model_id": model_id}), model_parser(ModelCard))


def _delete(model_id: str) -> Operation[DeleteModelResponse]:
    spec = RequestSpec("DELETE", _ONE, path_params={"model_id": model_id})
    return Operation(spec, model_parser(DeleteModelResponse))


class Models(SyncResource):
    def list(self) -> ModelList:
        return self._run(_list())

    def retrieve(self, model_id: str) -> ModelCard:
        return self._run(_retrieve(model_id))

    def delete(self, model_id: str) -> DeleteModelResponse:
        return self._run(_delete(model_id))


class AsyncModels(AsyncResource):
    async def list(self) -> ModelList:
        return await self._run(_list())

    async def retrieve(self, model_id: str) -> ModelCard:
        return await self._run(_retrieve(model_id))

    async def delete(self, model_id: str) -> DeleteModelResponse:
        return await self._run(_delete(model_id))
