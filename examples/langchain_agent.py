"""A LangChain agent with ChatMistralLCA: the model calls Python tools in a loop until it can answer.

Run it:  LOWCODEAPI_API_TOKEN=at_... python examples/langchain_agent.py
Needs:   pip install "mistral-lca[langchain]" langchain   (create_agent lives in the `langchain` package)
"""

from __future__ import annotations

from langchain.agents import create_agent
from langchain_core.tools import tool

from langchain_mistral_lca import ChatMistralLCA

PER_DIEM_EUR = {"lisbon": 180, "berlin": 210, "paris": 230}


@tool
def per_diem(city: str) -> str:
    """The daily travel allowance for a business trip to a city."""
    amount = PER_DIEM_EUR.get(city.strip().lower())
    return f"{amount} EUR per day" if amount else f"no per diem listed for {city}"


@tool
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


def main() -> None:
    agent = create_agent(
        ChatMistralLCA(model="mistral-small-latest", temperature=0),
        tools=[per_diem, multiply],
        system_prompt="You help employees with travel allowances. Use the tools; never guess amounts.",
    )
    result = agent.invoke(
        {"messages": [{"role": "user", "content": "Use per_diem: what is my allowance for 4 days in Lisbon?"}]}
    )
    for message in result["messages"]:
        for call in getattr(message, "tool_calls", None) or []:
            print(f"tool call: {call['name']}({call['args']})")
    print("answer:", result["messages"][-1].text)


if __name__ == "__main__":
    main()
