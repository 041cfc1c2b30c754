#!/usr/bin/env bash
# The whole-job benchmark on a CUDA machine, in under 8 minutes once the models are built:
# fp16 torch, CTranslate2 int8_float16, and a batch-size sweep, one table each.
#
#   bash benchmarks/gpu.sh              # on a machine with a CUDA card and a CUDA build of torch
#   bash benchmarks/gpu.sh --dry-run    # print the steps and check every option parses (no GPU needed)
#   bash benchmarks/gpu.sh --dry-run --cpu   # and run the job part on CPU (slow on 2 cores)
#
# Installs the repository (pip install -e ., which brings ctranslate2) unless `import jobs` works
# already. Writes the tables to $WORK/gpu-tables.md (WORK defaults to $TMPDIR/jobs-whole-gpu).
set -euo pipefail
cd "$(dirname "$0")/.."

DRY=0
[[ "${1:-}" == "--dry-run" ]] && DRY=1
WORK="${WORK:-${TMPDIR:-/tmp}/jobs-whole-gpu}"
OUT="$WORK/gpu-tables.md"
SWEEP="${SWEEP:-8192 32768 65536}"
mkdir -p "$WORK"

step() { echo "+ $*" >&2; if [[ $DRY == 0 ]]; then "$@"; fi; }

if ! python -c "import jobs, ctranslate2" 2>/dev/null; then
    step python -m pip install --quiet -e .
fi
if [[ $DRY == 0 ]]; then
    python - <<'EOF'
import torch, ctranslate2, sys
if not torch.cuda.is_available() or ctranslate2.get_cuda_device_count() == 0:
    sys.exit("gpu.sh: torch or CTranslate2 sees no CUDA device (install the CUDA build of torch)")
print("GPU:", torch.cuda.get_device_name(0), f"{torch.cuda.get_device_properties(0).total_memory / 2**30:.0f} GiB",
      "| torch", torch.__version__, "| ctranslate2", ctranslate2.__version__)
EOF
fi

run() {  # one benchmark run, its table appended to $OUT under a heading
    local title="$1"; shift
    echo "## $title" | tee -a "$OUT"
    if [[ $DRY == 1 ]]; then
        python benchmarks/whole.py --workdir "$WORK" "$@" --plan | tee -a "$OUT"
    else
        timeout 400 python benchmarks/whole.py --workdir "$WORK" "$@" | tee -a "$OUT"
    fi
    echo | tee -a "$OUT"
}

: > "$OUT"
run "torch fp16 (CUDA), against the naive fp32 job" --quick --device cuda --backend torch --dtype fp16
run "CTranslate2 int8_float16 (CUDA)" --quick --device cuda --backend ctranslate2 --quantize int8 --no-naive
for tokens in $SWEEP; do
    run "CTranslate2 float16, --batch-tokens $tokens" --quick --device cuda --backend ctranslate2 --batch-tokens "$tokens" --no-naive
done
if [[ $DRY == 1 && "${2:-}" == "--cpu" ]]; then
    # The CPU path of the same benchmark (the job only, CTranslate2 int8): about 15-20 minutes
    # on 2 busy cores, so only when asked for (bash benchmarks/gpu.sh --dry-run --cpu).
    timeout 1800 python benchmarks/whole.py --workdir "$WORK" --quick --device cpu --no-naive | tee -a "$OUT"
fi
echo "tables: $OUT" >&2
