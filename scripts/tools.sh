# Installs what building the portal needs, idempotently. Sourced by the
# other scripts; puts the tools on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
CARGO_LEPTOS_VERSION="0.3.10"
BINARYEN_VERSION="132.0.0"
PDFJS_VERSION="4.10.38"
export PATH="$HOME/.cargo/bin:$TOOLS/bin:$TOOLS/npm/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing ${missing[*]} (apt)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
}

# The wasm-bindgen version pinned in Cargo.toml ("=X"); the CLI must match it exactly.
wasm_bindgen_version() {
    sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' "$ROOT/Cargo.toml"
}

ensure_build_tools() {
    command -v cargo >/dev/null || { echo "Rust is required: https://rustup.rs" >&2; exit 1; }
    command -v npm >/dev/null || apt_install nodejs npm
    if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
        say "Adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
        say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (takes about 16 minutes on 2 cores, once)"
        cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
    fi
    local wb; wb="$(wasm_bindgen_version)"
    if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
        say "Installing wasm-bindgen-cli $wb (takes about 6 minutes, once)"
        cargo install wasm-bindgen-cli --version "$wb" --force
    fi
    if [ "$("$TOOLS/npm/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
        say "Installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
        mkdir -p "$TOOLS/npm"
        (cd "$TOOLS/npm" && npm install --silent --no-audit --no-fund --prefix . "binaryen@$BINARYEN_VERSION")
    fi
    ensure_pdfjs
}

# pdf.js draws the pages in the request editor; it is served from public/pdfjs
# (not committed) and comes from the npm registry.
ensure_pdfjs() {
    local dest="$ROOT/public/pdfjs"
    if [ "$(cat "$dest/VERSION" 2>/dev/null)" != "$PDFJS_VERSION" ]; then
        say "Installing pdf.js $PDFJS_VERSION (npm pdfjs-dist)"
        mkdir -p "$TOOLS/pdfjs"
        (cd "$TOOLS/pdfjs" && npm install --silent --no-audit --no-fund --prefix . "pdfjs-dist@$PDFJS_VERSION")
        rm -rf "$dest" && mkdir -p "$dest"
        cp "$TOOLS/pdfjs/node_modules/pdfjs-dist/build/pdf.min.mjs" \
           "$TOOLS/pdfjs/node_modules/pdfjs-dist/build/pdf.worker.min.mjs" \
           "$TOOLS/pdfjs/node_modules/pdfjs-dist/LICENSE" "$dest/"
        echo "$PDFJS_VERSION" > "$dest/VERSION"
    fi
}

ensure_test_tools() {
    if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi
    command -v curl >/dev/null || apt_install curl
    python3 -c "import venv, ensurepip" 2>/dev/null || apt_install python3-venv
    if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
        say "Installing Playwright (no browser download: Debian's Chromium is used)"
        (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
    fi
}
