"""OCR a PDF into per-page documents (LangChain loader and LlamaIndex reader), then moderate some text.

Run it:  LOWCODEAPI_API_TOKEN=at_... python examples/documents_ocr_moderation.py [some.pdf]
Without an argument it uses the 2-page PDF bundled with the demo.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from mistral_lca import MistralLCAClient
from mistral_lca.demo.data import expense_claim_pdf


def pdf_path() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    path = Path(tempfile.mkdtemp()) / "expense-claim.pdf"
    path.write_bytes(expense_claim_pdf())
    return path


def main() -> None:
    pdf = pdf_path()

    from langchain_mistral_lca import MistralOCRLoader

    for doc in MistralOCRLoader(pdf).load():  # one Document per page, markdown text
        print(f"langchain page {doc.metadata['page']}: {doc.page_content.splitlines()[0]}")

    from llamaindex_mistral_lca import MistralOCRReader

    for doc in MistralOCRReader().load_data(pdf):
        print(f"llamaindex page {doc.metadata.get('page_number')}: {doc.text.splitlines()[0]}")

    with MistralLCAClient() as client:
        verdict = client.classifiers.moderate(model="mistral-moderation-latest", inputs="I will hurt you.")
        flagged = [name for name, hit in verdict.results[0].categories.items() if hit]
        print("moderation flagged:", flagged or "nothing")


if __name__ == "__main__":
    main()
