#!/usr/bin/env bash
# mistral-lca from the shell: models, chat, moderation, OCR, embeddings, files, agents and the demo.
#
# Run it:  LOWCODEAPI_API_TOKEN=at_... bash examples/cli_examples.sh
# (MISTRAL_LCA overrides the command, e.g. MISTRAL_LCA="python -m mistral_lca.cli"; PYTHON the interpreter.)
set -euo pipefail

cli=${MISTRAL_LCA:-mistral-lca}
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== models"
$cli models list | head -5

echo "== chat (streams to stdout)"
$cli chat 'Name three French cheeses.' --temperature 0

echo "== moderation (exit status 0; --json for scripts)"
$cli moderate 'I will hurt you.'

echo "== OCR of a PDF into markdown"
$python -c 'import sys; from mistral_lca.demo.data import expense_claim_pdf; sys.stdout.buffer.write(expense_claim_pdf())' \
    > "$work/claim.pdf"
$cli ocr "$work/claim.pdf" --pages 0

echo "== embeddings: one text per line in, JSONL out"
printf 'first text\nsecond text\n' > "$work/texts.txt"
$cli embed "$work/texts.txt" -o "$work/vectors.jsonl"
wc -l < "$work/vectors.jsonl"

echo "== files"
file_id=$($cli files upload "$work/texts.txt" --purpose batch --json | $python -c 'import json, sys; print(json.load(sys.stdin)["id"])')
$cli files get "$file_id"
$cli files delete "$file_id"

echo "== agents"
agent_id=$($cli agents create -m mistral-medium-latest -n helper -i 'Answer in one sentence.' --json \
    | $python -c 'import json, sys; print(json.load(sys.stdin)["id"])')
$cli agents ask "$agent_id" 'What is LowCodeAPI?'

echo "== the demo, one step, offline"
$cli demo --offline --only fim
