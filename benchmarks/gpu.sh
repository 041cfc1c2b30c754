#!/usr/bin/env bash
# The whole-job benchmark on one CUDA machine, in at most 580 s, for a machine as it is:
# no network, packages it lacks carried as wheels in the working tree (docs/benchmarks.md).
#
#   bash benchmarks/gpu.sh --fetch-wheels   # HERE (networked): the wheels a GPU machine lacks -> benchmarks/wheels/
#   bash benchmarks/gpu.sh                  # on the GPU machine: check, install from the wheels, build, measure
#   bash benchmarks/gpu.sh --dry-run        # any machine: every step's checks, no model built, no device used
#
# Steps, each with its own time budget (printed; a step that runs over is stopped and the next
# one starts): 1 imports (installs missing ones from benchmarks/wheels with pip --no-index),
# 2 device (card, torch build, CTranslate2 probe), 3 prepare (models built and warmed up, untimed
# in the tables), 4 torch fp16 against the naive job, the job run a second time in the same
# process (--again: what only a process's first run pays), 5 torch bf16 (cards with bf16),
# 6 CTranslate2 auto and 7 CTranslate2 int8 (only where CTranslate2's probe passed).
# Budgets from the first H200 run (2026-12-04, docs/benchmarks.md): a cold machine took 24 s to
# import, over 25 s for the device step, 87 s to prepare, about 190 s for fp16 with the naive job
# and the kk-only job; the kk-only job (a CPU peak-RSS figure) is left out here.
# JOBS_LANGUAGE_CHECK=0 unless lingua is installed (its models are not carried).
# Tables go to $WORK/gpu-tables.md (WORK defaults to $TMPDIR/jobs-whole-gpu).
set -uo pipefail
cd "$(dirname "$0")/.."

MODE=run
case "${1:-}" in
    --dry-run) MODE=dry ;;
    --fetch-wheels) MODE=fetch ;;
    "") ;;
    *) echo "usage: bash benchmarks/gpu.sh [--dry-run | --fetch-wheels [--no-ctranslate2]]" >&2; exit 2 ;;
esac
PY="${PYTHON:-$(command -v python3 || command -v python || true)}"
[[ -n "$PY" ]] || { echo "gpu.sh: neither python3 nor python is on PATH" >&2; exit 2; }
WHEELS="benchmarks/wheels"
WORK="${WORK:-${TMPDIR:-/tmp}/jobs-whole-gpu}"
OUT="$WORK/gpu-tables.md"
TOTAL=580  # seconds: the whole script (the device tool allows 600 a command)
SITE="$WORK/site"  # where missing packages go (pip --target: no system or user site touched)
export PYTHONPATH="$PWD:$SITE${PYTHONPATH:+:$PYTHONPATH}" PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ $MODE == fetch ]]; then
    # Wheels for CPython 3.12 on x86-64 Linux, exactly the versions this machine tested, without
    # their dependencies (the GPU machine has those: benchmarks/gpu_check.py lists both sides).
    mkdir -p "$WHEELS"
    rm -f "$WHEELS"/*.whl  # only what this list names travels
    reqs="$("$PY" benchmarks/gpu_check.py carry)"
    [[ "${2:-}" == "--no-ctranslate2" ]] && reqs="$(grep -v '^ctranslate2' <<< "$reqs")"
    # shellcheck disable=SC2086
    "$PY" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --abi cp312 --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64 -d "$WHEELS" $reqs || exit 1
    wheels=$(du -cb "$WHEELS"/*.whl | tail -1 | cut -f1)
    tree=$(git ls-files -z | xargs -0 du -cb | tail -1 | cut -f1)
    total=$((wheels + tree))
    echo "wheels: $(ls "$WHEELS"/*.whl | wc -l) files, $((wheels / 1048576)) MiB; with the tree $((total / 1048576)) of 64 MiB"
    if (( total > 64 * 1048576 )); then
        echo "gpu.sh: over 64 MiB: fetch again with --no-ctranslate2 (the torch runs need no CTranslate2)" >&2
        exit 1
    fi
    echo "carry them: run(..., carry=[\"$WHEELS\"]) / copy $WHEELS with the tree"
    exit 0
fi

mkdir -p "$WORK"
: > "$OUT"
STARTED=$SECONDS
STEP=0
FAILED=()
budget() { echo "budget: ${1} s for this step; $((SECONDS - STARTED)) of ${TOTAL} s used"; }

step() {  # step SECONDS TITLE FUNCTION ARGS...: one step under its own time limit; the next one runs anyway
    local seconds="$1" title="$2"; shift 2
    STEP=$((STEP + 1))
    echo
    echo "== step $STEP: $title ($(budget "$seconds"))"
    local left=$((TOTAL - (SECONDS - STARTED)))
    (( seconds > left )) && seconds=$left
    if (( seconds <= 0 )); then
        echo "skipped: no time left"; FAILED+=("$title: no time left"); return 1
    fi
    # The functions below run in a fresh bash (exported), so that timeout stops all they started.
    timeout --kill-after=10 "$seconds" bash -c '"$@"' step "$@"
    local rc=$?
    if (( rc == 124 || rc == 137 )); then
        echo "step $STEP stopped after ${seconds} s: $title"; FAILED+=("$title: over its ${seconds} s"); return 1
    elif (( rc != 0 )); then
        echo "step $STEP failed (exit $rc): $title"; FAILED+=("$title: exit $rc"); return "$rc"
    fi
}

imports() {  # every import the job needs; what is missing installed from the carried wheels, no network
    "$PY" benchmarks/gpu_check.py imports && return 0
    [[ -d "$WHEELS" ]] || { echo "gpu.sh: no $WHEELS folder to install from (bash benchmarks/gpu.sh --fetch-wheels)"; return 3; }
    local missing
    missing="$("$PY" benchmarks/gpu_check.py missing)"
    if [[ $MODE == dry ]]; then
        echo "would install from $WHEELS (pip --no-index): $(tr '\n' ' ' <<< "$missing")"
        return 0
    fi
    # --target: an externally managed Python (PEP 668) refuses installs into its own site-packages
    # shellcheck disable=SC2086
    "$PY" -m pip install --quiet --no-index --no-deps --find-links "$WHEELS" --target "$SITE" $missing || return 3
    "$PY" benchmarks/gpu_check.py imports
}

device() {  # the card, torch's build and CTranslate2's probe (exit 10 = CTranslate2 cannot run: not a failure)
    "$PY" benchmarks/gpu_check.py device > "$WORK/device.txt"
    local rc=$?
    cat "$WORK/device.txt"
    (( rc == 0 || rc == 10 ))
}

prepare() {  # untimed in the tables: models built once, CTranslate2 conversions, CUDA warm-up
    local ct2="$1"
    if [[ $MODE == dry ]]; then
        "$PY" benchmarks/whole.py --workdir "$WORK" --quick --prepare --device cuda --backend torch --dtype fp16 --plan \
            && "$PY" benchmarks/whole.py --workdir "$WORK" --quick --prepare --device cuda --backend ctranslate2 --plan \
            && "$PY" benchmarks/whole.py --workdir "$WORK" --quick --prepare --device cuda --backend ctranslate2 --quantize int8 --plan
        return $?
    fi
    "$PY" benchmarks/whole.py --workdir "$WORK" --quick --prepare --device cuda --backend torch --dtype fp16 || return $?
    if (( ct2 )); then
        { "$PY" benchmarks/whole.py --workdir "$WORK" --quick --prepare --device cuda --backend ctranslate2 \
            && "$PY" benchmarks/whole.py --workdir "$WORK" --quick --prepare --device cuda --backend ctranslate2 --quantize int8; } \
            || { echo "CTranslate2 could not prepare its models: its runs are skipped"; touch "$WORK/no-ct2"; }
    fi
}

whole() {  # one benchmark run; in a dry run its options are checked (jobs.config) and nothing runs
    local title="$1"; shift
    if [[ $MODE == dry ]]; then
        "$PY" benchmarks/whole.py --workdir "$WORK" --quick --no-warm-up --no-single "$@" --plan
        return $?
    fi
    echo "## $title" >> "$OUT"
    "$PY" benchmarks/whole.py --workdir "$WORK" --quick --no-warm-up --no-single "$@" | tee -a "$OUT"
    local rc=${PIPESTATUS[0]}
    echo >> "$OUT"
    return "$rc"
}

export PY WORK OUT MODE WHEELS SITE
export -f imports device prepare whole

echo "gpu.sh ($MODE): $PY ($("$PY" --version 2>&1)); at most ${TOTAL} s in all; tables: $OUT"
if ! "$PY" -c "import lingua" 2>/dev/null; then
    export JOBS_LANGUAGE_CHECK=0
    echo "lingua is not installed: JOBS_LANGUAGE_CHECK=0 (articles' language not screened)"
fi
step 45 "imports the job needs" imports || { echo "gpu.sh: the job cannot run here: ${FAILED[*]}"; exit 3; }
step 60 "device: card, torch build, CTranslate2 probe" device || exit 4
CT2=0; BF16=0
grep -q "test translation passed" "$WORK/device.txt" && CT2=1
grep -q "compute capability \([89]\|[1-9][0-9]\)\." "$WORK/device.txt" && BF16=1
if [[ $MODE == dry ]]; then
    CT2=1; BF16=1
    echo "(dry run: every step below is walked whatever the device said; on the GPU machine steps 5-7 run where it allows)"
elif ! grep -q "a CUDA build that can use the card" "$WORK/device.txt"; then
    echo "gpu.sh: torch cannot use a CUDA card here (see step 2); nothing measured"; exit 4
fi
cat "$WORK/device.txt" >> "$OUT"
rm -f "$WORK/no-ct2"

step 110 "prepare: build models, convert for CTranslate2, warm up (untimed)" prepare "$CT2"
[[ -e "$WORK/no-ct2" ]] && CT2=0
step 230 "torch fp16 (CUDA), against the naive fp32 job" \
    whole "torch fp16 (CUDA), against the naive fp32 job" --device cuda --backend torch --dtype fp16 --again
if (( BF16 )); then
    step 130 "torch bf16 (CUDA)" whole "torch bf16 (CUDA)" --device cuda --backend torch --dtype bf16 --no-naive
else
    echo "torch bf16 skipped: the card has no bf16 (compute capability under 8.0)" | tee -a "$OUT"
fi
if (( CT2 )); then
    step 60 "CTranslate2 auto (CUDA)" whole "CTranslate2 auto (CUDA)" --device cuda --backend ctranslate2 --no-naive
    step 60 "CTranslate2 int8 (CUDA)" \
        whole "CTranslate2 int8 (CUDA)" --device cuda --backend ctranslate2 --quantize int8 --no-naive
else
    echo "CTranslate2 runs skipped: its probe did not pass (step 2)" | tee -a "$OUT"
fi

echo
echo "gpu.sh: $((SECONDS - STARTED)) of ${TOTAL} s; tables: $OUT"
if (( ${#FAILED[@]} )); then
    printf 'did not complete: %s\n' "${FAILED[@]}"
    exit 1
fi
