"""Files API models: upload/retrieve/list/delete/signed-URL responses and upload form fields."""

from __future__ import annotations

from mistral_lca.types.files import (
    DeleteFileResponse,
    FileObject,
    FileUploadParams,
    ListFilesResponse,
    SignedURL,
    UploadedFile,
)

# Shape of a real upload answer (purpose ocr, 2026).
UPLOAD_RESPONSE = {
    "id": "bb9e30b1-970f-4a42-b682-8c0079e7c242",
    "object": "file",
    "bytes": 18810,
    "created_at": 1786389977,
    "filename": "sample.pdf",
    "purpose": "ocr",
    "sample_type": "ocr_input",
    "num_lines": 0,
    "mimetype": "application/pdf",
    "source": "upload",
    "signature": "da49bbe37855af62a6a8809453d17b83",
    "expires_at": None,
    "visibility": "workspace",
}


def test_upload_response_parses_every_field() -> None:
    f = UploadedFile.model_validate(UPLOAD_RESPONSE)
    assert isinstance(f, FileObject)
    assert f.id == "bb9e30b1-970f-4a42-b682-8c0079e7c242"
    assert f.object == "file"
    assert f.bytes == 18810
    assert f.created_at == 1786389977
    assert f.filename == "sample.pdf"
    assert f.purpose == "ocr"
    assert f.sample_type == "ocr_input"  # not in the spec's SampleType enum
    assert f.num_lines == 0
    assert f.mimetype == "application/pdf"
    assert f.source == "upload"
    assert f.signature == "da49bbe37855af62a6a8809453d17b83"
    assert f.expires_at is None
    assert f.visibility == "workspace"
    assert f.deleted is None
    assert f.model_extra == {}


def test_null_bytes_and_missing_optional_fields_are_tolerated() -> None:
    # The spec's own examples send "bytes": null and omit expires_at/visibility.
    f = FileObject.model_validate(
        {
            "id": "e85980c9-409e-4a46-9304-36588f6292b0",
            "object": "file",
            "bytes": None,
            "created_at": 1759500189,
            "filename": "example.file.jsonl",
            "purpose": "fine-tune",
            "sample_type": "instruct",
            "source": "upload",
            "deleted": False,
            "num_lines": 2,
            "mimetype": "application/jsonl",
            "signature": "d4821d2de1917341",
        }
    )
    assert f.bytes is None
    assert f.deleted is False
    assert f.expires_at is None
    assert f.visibility is None


def test_minimal_file_and_unknown_fields() -> None:
    f = FileObject.model_validate({"id": "f1", "purpose": "audio", "brand_new_field": {"x": 1}})
    assert f.purpose == "audio"
    assert f.filename is None
    assert f.model_extra == {"brand_new_field": {"x": 1}}


def test_list_files_response() -> None:
    item = {
        "id": "<your_file_id>",
        "object": "file",
        "bytes": None,
        "created_at": 1759491994,
        "filename": "<your_file_name>",
        "purpose": "batch",
        "sample_type": "batch_result",
        "source": "mistral",
        "num_lines": 2,
        "mimetype": "application/jsonl",
        "signature": None,
    }
    listing = ListFilesResponse.model_validate({"data": [item, item], "object": "list", "total": 2})
    assert listing.total == 2
    assert listing.object == "list"
    assert [f.sample_type for f in listing.data] == ["batch_result", "batch_result"]
    assert listing.data[0].source == "mistral"

    empty = ListFilesResponse.model_validate({"object": "list"})
    assert empty.data == []
    assert empty.total is None


def test_delete_and_signed_url() -> None:
    deleted = DeleteFileResponse.model_validate(
        {"id": "e85980c9-409e-4a46-9304-36588f6292b0", "object": "file", "deleted": True}
    )
    assert deleted.deleted is True
    assert deleted.id.startswith("e85980c9")

    url = SignedURL.model_validate({"url": "https://example.blob.core.windows.net/f.jsonl?sig=..."})
    assert url.url.startswith("https://")


def test_upload_params_form_fields() -> None:
    params = FileUploadParams(purpose="ocr")
    assert params.to_body() == {"purpose": "ocr"}
    assert params.to_form() == {"purpose": "ocr"}

    full = FileUploadParams(purpose="batch", visibility="user", expiry=48)
    assert full.to_form() == {"purpose": "batch", "visibility": "user", "expiry": "48"}
    assert FileUploadParams().to_body() == {}
