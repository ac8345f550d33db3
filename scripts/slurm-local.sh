#!/usr/bin/env bash
# A real one-node Slurm cluster on localhost, for tests that submit sbatch jobs (docs/cluster.md).
# Debian's slurm-wlm (22.05 on Debian 12) and munge, installed with apt-get when missing; every
# file the cluster writes (munge key, slurm.conf, state, spool, pid and log files) lives in
# STATE_DIR, except munged's socket, which stays in the standard /run/munge.
#
# Usage: scripts/slurm-local.sh start|stop|status|selftest STATE_DIR
#   start     (root) install if missing, start munged, slurmctld -c and slurmd, wait for the node
#             to be idle; prints `export SLURM_CONF=STATE_DIR/slurm.conf` on stdout (progress and
#             phase times go to stderr), so `eval "$(scripts/slurm-local.sh start DIR)"` works.
#             A STATE_DIR left by an earlier start is stopped (if still running) and wiped first.
#   stop      stop exactly the daemons recorded in STATE_DIR/pids (TERM, then KILL after a timeout)
#   status    sinfo and squeue
#   selftest  start, srun hostname, a 4-task sbatch array and an afterok job that gathers its
#             output, check it reads "0 1 2 3", stop; non-zero exit and the daemons' log tails on
#             any failure, and the daemons are stopped whatever happens
# Ports: SLURM_LOCAL_CTLD_PORT (6817) and SLURM_LOCAL_SLURMD_PORT (6818).
set -euo pipefail
export LC_NUMERIC=C  # EPOCHREALTIME and printf %f with a decimal point

CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-6817}
SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-6818}
MUNGE_RUN=/run/munge
MUNGE_SOCKET=$MUNGE_RUN/munge.socket.2   # libmunge's default, so slurm.conf needs no AuthInfo
MARKER=.slurm-local-state                # a STATE_DIR holding this may be wiped by start
STOP_TIMEOUT=20                          # seconds between TERM and KILL
IDLE_TIMEOUT=60                          # seconds for the node to become idle
JOB_TIMEOUT=120                          # seconds for the selftest's jobs

log() { printf '[slurm-local] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '6,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

phase_begin() { PHASE=$1; PHASE_T0=$EPOCHREALTIME; }
phase_end() {
  local t1=$EPOCHREALTIME
  printf '[slurm-local] phase %-22s %7.2f s\n' "$PHASE" "$(awk -v a="$PHASE_T0" -v b="$t1" 'BEGIN{print b-a}')" >&2
}

# --- pids -------------------------------------------------------------------------------------
# STATE_DIR/pids: one line per process this script started: NAME PID STARTTIME, where STARTTIME
# is field 22 of /proc/PID/stat, so a pid reused by some other process is never signalled.
starttime() { [ -r "/proc/$1/stat" ] && sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
same_process() {  # pid starttime: that very process is alive (a zombie is not)
  local f
  [ -n "$2" ] && f=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ "${f%% *}" != Z ] && [ "$(cut -d' ' -f20 <<<"$f")" = "$2" ]
}
record_pid() { echo "$1 $2 $(starttime "$2")" >>"$STATE/pids"; log "started $1 (pid $2)"; }

descendants() {  # every descendant of pid $1, each after its parent
  local kids k
  kids=$(ps -eo pid=,ppid= | awk -v p="$1" '$2==p{print $1}')
  for k in $kids; do echo "$k"; descendants "$k"; done
}

stop_one() {  # name pid starttime: TERM it and its descendants, wait, KILL what is left
  local name=$1 pid=$2 st=$3 waited=0 p t0=$EPOCHREALTIME
  if ! same_process "$pid" "$st"; then log "$name (pid $pid) is not running"; return 0; fi
  local -a group=("$pid")
  local -a gst=("$st")
  for p in $(descendants "$pid"); do group+=("$p"); gst+=("$(starttime "$p" || true)"); done
  local i; for i in "${!group[@]}"; do STOPPED+=("${group[$i]} ${gst[$i]}"); done
  kill -TERM "$pid" 2>/dev/null || true
  while :; do
    local alive=0 i
    for i in "${!group[@]}"; do same_process "${group[$i]}" "${gst[$i]}" && alive=1; done
    [ "$alive" = 0 ] && break
    if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
      for i in "${!group[@]}"; do
        if same_process "${group[$i]}" "${gst[$i]}"; then
          log "$name: pid ${group[$i]} still alive after ${STOP_TIMEOUT}s, sending KILL"
          kill -KILL "${group[$i]}" 2>/dev/null || true
        fi
      done
      sleep 0.5
      break
    fi
    # the daemon is gone but a child of it (slurmscriptd, a slurmstepd) is not: TERM that too
    if ! same_process "$pid" "$st" && [ $((waited % 20)) = 0 ]; then
      for i in "${!group[@]}"; do
        if same_process "${group[$i]}" "${gst[$i]}"; then kill -TERM "${group[$i]}" 2>/dev/null || true; fi
      done
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  log "stopped $name (pid $pid) in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}') s"
}

cancel_jobs() {  # a job's slurmstepd outlives slurmd by design: cancel the jobs, let them end
  local name pid st up=0 jobs n=200
  while read -r name pid st; do [ "$name" = slurmctld ] && same_process "$pid" "${st:-}" && up=1; done <"$STATE/pids"
  [ "$up" = 1 ] && [ -f "$CONF" ] || return 0
  jobs=$(SLURM_CONF=$CONF squeue -h -o %A 2>/dev/null | sort -u | paste -sd, -) || return 0
  [ -n "$jobs" ] || return 0
  log "cancelling the cluster's jobs: $jobs"
  local -a ids; read -ra ids <<<"${jobs//,/ }"
  SLURM_CONF=$CONF scancel "${ids[@]}" 2>/dev/null || true
  while [ "$n" -gt 0 ] && [ -n "$(SLURM_CONF=$CONF squeue -h -o %A 2>/dev/null || true)" ]; do
    sleep 0.1; n=$((n - 1))
  done
  [ "$n" -gt 0 ] || log "warning: jobs still in the queue after 20 s: $(SLURM_CONF=$CONF squeue -h 2>&1 | paste -sd';' -)"
}

do_stop() {
  if [ ! -f "$STATE/pids" ]; then log "no $STATE/pids: nothing to stop"; return 0; fi
  [ -e "$STATE/$MARKER" ] || die "$STATE was not made by this script (no $MARKER); not stopping anything"
  cancel_jobs
  # the reverse of the start order: slurmd, slurmctld, munged
  local name pid st
  while read -r name pid st; do
    [ -n "${name:-}" ] && stop_one "$name" "$pid" "${st:-}"
  done < <(tac "$STATE/pids")
  rm -f "$STATE/pids"
  # A daemonized process's parent is init, and an init that reaps late (as in some containers)
  # leaves it in ps as <defunct> for a moment: wait (at most 5 s) until ps no longer lists them.
  local n=50 left e
  while [ "$n" -gt 0 ]; do
    left=0
    for e in "${STOPPED[@]}"; do [ -n "${e#* }" ] && [ "$(starttime "${e%% *}" || true)" = "${e#* }" ] && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1; n=$((n - 1))
  done
}
STOPPED=()
OWN_STATE=0  # set once start has made (or wiped) STATE_DIR: only then may a failure stop things

any_recorded_alive() {
  [ -f "$STATE/pids" ] || return 1
  local name pid st
  while read -r name pid st; do
    [ -n "${name:-}" ] && same_process "$pid" "${st:-}" && return 0
  done <"$STATE/pids"
  return 1
}

# --- start ------------------------------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
munge_works() { munge --no-input --socket="$MUNGE_SOCKET" </dev/null 2>/dev/null | unmunge --socket="$MUNGE_SOCKET" >/dev/null 2>&1; }

pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]; }

install_packages() {
  phase_begin install
  local -a pkgs=(slurm-wlm munge)
  local p missing=0
  for p in "${pkgs[@]}"; do pkg_installed "$p" || missing=1; done
  for p in slurmctld slurmd sinfo squeue srun sbatch scontrol munged munge unmunge; do
    command -v "$p" >/dev/null || missing=1
  done
  if [ "$missing" = 0 ]; then log "slurm-wlm and munge are installed"; phase_end; return 0; fi
  # No package may start its own daemons (munge's would hold /run/munge): an exit-101
  # policy-rc.d for the install, unless the machine already has one.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; made_policy=1; fi
  local apt_log=$STATE/log/apt.log rc=0
  log "installing ${pkgs[*]} (log: $apt_log)"
  # Another apt-get may be running (a build installing its libraries): wait for the lock.
  local -a apt=(apt-get -o DPkg::Lock::Timeout=300)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" >"$apt_log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    log "apt-get install failed (rc $rc); apt-get update, then again"
    rc=0
    { "${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}"; } >>"$apt_log" 2>&1 || rc=$?
  fi
  [ "$made_policy" = 1 ] && rm -f "$policy"
  if [ "$rc" != 0 ]; then tail -n 20 "$apt_log" >&2; die "apt-get install ${pkgs[*]} failed"; fi
  log "installed: slurm-wlm $(dpkg-query -W -f='${Version}' slurm-wlm), munge $(dpkg-query -W -f='${Version}' munge)"
  phase_end
}

prepare_state_dir() {
  phase_begin state-dir
  if [ -d "$STATE" ] && [ -n "$(ls -A "$STATE")" ]; then
    [ -e "$STATE/$MARKER" ] || die "$STATE is not empty and was not made by this script; refusing to wipe it"
    if any_recorded_alive; then
      log "$STATE has a cluster from an earlier start that is still running: stopping it"
      do_stop
    fi
    if [ -n "$(ls -A "$STATE")" ]; then
      log "wiping the earlier state in $STATE"
      find "$STATE" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    fi
  fi
  mkdir -p "$STATE"/{log,run,ctld-state,slurmd-spool,munge}
  chmod 755 "$STATE"
  touch "$STATE/$MARKER"
  : >"$STATE/pids"
  OWN_STATE=1
  phase_end
}

start_munge() {
  phase_begin munged
  getent passwd munge >/dev/null || die "no munge user (the munge package makes it)"
  local dir=$STATE/munge
  chown munge:munge "$dir"; chmod 700 "$dir"
  dd if=/dev/urandom bs=1 count=1024 of="$dir/munge.key" status=none
  chown munge:munge "$dir/munge.key"; chmod 400 "$dir/munge.key"
  mkdir -p "$MUNGE_RUN"; chown munge:munge "$MUNGE_RUN"; chmod 755 "$MUNGE_RUN"
  if munge_works; then
    # Not ours (ours were stopped above): slurm can use it as well as its own, and stop leaves it be.
    log "a munged not started by this script already answers on $MUNGE_SOCKET: using it"
    phase_end; return 0
  fi
  # munged daemonizes and its parent exits only once the daemon is ready (or failed).
  if ! runuser -u munge -- munged --socket="$MUNGE_SOCKET" --key-file="$dir/munge.key" \
      --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" \
      </dev/null >"$STATE/log/munged.stderr" 2>&1; then
    cat "$STATE/log/munged.stderr" >&2
    die "munged did not start"
  fi
  local pid; pid=$(cat "$dir/munged.pid")
  record_pid munged "$pid"
  munge_works || die "munged is running (pid $pid) but munge -n | unmunge fails"
  phase_end
}

write_config() {
  phase_begin config
  local host cpus mem_mib margin real_mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem_mib=$(awk '/^MemTotal:/{print int($2/1024)}' /proc/meminfo)
  margin=$((mem_mib / 20)); [ "$margin" -lt 256 ] && margin=256   # 5%, at least 256 MiB
  real_mem=$((mem_mib - margin))
  [ "$real_mem" -gt 0 ] || die "too little memory: MemTotal is $mem_mib MiB"
  CONF=$STATE/slurm.conf
  cat >"$CONF" <<EOF
# Written by scripts/slurm-local.sh start (docs/cluster.md): a one-node cluster on localhost.
ClusterName=profilebench-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
StateSaveLocation=$STATE/ctld-state
SlurmdSpoolDir=$STATE/slurmd-spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$CONF
  echo "export SLURM_CONF=$CONF" >"$STATE/env"
  log "wrote $CONF (NodeName=$host CPUs=$cpus RealMemory=$real_mem of $mem_mib MiB)"
  phase_end
}

wait_pidfile() {  # name pidfile seconds: the daemon's pid once its pid file names a live process
  local name=$1 file=$2 n=$(($3 * 10)) pid
  while [ "$n" -gt 0 ]; do
    if [ -s "$file" ]; then pid=$(cat "$file"); kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }; fi
    sleep 0.1; n=$((n - 1))
  done
  die "$name wrote no pid file $file naming a live process"
}

start_slurmd() {  # prints slurmd's pid; fails if it exits or writes no pid file in 15 s
  slurmd -f "$CONF" </dev/null >"$STATE/log/slurmd.stderr" 2>&1 || return 1
  local file=$STATE/run/slurmd.pid n=150 pid
  while [ "$n" -gt 0 ]; do
    if [ -s "$file" ]; then
      pid=$(cat "$file")
      if kill -0 "$pid" 2>/dev/null; then
        # and still up a moment later (a slurmd that fails its setup exits soon after)
        sleep 0.3; kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
        return 1
      fi
    fi
    sleep 0.1; n=$((n - 1))
  done
  return 1
}

start_slurm() {
  port_in_use "$CTLD_PORT" && die "port $CTLD_PORT is already in use (another slurmctld?); set SLURM_LOCAL_CTLD_PORT"
  port_in_use "$SLURMD_PORT" && die "port $SLURMD_PORT is already in use (another slurmd?); set SLURM_LOCAL_SLURMD_PORT"
  local pid n

  phase_begin slurmctld
  slurmctld -c -f "$CONF" </dev/null >"$STATE/log/slurmctld.stderr" 2>&1 \
    || { cat "$STATE/log/slurmctld.stderr" >&2; die "slurmctld -c failed"; }
  pid=$(wait_pidfile slurmctld "$STATE/run/slurmctld.pid" 15)
  record_pid slurmctld "$pid"
  n=100  # until it answers RPCs
  until scontrol ping 2>/dev/null | grep -q 'is UP'; do
    kill -0 "$pid" 2>/dev/null || die "slurmctld (pid $pid) exited"
    [ "$n" -gt 0 ] || die "slurmctld does not answer scontrol ping"
    sleep 0.1; n=$((n - 1))
  done
  phase_end

  phase_begin slurmd
  # slurmd 22.05 always loads a cgroup plugin (CgroupPlugin=autodetect), even with the linuxproc
  # proctrack and no task plugin; v1 (this machine) loads quietly. It has no CgroupPlugin=disabled
  # (slurmd then fails: "cannot find cgroup plugin for disabled"). Where the v2 plugin cannot get
  # a systemd scope for slurmstepd (no systemd or dbus), retry once with IgnoreSystemd=yes.
  if ! pid=$(start_slurmd); then
    if grep -qE 'Unable to initialize cgroup plugin|systemd scope for slurmstepd' \
        "$STATE/log/slurmd.log" "$STATE/log/slurmd.stderr" 2>/dev/null; then
      log "slurmd could not initialize its cgroup plugin; retrying with cgroup.conf IgnoreSystemd=yes"
      printf '# Written by scripts/slurm-local.sh: slurmd could not start with the defaults.\nCgroupPlugin=autodetect\nIgnoreSystemd=yes\n' \
        >"$STATE/cgroup.conf"
      pid=$(start_slurmd) || { cat "$STATE/log/slurmd.stderr" >&2; die "slurmd failed (with cgroup.conf too)"; }
    else
      cat "$STATE/log/slurmd.stderr" >&2; die "slurmd failed"
    fi
  fi
  record_pid slurmd "$pid"
  phase_end

  phase_begin node-idle
  local host state=""; host=$(hostname -s)
  n=$((IDLE_TIMEOUT * 2))
  while :; do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null | head -n1 || true)
    [ "$state" = idle ] && break
    kill -0 "$pid" 2>/dev/null || die "slurmd (pid $pid) exited"
    if [ "$n" -le 0 ]; then
      scontrol show node "$host" >&2 || true
      die "node $host is '$state', not idle, after ${IDLE_TIMEOUT}s"
    fi
    sleep 0.5; n=$((n - 1))
  done
  log "node $host is idle"
  phase_end
}

job_summary() {  # one line per job (or array task): id, state, reason, exit code, output file
  scontrol -o show job "$1" 2>&1 | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(JobId|ArrayTaskId|JobState|Reason|ExitCode|StdOut)=/) printf "%s ", $i; print ""}' >&2 || true
}

show_logs() {
  local f
  for f in "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log" "$STATE/munge/munged.log" \
           "$STATE/log/slurmctld.stderr" "$STATE/log/slurmd.stderr" "$STATE/log/munged.stderr"; do
    [ -s "$f" ] || continue
    printf '\n===== last 25 lines of %s =====\n' "$f" >&2
    tail -n 25 "$f" >&2
  done
}

on_exit_failed() {  # the EXIT trap of start and selftest: on failure, log tails and stop
  local rc=$?
  trap - EXIT
  if [ "$rc" != 0 ]; then
    log "FAILED (exit $rc)"
    if [ "$OWN_STATE" = 1 ]; then show_logs; do_stop || true; fi
  fi
  exit "$rc"
}

do_start() {
  [ "$(id -u)" = 0 ] || die "start must run as root"
  local t0=$EPOCHREALTIME
  mkdir -p "$STATE"
  prepare_state_dir
  install_packages
  start_munge
  write_config
  start_slurm
  log "cluster up in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}') s; pids in $STATE/pids"
}

# --- selftest ---------------------------------------------------------------------------------
do_selftest() {
  local t0=$EPOCHREALTIME
  do_start
  local out=$STATE/out host; host=$(hostname)
  mkdir -p "$out"

  phase_begin srun
  local got
  got=$(timeout 60 srun -N1 -n1 hostname) || die "srun -N1 -n1 hostname failed"
  [ "$got" = "$host" ] || die "srun hostname printed '$got', expected '$host'"
  log "srun -N1 -n1 hostname: $got"
  phase_end

  phase_begin array+afterok
  cat >"$out/task.sh" <<EOF
#!/bin/bash
echo "\$SLURM_ARRAY_TASK_ID" >"$out/task-\$SLURM_ARRAY_TASK_ID.txt"
EOF
  cat >"$out/gather.sh" <<EOF
#!/bin/bash
set -e
cat "$out"/task-{0,1,2,3}.txt | paste -sd' ' - >"$out/result.txt"
EOF
  local aid gid
  aid=$(sbatch --parsable --array=0-3 -J pb-array -D "$out" -o "$out/array-%A_%a.log" "$out/task.sh") \
    || die "sbatch --array=0-3 failed"
  aid=${aid%%;*}
  gid=$(sbatch --parsable --dependency="afterok:$aid" -J pb-gather -D "$out" -o "$out/gather-%j.log" "$out/gather.sh") \
    || die "sbatch --dependency=afterok:$aid failed"
  gid=${gid%%;*}
  log "submitted array job $aid (tasks 0-3) and job $gid (afterok:$aid)"
  local n=$((JOB_TIMEOUT * 2)) left reason
  while :; do
    left=$(squeue -h -j "$aid,$gid" -o '%i %T %r' 2>/dev/null || true)
    [ -z "$left" ] && [ -s "$out/result.txt" ] && break
    reason=$(squeue -h -j "$gid" -o %r 2>/dev/null || true)
    if [ "$reason" = DependencyNeverSatisfied ]; then
      job_summary "$aid"
      die "job $gid will never run: an array task of $aid failed"
    fi
    if [ -z "$left" ] && [ ! -s "$out/result.txt" ]; then
      job_summary "$gid"
      die "the jobs left the queue but $out/result.txt is missing or empty"
    fi
    [ "$n" -gt 0 ] || { printf '%s\n' "$left" >&2; die "the jobs did not finish within ${JOB_TIMEOUT}s"; }
    sleep 0.5; n=$((n - 1))
  done
  got=$(cat "$out/result.txt")
  [ "$got" = "0 1 2 3" ] || die "result.txt reads '$got', expected '0 1 2 3'"
  log "array $aid + afterok job $gid: result.txt reads '$got'"
  phase_end

  phase_begin stop
  local pidlist; pidlist=$(cat "$STATE/pids")
  do_stop
  local name pid st
  while read -r name pid st; do
    same_process "$pid" "$st" && die "$name (pid $pid) is still running after stop"
  done <<<"$pidlist"
  phase_end
  log "selftest passed in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}') s"
}

# --- main -------------------------------------------------------------------------------------
[ $# -eq 2 ] || usage
cmd=$1
[ -n "$2" ] || usage
STATE=$(realpath -m -- "$2")
case "$STATE" in /|/bin|/boot|/dev|/etc|/home|/lib*|/proc|/root|/run|/sbin|/sys|/tmp|/usr|/var) die "refusing STATE_DIR $STATE" ;; esac
CONF=$STATE/slurm.conf

case "$cmd" in
  start)
    trap on_exit_failed EXIT
    do_start
    trap - EXIT
    echo "export SLURM_CONF=$CONF"
    ;;
  stop)
    [ "$(id -u)" = 0 ] || die "stop must run as root"
    phase_begin stop; do_stop; phase_end
    ;;
  status)
    [ -f "$CONF" ] || die "no $CONF: start a cluster first"
    export SLURM_CONF=$CONF
    echo "== sinfo"; sinfo
    echo "== squeue"; squeue
    ;;
  selftest)
    trap on_exit_failed EXIT
    do_selftest
    trap - EXIT
    ;;
  *) usage ;;
esac
