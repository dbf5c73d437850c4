"""``client.models``: list, retrieve and delete model cards; update, archive and unarchive fine-tuned models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._operation import Operation, model_parser
from .._request import RequestSpec
from ..types.models import DeleteModelResponse, ModelCard, ModelList
from ._base import AsyncResource, SyncResource

if TYPE_CHECKING:
    from ..types.fine_tuning import ArchiveFTModelResponse, FineTunedModel, UnarchiveFTModelResponse

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

    def update(self, model_id: str, *, name: str | None = None, description: str | None = None) -> FineTunedModel:
        """Rename or re-describe a fine-tuned model."""
        from .fine_tuning import update_model_operation  # imported on first use

        return self._run(update_model_operation(model_id, name=name, description=description))

    def archive(self, model_id: str) -> ArchiveFTModelResponse:
        """Archive a fine-tuned model."""
        from .fine_tuning import archive_model_operation  # imported on first use

        return self._run(archive_model_operation(model_id))

    def unarchive(self, model_id: str) -> UnarchiveFTModelResponse:
        """Unarchive a fine-tuned model."""
        from .fine_tuning import unarchive_model_operation  # imported on first use

        return self._run(unarchive_model_operation(model_id))


class AsyncModels(AsyncResource):
    async def list(self) -> ModelList:
        return await self._run(_list())

    async def retrieve(self, model_id: str) -> ModelCard:
        return await self._run(_retrieve(model_id))

    async def delete(self, model_id: str) -> DeleteModelResponse:
        return await self._run(_delete(model_id))

    async def update(self, model_id: str, *, name: str | None = None, description: str | None = None) -> FineTunedModel:
        """Rename or re-describe a fine-tuned model."""
        from .fine_tuning import update_model_operation  # imported on first use

        return await self._run(update_model_operation(model_id, name=name, description=description))

    async def archive(self, model_id: str) -> ArchiveFTModelResponse:
        """Archive a fine-tuned model."""
        from .fine_tuning import archive_model_operation  # imported on first use

        return await self._run(archive_model_operation(model_id))

    async def unarchive(self, model_id: str) -> UnarchiveFTModelResponse:
        """Unarchive a fine-tuned model."""
        from .fine_tuning import unarchive_model_operation  # imported on first use

        return await self._run(unarchive_model_operation(model_id))
