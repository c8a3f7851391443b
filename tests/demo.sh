#!/bin/sh
# `make demo`: reset a password at a real PAM prompt in a sandbox.
# Nothing in /etc changes: users come from nss_wrapper, the PAM stack from
# pam_wrapper, the shadow file, state and mail server live in a temp dir
# that is removed on exit.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
# The catalogs make built (try: SSPR_DEMO_LANGUAGE=zh_TW make demo).
export SSPR_LOCALEDIR="$build/locale"
demo_language=${SSPR_DEMO_LANGUAGE:-en}
py=/usr/bin/python3
dir=$(mktemp -d /tmp/sspr-demo.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

old_password="demo-password-1"
hash=$($py -W ignore -c 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512)))' "$old_password")
# root too: cracklib (the policy's dictionary check) looks up the uid
# ssprd runs as.
printf '%s\n' "root:x:0:0:root:/root:/bin/sh" "demo:x:4242:4242:Demo User,,,:$dir:/bin/sh" \
	>"$dir/passwd"
echo "demo:x:4242:" >"$dir/group"
echo "demo:$hash:19000:0:99999:7:::" >"$dir/shadow"
chmod 600 "$dir/shadow"
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
libdir=$(pkg-config --variable=libdir pam)

cat >"$dir/sspr.conf" <<CONF
[general]
helpdesk = This is the sspr demo: no helpdesk here.
language = $demo_language
[daemon]
socket = $dir/ssprd.sock
state_dir = $dir/state
# The demo runs without the privileged/engine split (no sspr user needed).
user =
[backend]
shadow_file = $dir/shadow
[email]
smtp_url = smtp://127.0.0.1:$port
from = sspr-demo@example.org
CONF

mkdir "$dir/pam.d"
# pam_unix cannot read a sandboxed shadow file, so a small test module
# checks the password in its place.
cat >"$dir/pam.d/sspr-demo" <<PAM
auth [success=done ignore=ignore default=die] $build/pam_sspr.so socket=$dir/ssprd.sock
auth required $build/tests/pam_testpw.so shadow=$dir/shadow
PAM
echo "auth required $libdir/security/pam_deny.so" >"$dir/pam.d/other"

export NSS_WRAPPER_PASSWD="$dir/passwd" NSS_WRAPPER_GROUP="$dir/group"
export LD_PRELOAD="libnss_wrapper.so"

$py "$top/tests/demo_smtp.py" "$port" &
pids="$pids $!"
"$build/ssprd" --config "$dir/sspr.conf" 2>"$dir/ssprd.log" &
pids="$pids $!"
i=0
until [ -S "$dir/ssprd.sock" ] && $py -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		echo "demo: ssprd or the mail server did not start:" >&2
		cat "$dir/ssprd.log" >&2
		exit 1
	fi
	sleep 0.1
done
"$build/ssprctl" --config "$dir/sspr.conf" enroll demo --email demo@example.org >/dev/null

login() {
	LD_PRELOAD="libpam_wrapper.so libnss_wrapper.so" PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$dir/pam.d" pamtester sspr-demo demo authenticate
}

cat <<INTRO

  sspr demo: self-service password reset at a login prompt
  =========================================================
  A sandbox in $dir (removed when the demo ends):
  the user "demo", its shadow file, ssprd, and a mail server that prints
  every message it receives right here.

  Pretend you forgot demo's password:
    1. At "Password (press Enter if you forgot it):" just press Enter.
    2. Answer y, then 1 to get a code by email.
    3. The email is printed below: type its 6-digit code.
    4. Choose a new password (at least 12 characters), twice, then Enter.
  Then log in with the new password.

INTRO
login || true
echo
echo "  Now log in as demo with your new password (the old one was $old_password)."
echo
tries=0
until login; do
	tries=$((tries + 1))
	if [ $tries -ge 3 ]; then
		echo "  Still not in: run 'make demo' again to start over."
		exit 1
	fi
	echo "  That did not work; try again."
done
echo
echo "  Logged in with the new password. Shadow entry now: $(cut -d: -f1-3 "$dir/shadow" | cut -c1-40)..."
echo "  ssprd's log (no codes or passwords in it):"
sed 's/^/    /' "$dir/ssprd.log"
