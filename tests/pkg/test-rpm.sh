#!/bin/bash
# RPM spec test: packaging/rpm/sspr.spec parses with rpmspec -P, and builds
# with rpmbuild using Fedora's directory macros (Debian's rpm lacks
# systemd-rpm-macros, so they are defined here); the packages must hold
# exactly the files the spec means, in Fedora's places. Build dependencies
# are not checked (--nodeps: Debian's rpm database is empty); the systemd
# scriptlet macros stay unexpanded here and are only checked by name.
# Needs no root. Run by `make check-package`.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
spec=$top/packaging/rpm/sspr.spec
passed=0
ok() {
	echo "ok: $*"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL: $*"
	echo "rpm spec tests: $passed passed, 1 failed"
	exit 1
}

work=$(mktemp -d /tmp/sspr-rpm.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== rpmspec -P"
rpmspec -P "$spec" >"$work/parsed" 2>"$work/parse.err" || {
	cat "$work/parse.err"
	fail "rpmspec -P"
}
if [ -s "$work/parse.err" ]; then
	cat "$work/parse.err"
	fail "rpmspec -P printed warnings"
fi
ok "rpmspec -P parses the spec without warnings"

version=$(rpmspec -q --srpm --qf '%{VERSION}' "$spec")
make_version=$(sed -n 's/^VERSION := //p' "$top/Makefile")
[ "$version" = "$make_version" ] || fail "spec Version $version, Makefile VERSION $make_version"
ok "spec Version matches the Makefile ($version)"

echo "== rpmbuild -bb with Fedora's directories"
mkdir -p "$work/SOURCES" "$work/src/sspr-$version"
(cd "$top" && tar -cf - --exclude=./build --exclude=./build-asan --exclude=./.git .) | tar -xf - -C "$work/src/sspr-$version"
tar -C "$work/src" -czf "$work/SOURCES/sspr-$version.tar.gz" "sspr-$version"
rpmbuild -bb --nodeps --noclean \
	--define "_topdir $work" \
	--define "_libdir /usr/lib64" \
	--define "_sharedstatedir /var/lib" \
	--define "_docdir_fmt %%{NAME}" \
	--define "_unitdir /usr/lib/systemd/system" \
	--define "_tmpfilesdir /usr/lib/tmpfiles.d" \
	"$spec" >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log"
	fail "rpmbuild -bb"
}
arch=$(rpm --eval '%{_arch}')
main=$work/RPMS/$arch/sspr-$version-1.$arch.rpm
pam=$work/RPMS/$arch/pam_sspr-$version-1.$arch.rpm
[ -f "$main" ] && [ -f "$pam" ] || fail "rpmbuild did not write $main and $pam"
ok "rpmbuild built sspr and pam_sspr"

# "PATH MODE FLAGS" per file, without Fedora's build-id links.
listing() {
	rpm -qp --qf '[%{FILENAMES} %{FILEMODES:perms} %{FILEFLAGS:fflags}\n]' "$1" 2>/dev/null |
		grep -v '^/usr/lib/\.build-id' | sed 's/ *$//' | LC_ALL=C sort
}
listing "$pam" >"$work/pam.list"
listing "$main" >"$work/main.list"
cat >"$work/pam.want" <<'EOF'
/usr/lib64/security/pam_sspr.so -rw-r--r--
/usr/share/man/man8/pam_sspr.8 -rw-r--r-- d
EOF
diff -u "$work/pam.want" "$work/pam.list" || fail "pam_sspr file list"
ok "pam_sspr: the module in %{_libdir}/security and its man page"

cat >"$work/main.want" <<'EOF'
/etc/sspr.conf -rw-r--r-- cn
/usr/bin/sspr -rwxr-xr-x
/usr/lib/systemd/system/ssprd.service -rw-r--r--
/usr/lib/systemd/system/ssprd.socket -rw-r--r--
/usr/lib/tmpfiles.d/sspr.conf -rw-r--r--
/usr/sbin/ssprctl -rwxr-xr-x
/usr/sbin/ssprd -rwxr-xr-x
/usr/share/doc/sspr drwxr-xr-x
/usr/share/doc/sspr/README.md -rw-r--r-- d
/usr/share/doc/sspr/examples drwxr-xr-x
/usr/share/doc/sspr/examples/pam.d drwxr-xr-x
/usr/share/doc/sspr/examples/pam.d/README -rw-r--r-- d
/usr/share/doc/sspr/examples/pam.d/sspr-example -rw-r--r-- d
/usr/share/locale/zh_TW/LC_MESSAGES/sspr.mo -rw-r--r--
/usr/share/man/man1/sspr.1 -rw-r--r-- d
/usr/share/man/man5/sspr.conf.5 -rw-r--r-- d
/usr/share/man/man8/ssprctl.8 -rw-r--r-- d
/usr/share/man/man8/ssprd.8 -rw-r--r-- d
/usr/share/sspr drwxr-xr-x
/usr/share/sspr/sspr.ldif -rw-r--r--
/usr/share/sspr/sspr.schema -rw-r--r--
/var/lib/sspr drwx------
EOF
diff -u "$work/main.want" "$work/main.list" || fail "sspr file list"
ok "sspr: %config(noreplace) /etc/sspr.conf, units in %{_unitdir}, state dir 0700, no pam-configs"

root=$work/BUILDROOT/sspr-$version-1.$arch
grep -qx 'ExecStart=/usr/sbin/ssprd --config /etc/sspr.conf' "$root/usr/lib/systemd/system/ssprd.service" ||
	fail "ssprd.service ExecStart does not point at /usr/sbin/ssprd"
ok "the packaged unit starts /usr/sbin/ssprd"

rpm -qp --scripts "$main" 2>/dev/null >"$work/scripts"
for want in '%systemd_post ssprd.socket ssprd.service' '%systemd_preun ssprd.socket ssprd.service' \
	'%systemd_postun_with_restart ssprd.service' '%tmpfiles_create /usr/lib/tmpfiles.d/sspr.conf'; do
	grep -qxF "$want" "$work/scripts" || fail "scriptlet missing: $want"
done
ok "scriptlets: systemd_post/preun/postun_with_restart for the units, tmpfiles_create"

# The engine's system user, made before the files land (%pre).
sed -n '/^preinstall scriptlet/,/^[a-z]* scriptlet/p' "$work/scripts" >"$work/pre"
grep -q 'getent passwd sspr >/dev/null ||' "$work/pre" && grep -q 'useradd -r -g sspr' "$work/pre" &&
	grep -q 'groupadd -r sspr' "$work/pre" || fail "the preinstall scriptlet does not create the system user sspr"
rpm -qp --requires "$main" 2>/dev/null | grep -q '^shadow-utils' ||
	fail "sspr does not require shadow-utils (useradd in %pre)"
ok "preinstall scriptlet creates the system user and group sspr (Requires(pre): shadow-utils)"

echo "rpm spec tests: $passed passed, 0 failed"
