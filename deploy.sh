#!/usr/bin/env bash
# Builds the Lambda artifact for a profile and deploys it:
#
#   ./deploy.sh <profile> [--package-only] [idpctl deploy options, e.g. --yes]
#
# The functions run on provided.al2023 (glibc 2.34), for the profile's architecture. A native
# release build here may need a newer glibc, so the artifact is built with cargo-zigbuild against
# glibc 2.34 (zig and cargo-zigbuild are installed from PyPI into a cached venv; the Rust target
# with rustup). `idpctl package` then checks the binary's architecture and glibc needs before
# zipping it, and `idpctl deploy` uploads and deploys exactly that zip.
set -euo pipefail
cd "$(dirname "$0")"

usage="usage: ./deploy.sh <profile> [--package-only] [idpctl deploy options]"
profile=${1:?$usage}
shift
package_only=false
if [[ "${1:-}" == "--package-only" ]]; then
  package_only=true
  shift
fi

target_dir="${CARGO_TARGET_DIR:-target}"
cache="${IDPCTL_CI_CACHE:-$HOME/.cache/idpctl-ci}"

# The host idpctl reads the profile, packages and deploys; it need not be a release build.
cargo build --locked --quiet
host="$target_dir/debug/idpctl"
arch=$("$host" --profile "$profile" --print-settings render |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["architecture"])')
case "$arch" in
  arm64) triple=aarch64-unknown-linux-gnu ;;
  x86_64) triple=x86_64-unknown-linux-gnu ;;
  *) echo "deploy.sh: unknown architecture '$arch' in profile $profile" >&2; exit 2 ;;
esac

venv="$cache/zig-venv"
if ! "$venv/bin/cargo-zigbuild" --version >/dev/null 2>&1; then
  echo "==> installing ziglang and cargo-zigbuild into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check ziglang cargo-zigbuild
fi
export PATH="$venv/bin:$PATH"
rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"

echo "==> cargo zigbuild --release --target $triple.2.34" >&2
cargo zigbuild --locked --release --target "$triple.2.34"

zip="$target_dir/lambda/idpctl-$arch.zip"
"$host" --profile "$profile" package --artifact "$target_dir/$triple/release/idpctl" --out "$zip" >/dev/null
echo "==> $zip: $(wc -c <"$zip") bytes" >&2
if $package_only; then
  echo "$zip"
  exit 0
fi
exec "$host" --profile "$profile" deploy --artifact "$zip" "$@"
