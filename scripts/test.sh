#!/usr/bin/env bash
# Runs coldset's whole test suite, as CI does: formatting, clippy with warnings as errors,
# then every test. Installs what the tests need from Debian's packages first when it is
# missing (PostgreSQL for the studio-scale store), so it works on a fresh machine.
# Usage: ./scripts/test.sh [extra nextest/cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs Debian packages, saying which and why; as root, or through sudo for a user who
# is not (it asks for the password once).
install_debian() {
  local why="$1"
  shift
  echo "test.sh: installing $* from Debian's packages: $why" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: need root or sudo to install $*" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "$@"
}

# Installs a Python package for the current user (no root needed).
install_pypi() {
  echo "test.sh: installing $1 from PyPI: $2" >&2
  local user=""
  [ "$(id -u)" -ne 0 ] && user="--user"
  python3 -m pip install --quiet --disable-pip-version-check $user "$1"
}

if [ -x scripts/ensure-postgres.sh ]; then
  scripts/ensure-postgres.sh
fi

if ! command -v openssl >/dev/null 2>&1; then
  install_debian "the HTTPS test makes its certificates with it" openssl
fi

if ! command -v ssh-agent >/dev/null 2>&1 || ! command -v ssh-keygen >/dev/null 2>&1; then
  install_debian "the ledger key can live in an ssh-agent; its test runs OpenSSH's agent" openssh-client
fi

if ! command -v systemd-analyze >/dev/null 2>&1; then
  install_debian "the packaging test checks the systemd unit with systemd-analyze" systemd
fi

# The PDF tests read coldset's PDFs back with another program than the one that wrote them:
# poppler's pdftotext, pdftoppm, pdfinfo, pdfimages and pdfdetach, and zxing-cpp's QR decoder.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdfdetach >/dev/null 2>&1; then
  install_debian "the PDF tests read records and label sheets back with poppler" poppler-utils
fi
if ! python3 -c "import zxingcpp" >/dev/null 2>&1; then
  install_pypi "zxing-cpp==3.1.1" "the PDF tests decode every QR code of a label sheet and a record"
fi

if ! python3 -c "import schemathesis" >/dev/null 2>&1; then
  install_pypi "schemathesis==4.32.5" "the API fuzz test drives it against the real server"
fi

if ! python3 -c "import aiosmtpd" >/dev/null 2>&1; then
  install_pypi "aiosmtpd==1.4.6" "the e-mail test delivers through a real SMTP server requiring STARTTLS and AUTH"
fi

# The browser test drives a real Chromium through chromedriver (Debian's packages) and
# checks accessibility with axe-core (npm), kept in .cache/ (ignored by git).
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  install_debian "the browser tests drive a real Chromium" chromium chromium-driver
fi
if [ ! -f .cache/axe/node_modules/axe-core/axe.min.js ]; then
  command -v npm >/dev/null 2>&1 || install_debian "axe-core (accessibility checks) comes from npm" npm
  mkdir -p .cache/axe
  npm install --silent --no-save --no-audit --no-fund --prefix .cache/axe "axe-core@4.10.2"
fi
# The QR decoder the scan page embeds (jsQR) must be npm's package of the version and
# checksum pinned in its lock file: installed from that lock, then compared byte for byte.
vendor=crates/coldset-web/assets/vendor
if ! cmp -s "$vendor/package-lock.json" .cache/vendor/package-lock.json \
  || [ ! -f .cache/vendor/node_modules/jsqr/dist/jsQR.js ]; then
  command -v npm >/dev/null 2>&1 || install_debian "jsQR's pinned package comes from npm" npm
  rm -rf .cache/vendor && mkdir -p .cache/vendor
  cp "$vendor/package.json" "$vendor/package-lock.json" .cache/vendor/
  (cd .cache/vendor && npm ci --silent --no-audit --no-fund)
fi
cmp "$vendor/jsqr/jsQR.js" .cache/vendor/node_modules/jsqr/dist/jsQR.js \
  || { echo "test.sh: $vendor/jsqr/jsQR.js is not npm's jsqr of $vendor/package-lock.json" >&2; exit 1; }

# Formatting and lints first: they are quick, and CI fails on either. clippy.toml refuses
# reading the system clock outside the clock adapter (and the few places that say why).
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
