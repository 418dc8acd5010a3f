#!/usr/bin/env bash
# `npm run load:install`: builds the pinned k6 into load-tests/.bin/k6 with the machine's Go toolchain.
#
# k6 is a Go program; building it from the Go module proxy needs nothing but Go, and pinning the version keeps
# every recorded result comparable. v1.8.1 is the newest release the proxy lists that builds with Go 1.25 or
# later (its go.mod says `go 1.25.0`). Idempotent: when load-tests/.bin/k6 already reports the pinned version,
# nothing is built. The first build downloads and compiles a few hundred modules and takes minutes.
set -euo pipefail

readonly k6_version='v1.8.1'
readonly go_version_min='1.25'

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly bin_dir="${script_dir}/.bin"
readonly k6_path="${bin_dir}/k6"

if [[ -x "${k6_path}" ]] && "${k6_path}" version 2>/dev/null | grep -q "k6 ${k6_version} "; then
  echo "k6 ${k6_version} is already installed at ${k6_path}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: Go is not on PATH; k6 ${k6_version} is built from source and needs Go ${go_version_min} or later (https://go.dev/dl/)" >&2
  exit 1
fi

# `go env GOVERSION` prints e.g. go1.26.8; compare major.minor against the minimum k6's go.mod asks for.
go_version="$(go env GOVERSION)"
go_major_minor="$(sed -E 's/^go([0-9]+)\.([0-9]+).*/\1 \2/' <<<"${go_version}")"
read -r go_major go_minor <<<"${go_major_minor}"
IFS=. read -r need_major need_minor <<<"${go_version_min}"
if ! [[ "${go_major}" =~ ^[0-9]+$ && "${go_minor}" =~ ^[0-9]+$ ]] ||
  (( go_major < need_major || (go_major == need_major && go_minor < need_minor) )); then
  echo "error: k6 ${k6_version} needs Go ${go_version_min} or later; this machine has ${go_version}" >&2
  exit 1
fi

mkdir -p "${bin_dir}"
echo "building k6 ${k6_version} with ${go_version} into ${bin_dir} (the first build takes minutes)..."
started_s="${SECONDS}"
# GOTOOLCHAIN=local: build with the Go that is here, never download another toolchain behind the user's back.
GOBIN="${bin_dir}" GOTOOLCHAIN=local go install "go.k6.io/k6@${k6_version}"

if ! "${k6_path}" version | grep -q "k6 ${k6_version} "; then
  echo "error: ${k6_path} does not report k6 ${k6_version} after the build:" >&2
  "${k6_path}" version >&2 || true
  exit 1
fi
echo "installed $("${k6_path}" version | head -n 1) in $(( SECONDS - started_s )) s"
