#!/bin/sh
# `make bench`: measure on this machine, print one table. Not part of
# `make check`; nothing in /etc changes (pam_wrapper, nss_wrapper, a temp
# shadow file, an SMTP sink on loopback). See tests/bench/README.md.
#
# Environment (defaults in brackets): SSPR_BENCH_USERS [200],
# SSPR_BENCH_SECONDS per throughput level [15], SSPR_BENCH_CLIENTS
# [1,8,64,32/1000,1; N/T means N clients that pause about T ms before every
# answer],
# SSPR_BENCH_STALL [30], SSPR_BENCH_OPEN [1000], SSPR_BENCH_SPLIT [1; 0 runs
# ssprd without the privilege split], SSPR_BENCH_KEEP=1 keeps the run
# directory (logs) for a look afterwards.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
users=${SSPR_BENCH_USERS:-200}
seconds=${SSPR_BENCH_SECONDS:-15}
clients=${SSPR_BENCH_CLIENTS:-1,8,64,32/1000,1}
stall=${SSPR_BENCH_STALL:-30}
open_n=${SSPR_BENCH_OPEN:-1000}
# As installed, ssprd started as root splits: a privileged process and the
# engine as [daemon] user. SSPR_BENCH_SPLIT=0 runs it in one process.
case ${SSPR_BENCH_SPLIT:-1} in
0) daemon_user="" ;;
1) daemon_user=sspr ;;
*) echo "bench: SSPR_BENCH_SPLIT must be 0 or 1" >&2 && exit 2 ;;
esac

run=$(mktemp -d /tmp/sspr-bench.XXXXXX)
chmod 755 "$run"
smtp_pid="" daemon_pid="" probe=""

stop_pid() {
	[ -n "$1" ] || return 0
	kill -CONT "$1" 2>/dev/null || true
	kill -TERM "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
	# A stopped SMTP server would keep ssprd's mail threads waiting.
	[ -z "$smtp_pid" ] || kill -CONT "$smtp_pid" 2>/dev/null || true
	stop_pid "$daemon_pid"
	stop_pid "$smtp_pid"
	[ -z "$probe" ] || perf probe -q -d "$probe" 2>/dev/null || true
	wait 2>/dev/null || true
	if [ "${SSPR_BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: run directory kept: $run" >&2
	else
		rm -rf "$run"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run copies of the programs: a `make clean` elsewhere in the tree during the
# run must not pull them away.
bin="$run/bin"
mkdir "$bin"
cp "$top/build/ssprd" "$top/build/ssprctl" "$top/build/pam_sspr.so" \
	"$top/build/bench/bench_login" "$top/build/bench/bench_reset" "$bin/"
# The message catalogs too (ssprd warns when it has none).
cp -R "$top/build/locale" "$run/locale"
export SSPR_LOCALEDIR="$run/locale"

log() { echo "bench: $*" >&2; }
fail() {
	log "$*"
	for f in "$run"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
	exit 1
}
# Wait up to 10 s for a command to succeed.
wait_for() {
	i=0
	until "$@" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}

# --- 1. Normal login ---------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "1/4 normal-login overhead (about 15 s)"
pamsec="$(pkg-config --variable=libdir pam)/security"
mkdir "$run/pam.d"
permit="auth required $pamsec/pam_permit.so"
sspr="auth [success=done ignore=ignore default=die] $bin/pam_sspr.so timeout=3"
echo "$permit" >"$run/pam.d/bench-permit"
printf '%s socket=%s\n%s\n' "$sspr" "$run/nobody.sock" "$permit" >"$run/pam.d/bench-sspr"
printf '%s socket=%s\n%s\n' "$sspr" "$run/live.sock" "$permit" >"$run/pam.d/bench-sspr-live"
printf 'auth [default=ignore] %s/pam_deny.so\n%s\n' "$pamsec" "$permit" >"$run/pam.d/bench-two"
# libpam also loads the "other" stack on every pam_start: make it the module
# every stack has anyway, so that it adds nothing to any of them.
echo "$permit" >"$run/pam.d/other"
LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$run/pam.d" \
	timeout --foreground 120 "$bin/bench_login" "$bin/pam_sspr.so" "$run/live.sock" \
	benchuser 2000 10 40 >"$run/sec1.txt" 2>>"$run/bench_login.log" ||
	fail "bench_login failed"

# --- The world: users, SMTP sink, ssprd ---------------------------------------
log "starting ssprd and the SMTP sink; enrolling $users users"
"$bin/bench_reset" setup "$run" "$users" || fail "setup failed"
port=$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
# The bench measures the crypto-bound path, not the abuse limits (make check
# tests those): every [limits] key at its maximum, so that no dialogue is
# refused. One load client is one source and sends a few thousand dialogues
# an hour; the defaults (5 codes per account and hour, 30 dialogues per
# source) would stop it within seconds.
cat >"$run/sspr.conf" <<CONF
[general]
helpdesk = Bench helpdesk.
[daemon]
socket = $run/ssprd.sock
state_dir = $run/state
user = $daemon_user
max_connections = 1024
[backend]
shadow_file = $run/shadow
[email]
smtp_url = smtp://127.0.0.1:$port
from = sspr-bench@example.org
timeout = 60
[limits]
codes_per_hour = 1000
codes_per_day = 10000
failures = 1000
dialogues_per_hour = 1000
source_dialogues_per_hour = 100000
source_failures_per_hour = 100000
sends_per_hour = 1000000
sends_per_day = 10000000
CONF
$py "$top/tests/bench/bench_smtp.py" "$port" "$run/inbox.sock" 2>"$run/smtp.log" &
smtp_pid=$!
wait_for grep -q listening "$run/smtp.log" || fail "SMTP sink did not start"

export NSS_WRAPPER_PASSWD="$run/passwd" NSS_WRAPPER_GROUP="$run/group"
# 1,000 open dialogues need more than the usual 1,024 descriptors (dash and
# bash both have ulimit -n).
# shellcheck disable=SC3045
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
LD_PRELOAD=libnss_wrapper.so "$bin/ssprd" --config "$run/sspr.conf" 2>"$run/ssprd.log" &
daemon_pid=$!
wait_for grep -q "listening on" "$run/ssprd.log" || fail "ssprd did not start"
i=0
while [ $i -lt "$users" ]; do
	u=$(printf 'bench%03d' $i)
	LD_PRELOAD=libnss_wrapper.so "$bin/ssprctl" --config "$run/sspr.conf" \
		enroll "$u" --email "$u@example.org" >/dev/null 2>>"$run/enroll.log" ||
		fail "enrolling $u failed"
	i=$((i + 1))
done

common="--socket $run/ssprd.sock --inbox $run/inbox.sock --users $users"
common="$common --daemon-pid $daemon_pid --smtp-pid $smtp_pid"

# Count ssprd's crypt(3) calls (the new hash and the password-history checks)
# with a uprobe on libcrypt's crypt_ra, when perf can add one (root). The
# probe is the only thing changed outside the run directory; removed on exit.
crypt_opt=""
libcrypt=$(ldd "$bin/ssprd" | awk '/libcrypt\.so/ { print $3 }')
if [ "$(id -u)" -eq 0 ] && command -v perf >/dev/null && [ -n "$libcrypt" ]; then
	perf probe -q -d 'sspr_bench:*' 2>/dev/null || true
	if perf probe -q -x "$libcrypt" --add 'sspr_bench:crypt_ra=crypt_ra' 2>>"$run/perf.log"; then
		probe='sspr_bench:*'
		crypt_opt="--crypt-event sspr_bench:crypt_ra"
	fi
fi
[ -n "$crypt_opt" ] || log "perf uprobe not available: crypt calls per dialogue not counted"

# --- 4. Footprint first, on a fresh daemon -------------------------------------
log "4/4 footprint: $open_n open dialogues (runs first, on a fresh daemon; about 5 s)"
# shellcheck disable=SC2086
timeout --foreground 120 "$bin/bench_reset" footprint $common --open "$open_n" \
	>"$run/sec4.txt" 2>>"$run/bench_reset.log" || fail "footprint failed"

# --- 2. Throughput -----------------------------------------------------------
log "2/4 reset throughput with $clients clients, $seconds s each (about 2 min)"
# Every level stops starting dialogues after $seconds s; each program's
# bound leaves room for setup and the dialogues still under way.
# shellcheck disable=SC2086
timeout --foreground 600 "$bin/bench_reset" throughput $common $crypt_opt \
	--conf "$run/sspr.conf" --seconds "$seconds" --clients "$clients" \
	>"$run/sec2.txt" 2>>"$run/bench_reset.log" || fail "throughput failed"

# --- 3. Isolation --------------------------------------------------------------
log "3/4 isolation: SMTP stalled for $stall s (about $((stall + 15)) s)"
# shellcheck disable=SC2086
timeout --foreground $((stall + 200)) "$bin/bench_reset" isolation $common --base 10 \
	--stall "$stall" >"$run/sec3.txt" 2>>"$run/bench_reset.log" || fail "isolation failed"
"$bin/bench_reset" rss "$daemon_pid" "idle again after sections 2 and 3" >>"$run/sec4.txt"

# --- The table -----------------------------------------------------------------
echo
echo "sspr benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n), $(nproc) cores," \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"state and shadow on $(df -PT "$run" | awk 'NR == 2 { print $2 }')"
# Other work on the machine skews every figure: say how busy it was.
echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in 1 2 3 4; do
	echo
	cat "$run/sec$s.txt"
done
echo
count() { grep -c "$1" "$run/ssprd.log" || true; }
echo "ssprd log: $(count 'reset dialogue started') dialogues started, $(count ': error: ') errors" \
	"(the SMTP stall of section 3 causes some), $(count ': warning: ') warnings"
