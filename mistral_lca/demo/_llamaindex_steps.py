"""Tour step on ``llamaindex_mistral_lca``: a vector index and query engine over the handbook."""

from __future__ import annotations

from typing import Any

from ._printer import Printer
from ._session import Session
from .data import handbook

__all__ = ["query_engine"]

CHAT_MODEL = "mistral-small-latest"
QUESTION = "What are the core hours when I work from home?"


def query_engine(session: Session, out: Printer) -> dict[str, Any]:
    """VectorStoreIndex with MistralLCAEmbedding, queried through a query engine answering with MistralLCA."""
    from llama_index.core import Document, VectorStoreIndex

    from llamaindex_mistral_lca import MistralLCA, MistralLCAEmbedding

    connection = session.llamaindex()
    documents = [Document(text=doc.text, metadata={"source": doc.source}, id_=doc.source) for doc in handbook()]
    index = VectorStoreIndex.from_documents(documents, embed_model=MistralLCAEmbedding(**connection))
    llm = MistralLCA(model=CHAT_MODEL, temperature=0, **connection)
    engine = index.as_query_engine(llm=llm, similarity_top_k=2)
    response = engine.query(QUESTION)
    answer = str(response).strip()
    sources = [
        {"source": str(node.node.metadata.get("source")), "score": round(float(node.score or 0.0), 3)}
        for node in response.source_nodes
    ]
    out.line(f"Indexed {len(documents)} handbook pages (VectorStoreIndex, MistralLCAEmbedding).")
    out.field("Q", QUESTION)
    out.field("A", answer)
    out.field("Sources", ", ".join(f"{s['source']} (similarity {s['score']:.2f})" for s in sources))
    return {"question": QUESTION, "answer": answer, "sources": sources}
