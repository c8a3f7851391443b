#!/bin/bash
# Start the installed ssprd the way systemd would start ssprd.socket and
# ssprd.service, on a machine where systemd is not PID 1 (CI containers).
#
# Usage: run-as-unit.sh SOCKET_UNIT SERVICE_UNIT
# Environment: NOTIFY_SOCKET (passed on, for Type=notify).
#
# Everything is read from the unit files, so a change there is tested:
#   ssprd.socket:  ListenStream, SocketMode, DirectoryMode (via
#                  systemd-socket-activate: one listening socket, LISTEN_FDS)
#   ssprd.service: ExecStart, StateDirectory(+Mode), UMask,
#                  ProtectSystem=strict (every mount read-only but /dev,
#                  /proc, /sys), ReadWritePaths (a "-" path may be
#                  missing), ProtectHome=yes,
#                  PrivateTmp=yes, NoNewPrivileges, CapabilityBoundingSet.
# Not emulated: the seccomp filter (SystemCallFilter, RestrictAddressFamilies,
# MemoryDenyWriteExecute, ...), PrivateDevices and the Protect{Kernel,...}
# options; `systemd-analyze verify` checks their syntax. Where no mount
# namespace can be made (an unprivileged container), the file-system part is
# left out with a warning on standard error.
#
# The process keeps its PID through every exec, as sd_listen_fds(3) requires
# (LISTEN_PID), so the caller's $! is ssprd's PID at the end.
set -euo pipefail

socket_unit=$1
service_unit=$2

die() {
	echo "run-as-unit: $*" >&2
	exit 1
}

# All values of KEY in FILE, space separated (later lines add to earlier).
values() {
	sed -n "s/^$2=//p" "$1" | tr '\n' ' ' | sed 's/ *$//'
}

# The single value of KEY in FILE (the last one wins, as in systemd).
value() {
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

case "${SSPR_UNIT_PHASE:-socket}" in
socket)
	listen=$(value "$socket_unit" ListenStream)
	mode=$(value "$socket_unit" SocketMode)
	dirmode=$(value "$socket_unit" DirectoryMode)
	if [ -z "$listen" ] || [ -z "$mode" ] || [ -z "$dirmode" ]; then
		die "$socket_unit: ListenStream, SocketMode and DirectoryMode are required"
	fi
	dir=$(dirname "$listen")
	[ -d "$dir" ] || mkdir -m "$dirmode" "$dir"
	# systemd-socket-activate always creates the socket 0644; give it the
	# unit's SocketMode, as systemd would, once it is there.
	(
		for _ in $(seq 200); do
			[ -S "$listen" ] && exec chmod "$mode" "$listen"
			sleep 0.05
		done
	) &
	exec systemd-socket-activate -l "$listen" -E PATH -E NOTIFY_SOCKET \
		-E SSPR_UNIT_PHASE=service -- /bin/bash "$0" "$@"
	;;
service)
	# unshare without --fork keeps the PID.
	if unshare --mount --propagation private -- true 2>/dev/null; then
		exec unshare --mount --propagation private -- env SSPR_UNIT_PHASE=sandbox \
			/bin/bash "$0" "$@"
	fi
	# An unprivileged container: the capability and no-new-privileges
	# parts still apply.
	echo "run-as-unit: WARNING: no mount namespace here (CAP_SYS_ADMIN?):" \
		"ProtectSystem, ReadWritePaths, PrivateTmp and ProtectHome not emulated" >&2
	exec env SSPR_UNIT_PHASE=sandbox SSPR_UNIT_MOUNTS=no /bin/bash "$0" "$@"
	;;
sandbox) ;;
*) die "bad SSPR_UNIT_PHASE" ;;
esac

u=$service_unit
[ "$(value "$u" ProtectSystem)" = strict ] || die "$u: only ProtectSystem=strict is emulated"

state=$(value "$u" StateDirectory)
if [ -n "$state" ]; then
	state_mode=$(value "$u" StateDirectoryMode)
	mkdir -p "/var/lib/$state"
	chmod "${state_mode:-0755}" "/var/lib/$state"
fi

mount_sandbox() {
	# ProtectSystem=strict: everything read-only except the API file systems.
	findmnt -rn -o TARGET | while read -r m; do
		m=$(printf '%b' "$m") # findmnt escapes blanks as \x20
		case "$m" in
		/dev | /dev/* | /proc | /proc/* | /sys | /sys/*) continue ;;
		esac
		if ! mount -o remount,bind,ro "$m" 2>/dev/null; then
			[ "$m" != / ] || die "cannot make / read-only"
			echo "run-as-unit: warning: cannot make $m read-only" >&2
		fi
	done

	rw_paths="$(values "$u" ReadWritePaths)${state:+ /var/lib/$state}"
	for p in $rw_paths; do
		# "-" prefix: systemd ignores the path when it does not exist.
		if [ "${p#-}" != "$p" ]; then
			p=${p#-}
			[ -e "$p" ] || continue
		fi
		mount --bind "$p" "$p"
		mount -o remount,bind,rw "$p"
	done

	if [ "$(value "$u" PrivateTmp)" = yes ]; then
		for d in /tmp /var/tmp; do
			mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$d"
		done
	fi
	if [ "$(value "$u" ProtectHome)" = yes ]; then
		for d in /home /root /run/user; do
			if [ -d "$d" ]; then
				mount -t tmpfs -o ro,mode=000 tmpfs "$d"
			fi
		done
	fi
}
if [ "${SSPR_UNIT_MOUNTS:-yes}" != no ]; then
	mount_sandbox
fi

um=$(value "$u" UMask)
[ -z "$um" ] || umask "$um"

priv=(setpriv)
if [ "$(value "$u" NoNewPrivileges)" = yes ]; then
	priv+=(--no-new-privs)
fi
caps=$(value "$u" CapabilityBoundingSet)
if [ -n "$caps" ]; then
	set=-all
	for c in $caps; do
		c=${c#CAP_}
		set+=",+${c,,}"
	done
	priv+=(--bounding-set "$set" --inh-caps -all)
fi

cd / # WorkingDirectory= is unset
read -r -a cmd <<<"$(value "$u" ExecStart)"
[ ${#cmd[@]} -gt 0 ] || die "$u: no ExecStart"
echo "run-as-unit: pid $$: ${priv[*]} -- ${cmd[*]}" >&2
exec "${priv[@]}" -- "${cmd[@]}"
