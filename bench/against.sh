#!/usr/bin/env bash
# Each benchmark on this checkout and on another commit, one after the other, in one run, so that a
# change is compared with what it replaced on the same (noisy, shared) machine:
#
#   bench/against.sh REF [SCRIPT ARGS...]      e.g. bench/against.sh main~5 bench/tui.py --keys 100
#
# Without SCRIPT every benchmark of `make bench` runs. REF is checked out into a temporary worktree and run
# with this checkout's venv; each side's scripts import that side's code (PYTHONPATH), subprocesses too.
# Output: each benchmark's report for REF, then for this checkout, under a header naming the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:?usage: bench/against.sh REF [SCRIPT ARGS...]}
shift
python=${PYTHON:-$PWD/.venv/bin/python}
other=$(mktemp -d)/annotator-$(git rev-parse --short "$ref")
git worktree add --quiet --detach "$other" "$ref"
trap 'git worktree remove --force "$other"' EXIT

if [ $# -gt 0 ]; then
    runs=("$*")
else
    runs=(bench/importing.py bench/tokenizer.py bench/export.py bench/tui.py bench/suggest.py bench/agreement.py)
fi
for run in "${runs[@]}"; do
    read -r script args <<<"$run"
    for tree in "$other" "$PWD"; do
        name=$script
        # The tokenizer benchmark had another name before it stopped shadowing the standard library.
        [ -f "$tree/$name" ] || name=${name/tokenizer.py/tokenize.py}
        # A benchmark newer than REF runs from this checkout on REF's code (it says what REF lacks).
        [ -f "$tree/$name" ] || name=$PWD/$script
        echo "=== $name at $(git -C "$tree" rev-parse --short HEAD) ($tree)"
        (cd "$tree" && PYTHONPATH="$tree" "$python" "$name" ${args:-})
    done
done
