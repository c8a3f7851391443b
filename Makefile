# sspr - self-service password reset for Linux. See README.md.
# Every library comes from pkg-config; the environment's CFLAGS, CPPFLAGS and
# LDFLAGS are added (so dpkg-buildflags hardening applies).

VERSION := 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
# Message catalogs: LOCALEDIR/<lang>/LC_MESSAGES/sspr.mo (compiled in; the
# tests and the demo point $SSPR_LOCALEDIR at build/locale instead).
LOCALEDIR ?= $(PREFIX)/share/locale
# The LDAP schema for [daemon] store = ldap (sspr.conf(5)).
SSPRDATADIR ?= $(PREFIX)/share/sspr
SYSCONFDIR ?= /etc
# Lazy: pkg-config may not be installed until `make deps` has run.
PAMDIR ?= $(shell pkg-config --variable=libdir pam)/security
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config

WARN := -std=gnu11 -Wall -Wextra -Wformat=2 -Wshadow -Werror
BASE_CPPFLAGS := -I. -D_GNU_SOURCE -DSSPR_VERSION='"$(VERSION)"' -DLOCALEDIR='"$(LOCALEDIR)"'

B := build

# Languages with a catalog (po/LINGUAS); the rules are under Translations.
LINGUAS := $(shell sed -e 's/\#.*//' po/LINGUAS 2>/dev/null)
MO_FILES := $(LINGUAS:%=$(B)/locale/%/LC_MESSAGES/sspr.mo)
# Test-only pseudo-language: every line of every text starts with "⟦", so a
# text that is not marked for translation shows up (never installed).
PSEUDO_MARK := ⟦
PSEUDO_MO := $(B)/locale/en@pseudo/LC_MESSAGES/sspr.mo

DAEMON_PKGS := libsystemd libsodium libcurl sqlite3 inih libcrypt pwquality libcrypto liboath \
	libmicrohttpd json-c libqrencode audit ldap
TOOL_PKGS := inih libsystemd json-c
TEST_PKGS := check libpamtest libsodium libcurl sqlite3 inih libcrypt libsystemd pwquality libcrypto \
	liboath libmicrohttpd json-c libqrencode audit ldap
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

.PHONY: all tests check demo deps install uninstall clean format format-check lint-man bench \
	fuzz fuzz-run check-asan pot update-po check-po
all: $(PROGRAMS) $(MODULE) $(MO_FILES)

# A failed recipe (msgfmt writes its output even on errors) leaves no target.
.DELETE_ON_ERROR:

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

# --- Translations (issue 10; po/README) ------------------------------------
# Every text marked with _() N_() P_() in these files goes to po/sspr.pot.
# pam_sspr's few own texts (its first prompt) use glibc's gettext with the
# login process's locale (pam_sspr/text.c), from the same catalogs.
POT_SRC = $(sort $(wildcard common/*.c common/*.h ssprd/*.c ssprd/*.h cli/*.c cli/*.h pam_sspr/*.c))
XGETTEXT_FLAGS := --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 \
	--flag=_:1:pass-c-format --flag=P_:1:pass-c-format --flag=P_:2:pass-c-format \
	--add-comments=TRANSLATORS: --sort-by-file --add-location=file --package-name=sspr \
	--package-version=$(VERSION) --msgid-bugs-address=

# A language's catalog: po/<lang>.po, then the parts still being written
# (po/<lang>-*.part.po), the first translation of a text winning.
define MO_RULE
$(B)/locale/$(1)/LC_MESSAGES/sspr.mo: po/$(1).po $(wildcard po/$(1)-*.part.po)
	@mkdir -p $$(dir $$@) $(B)/po
	msgcat --use-first -o $(B)/po/$(1).po $$^
	msgfmt -o $$@ $(B)/po/$(1).po
endef
$(foreach l,$(LINGUAS),$(eval $(call MO_RULE,$(l))))

# The template from the current sources (po/sspr.pot is the committed copy).
$(B)/po/sspr.pot: $(POT_SRC)
	@mkdir -p $(dir $@)
	xgettext $(XGETTEXT_FLAGS) -o $@ $(POT_SRC)
	@test -f $@ || { echo "xgettext: no marked text" >&2; exit 1; }

$(PSEUDO_MO): $(B)/po/sspr.pot
	@mkdir -p $(dir $@)
	sed -e '1,/^$$/{/^#, fuzzy/d;}' -e 's/charset=CHARSET/charset=UTF-8/' \
		-e 's/nplurals=INTEGER; plural=EXPRESSION;/nplurals=2; plural=(n != 1);/' $< | \
		msgen -o - - | msgfilter --keep-header -o $(B)/po/en@pseudo.po sed -e 's/^\(.\)/$(PSEUDO_MARK)\1/'
	msgfmt -o $@ $(B)/po/en@pseudo.po

pot: $(B)/po/sspr.pot
	cp $< po/sspr.pot

# Bring every po/<lang>.po up to date with the template (new texts empty,
# changed ones fuzzy) for translators.
update-po: pot
	@for l in $(LINGUAS); do echo "msgmerge po/$$l.po"; \
		msgmerge --quiet --update --backup=none po/$$l.po po/sspr.pot || exit 1; done

# Every catalog and part, and the merged catalogs the build uses: syntax,
# header, and printf directives that match the English text. Then how much
# of the current sources' texts each language translates; with
# PO_COMPLETE=1 a text left untranslated (or fuzzy) fails.
PO_COMPLETE ?=
check-po: $(MO_FILES) $(B)/po/sspr.pot
	@set -e; for f in $(wildcard po/*.po) $(LINGUAS:%=$(B)/po/%.po); do \
		msgfmt --check -o /dev/null $$f || { echo "check-po: $$f fails msgfmt --check"; exit 1; }; \
	done; echo "po: msgfmt --check clean"
	@set -e; for l in $(LINGUAS); do \
		stats=$$(msgmerge --quiet --no-fuzzy-matching $(B)/po/$$l.po $(B)/po/sspr.pot | \
			msgfmt --statistics -o /dev/null - 2>&1); \
		echo "po: $$l: $$stats"; \
		if [ -n "$(PO_COMPLETE)" ] && echo "$$stats" | grep -Eq 'untranslated|fuzzy'; then \
			echo "check-po: $$l is incomplete"; exit 1; fi; \
	done

tests: $(TEST_BINS) $(MO_FILES) $(PSEUDO_MO)

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
	libmicrohttpd-dev libunistring-dev libjson-c-dev libqrencode-dev libaudit-dev openssh-server openssh-client python3-pexpect login passwd libpam-modules-bin \
	clang libclang-rt-dev llvm libldap-dev slapd ldap-utils gettext

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
	@$(MAKE) --no-print-directory check-po
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
	@for l in $(LINGUAS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 0644 $(B)/locale/$$l/LC_MESSAGES/sspr.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/sspr.mo || exit 1; done
	install -d $(DESTDIR)$(SSPRDATADIR)
	install -m 0644 conf/sspr.schema conf/sspr.ldif $(DESTDIR)$(SSPRDATADIR)/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/sspr.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/sspr.conf"; \
	else install -m 0644 conf/sspr.conf $(DESTDIR)$(SYSCONFDIR)/sspr.conf; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ssprd $(DESTDIR)$(SBINDIR)/ssprctl $(DESTDIR)$(BINDIR)/sspr \
		$(DESTDIR)$(PAMDIR)/pam_sspr.so $(DESTDIR)$(MANDIR)/man1/sspr.1 \
		$(DESTDIR)$(MANDIR)/man5/sspr.conf.5 \
		$(DESTDIR)$(MANDIR)/man8/pam_sspr.8 $(DESTDIR)$(MANDIR)/man8/ssprd.8 \
		$(DESTDIR)$(MANDIR)/man8/ssprctl.8 $(LINGUAS:%=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/sspr.mo) \
		$(DESTDIR)$(SSPRDATADIR)/sspr.schema $(DESTDIR)$(SSPRDATADIR)/sspr.ldif
	rmdir $(DESTDIR)$(SSPRDATADIR) 2>/dev/null || true

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
	tar -cf - --exclude=./$(B) --exclude=./$(ASAN_B) --exclude=./.git . | tar -xf - -C $(B)/deb/src
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

# --- Fuzzing and sanitizers ---------------------------------------------------
# make fuzz: one libFuzzer binary per fuzz/*.c in $(B)/fuzz/, with the code
# under test compiled from source into $(B)/fuzz-obj/ with the same
# sanitizers. make fuzz-run: each target for FUZZ_SECONDS on a copy of its
# seed corpus fuzz/corpus/NAME/ (the repository is never written); any crash,
# leak, UBSan report, timeout or broken invariant fails. See fuzz/README.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_OPT ?= -O1 -g
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS := $(basename $(notdir $(wildcard fuzz/*.c)))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/%)
FUZZ_COMMON_OBJ := $(COMMON_SRC:%.c=$(B)/fuzz-obj/%.o)
# Daemon sources a target needs beyond common/ (FUZZ_EXTRA_<target>).
FUZZ_EXTRA_privsep := $(wildcard ssprd/privsep_msg*.c)
FUZZ_LIBS = -Wl,--as-needed $(call pc_libs,$(DAEMON_PKGS)) $(UNISTRING_LIBS) -lpthread
# Reports go to stderr and the run log; a finding stops the run at once.
FUZZ_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:symbolize=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=report_objects=1

fuzz: $(FUZZ_BINS)

$(B)/fuzz-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) $(BASE_CPPFLAGS) $(FUZZ_OPT) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
		$(call pc_cflags,$(DAEMON_PKGS)) -MMD -MP -c $< -o $@

$(B)/fuzz/privsep: $(FUZZ_EXTRA_privsep:%.c=$(B)/fuzz-obj/%.o)

$(FUZZ_BINS): $(B)/fuzz/%: $(B)/fuzz-obj/fuzz/%.o $(FUZZ_COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_OPT) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

# Fresh corpus copies in $(B)/fuzz/run/NAME (new inputs land there; to keep
# some, see fuzz/README); crash inputs in
# $(B)/fuzz/artifacts/, the full output in $(B)/fuzz/NAME.log.
fuzz-run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory fuzz
	@set -e; fail=""; \
	for t in $(FUZZ_TARGETS); do \
		work=$(B)/fuzz/run/$$t; rm -rf "$$work"; mkdir -p "$$work/corpus" "$$work/tmp" \
			$(B)/fuzz/artifacts; \
		cp fuzz/corpus/$$t/* "$$work/corpus/"; \
		dict=""; [ ! -f fuzz/$$t.dict ] || dict="-dict=fuzz/$$t.dict"; \
		printf '== fuzz %-10s %ss, %s seeds: ' $$t $(FUZZ_SECONDS) \
			"$$(ls fuzz/corpus/$$t | wc -l)"; \
		if TMPDIR="$$PWD/$$work/tmp" $(FUZZ_ENV) $(B)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
			-error_exitcode=77 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(B)/fuzz/artifacts/$$t- $$dict "$$work/corpus" \
			>$(B)/fuzz/$$t.log 2>&1; then \
			sed -n 's/^stat::number_of_executed_units: *//p' $(B)/fuzz/$$t.log | \
				tr '\n' ' '; echo "runs, ok"; \
		else \
			echo "FAILED (exit $$?)"; tail -n 60 $(B)/fuzz/$$t.log; \
			ls -1 $(B)/fuzz/artifacts/$$t-* 2>/dev/null || true; fail="$$fail $$t"; \
		fi; \
		rm -rf "$$work/tmp"; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz: failed:$$fail"; exit 1; fi; echo "fuzz: all targets clean"

# make check-asan: the unit, integration and CLI tests with everything
# (ssprd, pam_sspr.so, the tools, the test binaries) built with ASan and
# UBSan by gcc into $(ASAN_B) (beside build/: the harnesses find the
# sources at $SSPR_BUILD/..).
# - The harnesses set LD_PRELOAD to pam_wrapper and nss_wrapper, which puts
#   them before libasan: verify_asan_link_order=0 allows that (neither
#   wraps malloc).
# - Both wrappers dlopen the real libraries with RTLD_DEEPBIND, which ASan
#   refuses: the *_DISABLE_DEEPBIND variables turn that off (pam_wrapper
#   1.1.4 reads UID_WRAPPER_DISABLE_DEEPBIND).
# - A program not built with ASan that loads our modules (the real passwd
#   in the integration tests) needs the runtime preloaded, with libcrypt
#   (ASan looks crypt_r up once, at start): SSPR_TEST_PRELOAD.
# - Reports of every process, daemons included, go to files that are
#   checked at the end: a daemon's exit status is not always looked at.
ASAN_B ?= build-asan
ASAN_CC ?= gcc
ASAN_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# Leaks that are not ours: pam_wrapper's constructor keeps two strings.
ASAN_LSAN_SUPPRESS := leak:libpam_wrapper.so
# The parts to run, e.g. make check-asan ASAN_TESTS=unit.
ASAN_TESTS ?= unit integration cli

check-asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory B=$(ASAN_B) CC=$(ASAN_CC) CFLAGS="-O1 -g $(ASAN_SAN)" \
		LDFLAGS="$(ASAN_SAN)" all tests
	@set -eu; top=$$PWD; build=$$top/$(ASAN_B); \
	run=$$(mktemp -d /tmp/sspr-asan.XXXXXX); chmod 755 "$$run"; trap 'rm -rf "$$run"' EXIT; \
	mkdir -m 1777 "$$run/reports"; \
	printf '%s\n' $(ASAN_LSAN_SUPPRESS) >"$$run/lsan.supp"; \
	export ASAN_OPTIONS="log_path=$$run/reports/asan:verify_asan_link_order=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"; \
	export LSAN_OPTIONS="suppressions=$$run/lsan.supp:print_suppressions=0"; \
	export UBSAN_OPTIONS="log_path=$$run/reports/ubsan:halt_on_error=1:print_stacktrace=1"; \
	export SSPR_TEST_PRELOAD="$$($(ASAN_CC) -print-file-name=libasan.so) libcrypt.so.1"; \
	export SSPR_LOCALEDIR="$$build/locale"; \
	export NSS_WRAPPER_DISABLE_DEEPBIND=1 PAM_WRAPPER_DISABLE_DEEPBIND=1 \
		UID_WRAPPER_DISABLE_DEEPBIND=1; \
	status=0; \
	for t in $(ASAN_TESTS); do case $$t in \
	unit) echo "== unit tests (ASan+UBSan)"; \
		SSPR_SRC="$$top" "$$build/tests/unit" || status=1;; \
	integration) echo "== integration tests (ASan+UBSan, run directory $$run/integration)"; \
		mkdir -m 755 "$$run/integration"; \
		SSPR_TEST_RUN="$$run/integration" SSPR_BUILD="$$build" "$$build/tests/integration" \
			|| status=1;; \
	cli) echo "== CLI tests (ASan+UBSan)"; \
		if [ "$$(id -u)" -eq 0 ]; then \
			/usr/bin/python3 "$$top/tests/cli/run.py" "$$build" || status=1; \
		else echo "cli: not run: they act as several test users (setpriv), which needs root"; fi;; \
	*) echo "check-asan: unknown part '$$t' in ASAN_TESTS"; exit 2;; \
	esac; done; \
	n=$$(ls "$$run/reports" | wc -l); \
	if [ "$$n" -gt 0 ]; then \
		echo "== $$n sanitizer reports (the first 20; pids in the file names)"; \
		ls "$$run/reports" | head -n 20 | while read -r f; do \
			echo "--- $$f"; head -n 80 "$$run/reports/$$f"; done; \
		status=1; \
	else echo "== no sanitizer reports"; fi; \
	if [ $$status -eq 0 ]; then echo "check-asan: passed"; else echo "check-asan: FAILED"; exit 1; fi

clean:
	rm -rf $(B) $(ASAN_B)

-include $(shell find $(B)/obj $(B)/pic $(B)/fuzz-obj -name '*.d' -type f 2>/dev/null)
