#!/usr/bin/env bash
# Prints the bin directory of a Node.js 24 LTS binary, fetching it once into .cache/node24/.
#
#   PATH="$(scripts/node24.sh):$PATH" npm test --workspace api    # the API suites on Node 24
#
# Node 24 comes from the npm registry only: the `node-linux-<arch>` package's tarball holds the
# official `bin/node` (npm checks the tarball against the registry's integrity hash). The version is
# pinned so every run tests the same Node; NODE24_VERSION overrides it. Safe to run concurrently:
# the binary is unpacked in a temporary folder and moved into place in one rename.
set -euo pipefail

version="${NODE24_VERSION:-24.22.3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/node24"
target="$cache/$version"

case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node24: no node-linux-* package for $(uname -m)" >&2; exit 1 ;;
esac

if [ "$("$target/bin/node" -v 2>/dev/null)" != "v$version" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.fetch.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "node24: fetching node-linux-$arch@$version from the npm registry" >&2
  tarball="$(cd "$tmp" && npm pack "node-linux-$arch@$version" --silent)"
  tar -xzf "$tmp/$tarball" -C "$tmp" package/bin/node package/LICENSE
  [ "$("$tmp/package/bin/node" -v)" = "v$version" ] || { echo "node24: unpacked binary is not v$version" >&2; exit 1; }
  rm -rf "$target"
  # A concurrent run may have moved its copy in first: that one is as good.
  mv -T "$tmp/package" "$target" 2>/dev/null || [ "$("$target/bin/node" -v 2>/dev/null)" = "v$version" ]
fi
echo "$target/bin"
