# sspr - self-service password reset for Linux. See README.md.
# Every library comes from pkg-config; the environment's CFLAGS, CPPFLAGS and
# LDFLAGS are added (so dpkg-buildflags hardening applies).

VERSION := 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# Lazy: pkg-config may not be installed until `make deps` has run.
PAMDIR ?= $(shell pkg-config --variable=libdir pam)/security
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config

WARN := -std=gnu11 -Wall -Wextra -Wformat=2 -Wshadow -Werror
BASE_CPPFLAGS := -I. -D_GNU_SOURCE -DSSPR_VERSION='"$(VERSION)"'

B := build

DAEMON_PKGS := libsystemd libsodium libcurl sqlite3 inih libcrypt pwquality libcrypto liboath \
	libmicrohttpd json-c libqrencode audit
TOOL_PKGS := inih libsystemd json-c
TEST_PKGS := check libpamtest libsodium libcurl sqlite3 inih libcrypt libsystemd pwquality libcrypto \
	liboath libmicrohttpd json-c libqrencode audit
# libunistring (NFKC and case folding of security answers) has no .pc file.
UNISTRING_LIBS := -lunistring

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pc_libs = $(shell $(PKG_CONFIG) --libs $(1))

ALL_CFLAGS = $(WARN) $(BASE_CPPFLAGS) $(CPPFLAGS) $(CFLAGS)

COMMON_SRC := $(wildcard common/*.c)
SSPRD_SRC := $(filter-out ssprd/main.c,$(wildcard ssprd/*.c))
PAM_SRC := $(wildcard pam_sspr/*.c)
# The module links only what a login process needs.
PAM_COMMON_SRC := common/proto.c common/client.c common/util.c

COMMON_OBJ := $(COMMON_SRC:%.c=$(B)/obj/%.o)
SSPRD_OBJ := $(SSPRD_SRC:%.c=$(B)/obj/%.o)
PAM_OBJ := $(PAM_SRC:%.c=$(B)/pic/%.o) $(PAM_COMMON_SRC:%.c=$(B)/pic/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/obj/%.o)
INTEG_SRC := $(filter-out tests/integration/pam_testpw.c,$(wildcard tests/integration/*.c))
INTEG_OBJ := $(INTEG_SRC:%.c=$(B)/obj/%.o)

PROGRAMS := $(B)/ssprd $(B)/ssprctl $(B)/sspr
MODULE := $(B)/pam_sspr.so
TEST_BINS := $(B)/tests/unit $(B)/tests/integration $(B)/tests/pam_testpw.so

.PHONY: all tests check demo deps install uninstall clean format format-check lint-man bench
all: $(PROGRAMS) $(MODULE)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(call pc_cflags,$(DAEMON_PKGS)) -MMD -MP -c $< -o $@

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC $(call pc_cflags,pam) -MMD -MP -c $< -o $@

$(B)/ssprd: $(B)/obj/ssprd/main.o $(SSPRD_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(DAEMON_PKGS)) $(UNISTRING_LIBS) -lpthread

# Every cli/ file but the other program's main.
SSPRCTL_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(filter-out cli/sspr.c,$(wildcard cli/*.c)))
SSPR_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(filter-out cli/ssprctl.c cli/enroll.c cli/ssprctl_%.c,$(wildcard cli/*.c)))

$(B)/ssprctl: $(SSPRCTL_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(TOOL_PKGS))

$(B)/sspr: $(SSPR_OBJ) $(COMMON_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(TOOL_PKGS))

$(MODULE): $(PAM_OBJ) pam_sspr/pam_sspr.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-z,defs -Wl,--version-script=pam_sspr/pam_sspr.map \
		-o $@ $(PAM_OBJ) $(call pc_libs,pam)

tests: $(TEST_BINS)

$(B)/tests/unit: $(UNIT_OBJ) $(SSPRD_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(TEST_PKGS)) $(UNISTRING_LIBS) -lpthread

$(B)/tests/integration: $(INTEG_OBJ) $(B)/obj/ssprd/sha1.o $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(TEST_PKGS)) $(UNISTRING_LIBS) -lpthread

$(B)/tests/pam_testpw.so: tests/integration/pam_testpw.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Wl,-z,defs -o $@ $< $(call pc_libs,pam libcrypt)

# --- Benchmarks (make bench; not part of make check) -------------------------
BENCH_RESET_SRC := tests/bench/bench_reset.c tests/bench/bench_reset_client.c \
	tests/bench/bench_reset_tput.c tests/bench/bench_reset_iso.c \
	tests/bench/bench_reset_mem.c tests/bench/bench_stats.c
BENCH_BINS := $(B)/bench/bench_login $(B)/bench/bench_reset $(B)/bench/bench_policy

$(B)/bench/bench_login: $(B)/obj/tests/bench/bench_login.o $(B)/obj/tests/bench/bench_stats.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,pam) -lpthread

$(B)/bench/bench_reset: $(BENCH_RESET_SRC:%.c=$(B)/obj/%.o) $(B)/obj/ssprd/pwhash.o $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(DAEMON_PKGS)) $(UNISTRING_LIBS) -lpthread

$(B)/bench/bench_policy: $(B)/obj/tests/bench/bench_policy.o $(B)/obj/tests/unit/breached_gen.o \
		$(SSPRD_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(DAEMON_PKGS)) $(UNISTRING_LIBS) -lpthread -lm

# --- Dependencies -----------------------------------------------------------
# Debian packages needed to build, test and run the demo.
DEB_DEPS := build-essential pkg-config libpam0g-dev libsystemd-dev libsodium-dev \
	libcurl4-openssl-dev libssl-dev libsqlite3-dev libcrypt-dev libinih-dev check \
	libpam-wrapper libpamtest0-dev libnss-wrapper pamtester python3 python3-aiosmtpd \
	mandoc systemd binutils util-linux libpwquality-dev cracklib-runtime liboath-dev \
	libmicrohttpd-dev libunistring-dev libjson-c-dev libqrencode-dev libaudit-dev openssh-server openssh-client python3-pexpect login passwd libpam-modules-bin

deps:
	@missing=$$(for p in $(DEB_DEPS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	missing=$$(echo $$missing); \
	if [ "$$(id -u)" -eq 0 ]; then \
		echo "deps: installing $$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else \
		echo "deps: missing packages; run as root:"; \
		echo "  apt-get install $$missing"; exit 1; \
	fi

# --- Tests and demo ---------------------------------------------------------
check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory lint-man
	tests/run-tests.sh

bench:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(B)/bench/bench_policy
	tests/bench/run-bench.sh

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all $(B)/tests/pam_testpw.so
	tests/demo.sh

lint-man:
	@for f in man/*.[1-8]; do mandoc -T lint -W warning $$f || exit 1; done; echo "man pages: lint clean"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

# --- Install ----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PAMDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)
	install -m 0755 $(B)/ssprd $(B)/ssprctl $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(B)/sspr $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MODULE) $(DESTDIR)$(PAMDIR)/pam_sspr.so
	install -m 0644 man/sspr.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/sspr.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/pam_sspr.8 man/ssprd.8 man/ssprctl.8 $(DESTDIR)$(MANDIR)/man8/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/sspr.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/sspr.conf"; \
	else install -m 0644 conf/sspr.conf $(DESTDIR)$(SYSCONFDIR)/sspr.conf; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ssprd $(DESTDIR)$(SBINDIR)/ssprctl $(DESTDIR)$(BINDIR)/sspr \
		$(DESTDIR)$(PAMDIR)/pam_sspr.so $(DESTDIR)$(MANDIR)/man1/sspr.1 \
		$(DESTDIR)$(MANDIR)/man5/sspr.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/pam_sspr.8 $(DESTDIR)$(MANDIR)/man8/ssprd.8 \
		$(DESTDIR)$(MANDIR)/man8/ssprctl.8

# --- Packaging (issue 7): units, PAM profile, examples; .deb and .rpm -------
# `make install` puts these where the Debian and RPM packages do; the binaries
# follow PREFIX (the packages use PREFIX=/usr) and the unit's ExecStart is
# rewritten to match.
SYSTEMDUNITDIR ?= $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
TMPFILESDIR ?= $(shell $(PKG_CONFIG) --variable=tmpfilesdir systemd 2>/dev/null || echo /usr/lib/tmpfiles.d)
PAMCONFIGDIR ?= /usr/share/pam-configs
DOCDIR ?= $(PREFIX)/share/doc/sspr
# Debian packages `make deb` and the package tests need besides DEB_DEPS (the
# build dependencies); listed even when DEB_DEPS has them too. No fakeroot:
# Rules-Requires-Root: no.
PKG_DEPS := debhelper dpkg-dev lintian rpm libpam-runtime pamtester python3-pexpect \
	python3-aiosmtpd passwd util-linux systemd
.PHONY: install-dist uninstall-dist deb rpmspec-check deps-package check-package
install: install-dist
uninstall: uninstall-dist

install-dist:
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(PAMCONFIGDIR) \
		$(DESTDIR)$(DOCDIR)/examples/pam.d
	sed -e 's|/usr/sbin/ssprd|$(SBINDIR)/ssprd|' -e 's|/etc/sspr.conf|$(SYSCONFDIR)/sspr.conf|' \
		conf/ssprd.service > $(DESTDIR)$(SYSTEMDUNITDIR)/ssprd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/ssprd.service
	install -m 0644 conf/ssprd.socket $(DESTDIR)$(SYSTEMDUNITDIR)/ssprd.socket
	install -m 0644 conf/tmpfiles.d/sspr.conf $(DESTDIR)$(TMPFILESDIR)/sspr.conf
	install -m 0644 conf/pam-configs/sspr $(DESTDIR)$(PAMCONFIGDIR)/sspr
	install -m 0644 conf/pam.d/README conf/pam.d/sspr-example $(DESTDIR)$(DOCDIR)/examples/pam.d/
	@if [ -z "$(DESTDIR)" ]; then echo "install: enable with: systemctl daemon-reload &&" \
		"systemctl enable --now ssprd.socket; then pam-auth-update --enable sspr"; fi

# An enabled profile must leave /etc/pam.d before the module goes.
uninstall-dist:
	@if [ -z "$(DESTDIR)" ] && [ -e $(PAMCONFIGDIR)/sspr ] && command -v pam-auth-update >/dev/null; then \
		echo "pam-auth-update --package --remove sspr"; pam-auth-update --package --remove sspr; fi
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/ssprd.service $(DESTDIR)$(SYSTEMDUNITDIR)/ssprd.socket \
		$(DESTDIR)$(TMPFILESDIR)/sspr.conf $(DESTDIR)$(PAMCONFIGDIR)/sspr \
		$(DESTDIR)$(DOCDIR)/examples/pam.d/README $(DESTDIR)$(DOCDIR)/examples/pam.d/sspr-example
	rmdir $(DESTDIR)$(DOCDIR)/examples/pam.d $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# dpkg-buildpackage wants debian/ at the top of the source: build a copy.
deb:
	rm -rf $(B)/deb
	mkdir -p $(B)/deb/src
	tar -cf - --exclude=./$(B) --exclude=./.git . | tar -xf - -C $(B)/deb/src
	cp -R packaging/debian $(B)/deb/src/debian
	cd $(B)/deb/src && dpkg-buildpackage -us -uc -b
	@ls -1 $(B)/deb/*.deb $(B)/deb/*.changes

rpmspec-check:
	rpmspec -P packaging/rpm/sspr.spec >/dev/null && echo "sspr.spec: parses"

deps-package:
	@$(MAKE) --no-print-directory deps DEB_DEPS="$(DEB_DEPS) $(PKG_DEPS)"

# test-deb.sh installs the packages on this machine and removes them again
# (root only); test-rpm.sh builds the RPMs with rpmbuild (no root needed).
check-package: deps-package
	tests/pkg/test-rpm.sh
	tests/pkg/test-deb.sh
# --- end of packaging -----------------------------------------------------

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj $(B)/pic -name '*.d' -type f 2>/dev/null)
