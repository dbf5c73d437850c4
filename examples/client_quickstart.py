"""The shared client: chat, streaming, embeddings, fill-in-the-middle and typed errors.

Run it:  LOWCODEAPI_API_TOKEN=at_... python examples/client_quickstart.py
(``LOWCODEAPI_BASE_URL`` overrides the proxy URL, e.g. for a local stand-in: ``python -m mistral_lca.testing.fake``.)
"""

from __future__ import annotations

from mistral_lca import MistralLCAClient, NotFoundError


def main() -> None:
    with MistralLCAClient() as client:  # token from LOWCODEAPI_API_TOKEN, never MISTRAL_API_KEY
        # 1. A chat completion.
        reply = client.chat.complete(
            model="mistral-small-latest",
            messages=[{"role": "user", "content": "Name three French cheeses, comma-separated."}],
            temperature=0,
        )
        print("chat:", reply.choices[0].message.content)
        print("  served by", reply.model, "| tokens:", reply.usage.total_tokens)

        # 2. The same, streamed: iterate the events as they arrive.
        print("stream: ", end="")
        with client.chat.stream(
            model="mistral-small-latest", messages=[{"role": "user", "content": "Count to five."}]
        ) as events:
            for event in events:
                delta = event.data.choices[0].delta.content if event.data.choices else None
                if isinstance(delta, str):
                    print(delta, end="", flush=True)
        print()

        # 3. Embeddings: vectors in input order.
        embedded = client.embeddings.create(model="mistral-embed", inputs=["first text", "second text"])
        vectors = embedded.vectors()
        print("embeddings:", len(vectors), "vectors of", len(vectors[0]), "floats")

        # 4. Fill-in-the-middle with Codestral.
        fim = client.fim.complete(
            model="codestral-latest", prompt="def add(a, b):\n    ", suffix="\n\nprint(add(1, 2))\n"
        )
        print("fim:", fim.choices[0].message.content)

        # 5. Errors are typed (and never quote your token).
        try:
            client.models.retrieve("no-such-model")
        except NotFoundError as error:
            print("error:", type(error).__name__, error.status_code)


if __name__ == "__main__":
    main()
