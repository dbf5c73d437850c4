"""Retrieval-augmented generation with LangChain: embed documents, retrieve, answer and cite the sources.

Run it:  LOWCODEAPI_API_TOKEN=at_... python examples/langchain_rag.py
Needs:   pip install "mistral-lca[langchain]" numpy   (InMemoryVectorStore uses numpy)
"""

from __future__ import annotations

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_mistral_lca import ChatMistralLCA, MistralLCAEmbeddings

DOCS = [
    Document("Employees get 27 days of paid vacation per year.", metadata={"source": "vacation.md"}),
    Document("Up to 5 unused vacation days carry over until March 31.", metadata={"source": "vacation.md"}),
    Document("Core hours are 10:00 to 15:00 CET.", metadata={"source": "remote-work.md"}),
    Document("Hotels are reimbursed up to 190 EUR per night.", metadata={"source": "expenses.md"}),
]

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer only from the context and cite sources in brackets, like [vacation.md].\n\n{context}"),
        ("human", "{question}"),
    ]
)


def format_docs(docs: list[Document]) -> str:
    return "\n\n".join(f"[{doc.metadata['source']}] {doc.page_content}" for doc in docs)


def main() -> None:
    store = InMemoryVectorStore.from_documents(DOCS, MistralLCAEmbeddings())  # mistral-embed
    retriever = store.as_retriever(search_kwargs={"k": 2})
    llm = ChatMistralLCA(model="mistral-small-latest", temperature=0)

    question = "How many vacation days can I carry over?"
    chain = {"context": retriever | format_docs, "question": RunnablePassthrough()} | PROMPT | llm | StrOutputParser()
    print("answer:", chain.invoke(question))
    print("sources:", sorted({doc.metadata["source"] for doc in retriever.invoke(question)}))


if __name__ == "__main__":
    main()
