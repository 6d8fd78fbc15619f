#!/usr/bin/env bash
# Submits a plansim batch to Slurm: an array of TASKS tasks, each running its share of the jobs,
# and a merge job that starts once every task has succeeded. Prints both job ids.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: submit.sh [options] BATCH.toml TASKS OUT_DIR [-- sbatch option...]

Runs `plansim batch BATCH.toml` as a Slurm job array of TASKS tasks (task I writes
OUT_DIR/shards/I/), then `plansim merge` in a job that starts once every task has succeeded
and writes OUT_DIR/<batch name>/. Logs go to OUT_DIR/logs/. OUT_DIR must be on a file system
that every node sees.

options:
  --plansim PATH       plansim binary, at a path the nodes can run (default: $PLANSIM, else
                       plansim on the PATH)
  --cpus-per-task N    CPUs and plansim threads for each task (default: $PLANSIM_CPUS_PER_TASK,
                       else 1)
  --max-running M      run at most M tasks at once
  --resume             continue an earlier submission into the same OUT_DIR with the same
                       TASKS: jobs already finished are not run again
  --no-plots           the merge draws no plots
  -h, --help           this help
Options after -- go to both sbatch calls, e.g. -- --partition=long --time=04:00:00
EOF
}

die() { echo "submit.sh: $*" >&2; exit 1; }
abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plansim="${PLANSIM:-plansim}"
cpus="${PLANSIM_CPUS_PER_TASK:-1}"
max_running=""
resume=0
merge_args=()
positional=()
sbatch_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --plansim) [ $# -ge 2 ] || die "--plansim needs a path"; plansim="$2"; shift 2 ;;
    --plansim=*) plansim="${1#*=}"; shift ;;
    --cpus-per-task) [ $# -ge 2 ] || die "--cpus-per-task needs a number"; cpus="$2"; shift 2 ;;
    --cpus-per-task=*) cpus="${1#*=}"; shift ;;
    --max-running) [ $# -ge 2 ] || die "--max-running needs a number"; max_running="$2"; shift 2 ;;
    --max-running=*) max_running="${1#*=}"; shift ;;
    --resume) resume=1; shift ;;
    --no-plots) merge_args+=(--no-plots); shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; sbatch_extra=("$@"); break ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ "${#positional[@]}" -eq 3 ] || { usage >&2; die "expected BATCH.toml TASKS OUT_DIR, got ${#positional[@]} argument(s)"; }
batch="${positional[0]}"
tasks="${positional[1]}"
out="${positional[2]}"

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
is_count "$tasks" || die "TASKS must be a whole number of at least 1, not '$tasks'"
is_count "$cpus" || die "--cpus-per-task must be a whole number of at least 1, not '$cpus'"
[ -z "$max_running" ] || is_count "$max_running" || die "--max-running must be a whole number of at least 1, not '$max_running'"

command -v sbatch >/dev/null \
  || die "sbatch not found: run this where Slurm's commands are installed (a cluster's login node)"
[ -f "$batch" ] || die "batch file $batch not found"
batch="$(abspath "$batch")"
resolved="$(command -v "$plansim")" || die "plansim binary '$plansim' not found: pass --plansim PATH or set PLANSIM"
plansim="$(abspath "$resolved")"
"$plansim" batch --help >/dev/null 2>&1 \
  || die "$plansim has no batch command: it is an older plansim, or not plansim"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ -e "$out/shards" ] && [ "$resume" -eq 0 ]; then
  die "$out/shards exists from an earlier submission: pass --resume to continue it, or choose another OUT_DIR"
fi
# Check the batch here, before anything is queued: a bad batch file would otherwise fail in
# every task. The memory check is left to the tasks, as the nodes may differ from this machine.
"$plansim" batch "$batch" --dry-run -q --shard "1/$tasks" --resume -o "$out/shards/1" \
  || die "the batch does not check (see the message above); nothing was submitted"
mkdir -p "$out/logs"

array="1-$tasks"
[ -z "$max_running" ] || array="$array%$max_running"
# The scripts read the binary from PLANSIM; --export=ALL passes it even where the site's
# default exports nothing.
export PLANSIM="$plansim"

array_id="$(sbatch --parsable --export=ALL --array="$array" --cpus-per-task="$cpus" \
  --job-name=plansim-batch --output="$out/logs/batch-%A_%a.out" \
  ${sbatch_extra[@]+"${sbatch_extra[@]}"} \
  "$here/plansim-batch.sbatch" "$batch" "$out")" \
  || die "sbatch refused the array job (see its message above)"
array_id="${array_id%%;*}"

# kill-on-invalid-dep: if a task fails, the merge is cancelled instead of waiting forever.
if ! merge_id="$(sbatch --parsable --export=ALL --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
  --job-name=plansim-merge --output="$out/logs/merge-%j.out" \
  ${sbatch_extra[@]+"${sbatch_extra[@]}"} \
  "$here/plansim-merge.sbatch" "$out" "$tasks" ${merge_args[@]+"${merge_args[@]}"})"; then
  scancel "$array_id" || true
  die "sbatch refused the merge job (see its message above); cancelled array job $array_id"
fi
merge_id="${merge_id%%;*}"

echo "array job $array_id: $tasks tasks of plansim batch, logs in $out/logs/batch-${array_id}_*.out"
echo "merge job $merge_id: plansim merge once every task has succeeded, into $out; log in $out/logs/merge-$merge_id.out"
echo "follow with: squeue -j $array_id,$merge_id"
