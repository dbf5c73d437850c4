"""A LlamaIndex vector index and query engine, with MistralLCAEmbedding and the MistralLCA LLM.

Run it:  LOWCODEAPI_API_TOKEN=at_... python examples/llamaindex_query_engine.py
Needs:   pip install "mistral-lca[llamaindex]"
"""

from __future__ import annotations

from llama_index.core import Document, VectorStoreIndex

from llamaindex_mistral_lca import MistralLCA, MistralLCAEmbedding

DOCS = [
    Document(text="Employees get 27 days of paid vacation per year.", metadata={"source": "vacation.md"}),
    Document(text="Core hours are 10:00 to 15:00 CET for everyone.", metadata={"source": "remote-work.md"}),
    Document(text="Hotels are reimbursed up to 190 EUR per night.", metadata={"source": "expenses.md"}),
]


def main() -> None:
    index = VectorStoreIndex.from_documents(DOCS, embed_model=MistralLCAEmbedding())  # mistral-embed
    engine = index.as_query_engine(llm=MistralLCA(model="mistral-small-latest", temperature=0), similarity_top_k=2)
    response = engine.query("What are the core hours?")
    print("answer:", str(response).strip())
    for hit in response.source_nodes:
        print(f"source: {hit.node.metadata['source']} (score {hit.score:.2f})")


if __name__ == "__main__":
    main()
