#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine (Debian or Ubuntu, as root), for the
# Slurm integration test and CI. Running it again leaves one working cluster.
#
#   sudo scripts/slurm/local-cluster.sh          start (installing slurm-wlm and munge if missing)
#   sudo scripts/slurm/local-cluster.sh stop     stop the daemons it started
#
# It writes /etc/slurm/slurm.conf, where Slurm's commands look for it, and refuses to replace a
# slurm.conf it did not write. Daemon state and logs go to $LOCAL_SLURM_DIR
# (default /var/spool/plansim-local-slurm).
set -euo pipefail

STATE_ROOT="${LOCAL_SLURM_DIR:-/var/spool/plansim-local-slurm}"
CONF=/etc/slurm/slurm.conf
MARK="# Written by plansim scripts/slurm/local-cluster.sh"
WAIT_SECONDS=60
LOG="$STATE_ROOT/log"

die() { echo "local-cluster.sh: $*" >&2; exit 1; }

show_logs() {
  local f
  for f in "$LOG"/*.log /var/log/munge/munged.log; do
    [ -f "$f" ] || continue
    echo "---- last lines of $f" >&2
    tail -n 40 "$f" >&2
  done
}

fail() {
  echo "local-cluster.sh: $*" >&2
  show_logs
  exit 1
}

# True if the pid file names a live process called $2 (not one that is exiting).
running() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] \
    && ! grep -qE '^State:[[:space:]]+[ZX]' "/proc/$pid/status" 2>/dev/null
}

# Stops a daemon this script started, by the pid in its pid file.
stop_daemon() {
  local pidfile="$1" name="$2" pid
  running "$pidfile" "$name" || return 0
  pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 50); do
    [ -d "/proc/$pid" ] || return 0
    sleep 0.2
  done
  fail "$name (pid $pid) did not stop within 10 s"
}

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts system daemons)"

if [ "${1:-}" = "stop" ]; then
  stop_daemon "$STATE_ROOT/slurmd.pid" slurmd
  stop_daemon "$STATE_ROOT/slurmctld.pid" slurmctld
  echo "local Slurm stopped (munged left running)"
  exit 0
fi
[ $# -eq 0 ] || die "usage: local-cluster.sh [stop]"

# 1. Packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
  || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || die "slurm-wlm and munge are missing and there is no apt-get to install them"
  echo "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends slurm-wlm munge
fi

mkdir -p "$STATE_ROOT/ctld" "$STATE_ROOT/d" "$LOG"

# 2. Munge: a key, and the daemon (Slurm authenticates every message with it).
if [ ! -s /etc/munge/munge.key ]; then
  echo "creating /etc/munge/munge.key"
  install -d -o munge -g munge -m 0700 /etc/munge
  (umask 077 && dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none)
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
fi
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  runuser -u munge -- munged </dev/null >>"$LOG/munged-start.log" 2>&1 \
    || fail "munged did not start"
  for _ in $(seq 1 50); do
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.2
  done
  munge -n </dev/null | unmunge >/dev/null || fail "munged started but does not answer"
fi

# 3. slurm.conf for this host. slurmd -C reports the hardware as Slurm counts it, so the node
# definition matches and the node is not drained for a mismatch.
host="$(hostname -s)"
hw="$(slurmd -C | head -n 1)" || fail "slurmd -C failed"
case "$hw" in NodeName=*) ;; *) fail "unexpected slurmd -C output: $hw" ;; esac
hw="${hw#NodeName=* }"
hw="${hw%% UpTime=*}"

new_conf="$MARK
# A single-node cluster for tests: no accounting, no cgroups, jobs run as their submitter.
ClusterName=plansim-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# A job waiting on a failed job is cancelled rather than left pending forever.
DependencyParameters=kill_invalid_depend
ReturnToService=2
StateSaveLocation=$STATE_ROOT/ctld
SlurmdSpoolDir=$STATE_ROOT/d
SlurmctldPidFile=$STATE_ROOT/slurmctld.pid
SlurmdPidFile=$STATE_ROOT/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP"

if [ -e "$CONF" ] && ! grep -qxF "$MARK" "$CONF"; then
  die "$CONF exists and was not written by this script; refusing to replace it"
fi
changed=0
if [ ! -e "$CONF" ] || [ "$(cat "$CONF")" != "$new_conf" ]; then
  mkdir -p "$(dirname "$CONF")"
  printf '%s\n' "$new_conf" >"$CONF.tmp"
  mv "$CONF.tmp" "$CONF"
  changed=1
fi

# 4. Daemons: restarted only if the configuration changed or one is not running.
if [ "$changed" -eq 1 ] || ! running "$STATE_ROOT/slurmctld.pid" slurmctld \
  || ! running "$STATE_ROOT/slurmd.pid" slurmd; then
  stop_daemon "$STATE_ROOT/slurmd.pid" slurmd
  stop_daemon "$STATE_ROOT/slurmctld.pid" slurmctld
  echo "starting slurmctld and slurmd on $host"
  # -c: start clean, so no job of a broken earlier cluster is left half-running.
  slurmctld -c </dev/null >>"$LOG/slurmctld-start.log" 2>&1 || fail "slurmctld did not start"
  slurmd -c </dev/null >>"$LOG/slurmd-start.log" 2>&1 || fail "slurmd did not start"
fi

# 5. Wait until the node takes jobs.
state=""
for _ in $(seq 1 $((WAIT_SECONDS * 2))); do
  state="$(sinfo -h -N -n "$host" -o %T 2>/dev/null | head -n 1)" || state=""
  case "$state" in
    idle | mixed | allocated | completing) break ;;
    # Left down or drained by an earlier run; a node that is still wrong goes back to it.
    down* | drain*) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
case "$state" in
  idle | mixed | allocated | completing) ;;
  *)
    scontrol show node "$host" >&2 || true
    fail "node $host is not ready after ${WAIT_SECONDS} s (state: ${state:-no answer from slurmctld})"
    ;;
esac
echo "local Slurm ready: node $host is $state ($(echo "$hw" | grep -o 'CPUs=[0-9]*'), $(echo "$hw" | grep -o 'RealMemory=[0-9]*') MB)"
