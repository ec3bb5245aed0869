#!/usr/bin/env bash
# Installs the outside tools the tests run (the BagIt and RO-Crate validators), then runs
# every test. On a fresh machine this is all the set-up the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check bagit roc-validator requests-cache
# Installed tools are required from here on: a missing one fails its test instead of skipping.
export CARTON_REQUIRE_TOOLS=1
cargo test --locked "$@"
