#!/usr/bin/env bash
# Fails when a Swift source is not in the canonical form of .swift-format (120 columns, 4-space
# indentation, ordered imports). The generated EmbeddedPack.swift is not checked. Long lines that
# remain are string literals the formatter cannot break (messages, HTML and CSS, test data).
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.swift' | grep -v 'EmbeddedPack.swift$' | xargs swift format lint --strict --parallel
