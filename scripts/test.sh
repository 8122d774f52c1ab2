#!/usr/bin/env bash
# Runs coldset's whole test suite, as CI does: formatting, clippy with warnings as errors,
# then every test. Installs what the tests need from Debian's packages first when it is
# missing (PostgreSQL for the studio-scale store), so it works on a fresh machine.
# Usage: ./scripts/test.sh [extra nextest/cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -x scripts/ensure-postgres.sh ]; then
  scripts/ensure-postgres.sh
fi

# The HTTPS test makes its certificates with openssl.
if ! command -v openssl >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq openssl
fi

# The ledger key can live in an ssh-agent; its test runs OpenSSH's agent and tools.
if ! command -v ssh-agent >/dev/null 2>&1 || ! command -v ssh-keygen >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq openssh-client
fi

# The API fuzz test drives schemathesis (PyPI) against the real server.
if ! python3 -c "import schemathesis" >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi

# The browser test drives a real Chromium through chromedriver (Debian's packages) and
# checks accessibility with axe-core (npm), kept in .cache/ (ignored by git).
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq chromium chromium-driver
fi
if [ ! -f .cache/axe/node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm; }
  mkdir -p .cache/axe
  npm install --silent --no-save --no-audit --no-fund --prefix .cache/axe "axe-core@4.10.2"
fi

# Formatting and lints first: they are quick, and CI fails on either. clippy.toml refuses
# reading the system clock outside the clock adapter (and the few places that say why).
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
