/* A private OpenLDAP slapd on 127.0.0.1:<free port> for the LDAP tests,
 * started from tests/ldap/slapd.conf.in and base.ldif.in in the run
 * directory (run_path("ldap")), never the system's. The directory holds
 * dc=example,dc=org with ou=people (carol, dave, erin, frank, sysuser as in
 * the nss_wrapper passwd, all with OLD_PASSWORD; erin carries the
 * administrative lock, frank's shadowExpire is yesterday), a ppolicy
 * default policy (pwdLockout, pwdMaxFailure 3, pwdMustChange) and sspr's
 * service account LDAP_SERVICE_DN, which has manage on userPassword and the
 * ppolicy attributes of people and write on objectClass and the enrolment
 * attribute (when conf/sspr.schema exists).
 *
 * Use: in a test case's setup, skip when !ldap_available(), else
 * ldap_start() and then world_start() with ldap_extra_conf(...) in
 * extra_conf; in the teardown world_stop() then ldap_stop(). */
#pragma once

#include <stdbool.h>

#define LDAP_TEST_BASE	      "dc=example,dc=org"
#define LDAP_TEST_PEOPLE      "ou=people,dc=example,dc=org"
#define LDAP_TEST_ROOT_DN     "cn=admin,dc=example,dc=org"
#define LDAP_TEST_ROOT_PW     "root-secret-for-tests"
#define LDAP_SERVICE_DN	      "cn=sspr,ou=services,dc=example,dc=org"
#define LDAP_SERVICE_PASSWORD "sspr-service-secret"
#define LDAP_ADMIN_LOCK	      "000001010000Z"

/* Whether slapd is installed; when not, prints the reason once (the only
 * case in which LDAP tests may skip). */
bool ldap_available(void);

/* A fresh directory (slapadd of the base LDIF) and slapd serving it, the
 * bind password file and the 32-byte site key written; fails the test if
 * slapd does not answer within a few seconds. */
void ldap_start(void);
/* Stops slapd (SIGCONT first if paused). NULL-safe, idempotent. */
void ldap_stop(void);
/* SIGSTOP (true) or SIGCONT (false) slapd: a hung directory. */
void ldap_pause(bool stop);

int ldap_port(void);
const char *ldap_uri(void);	      /* ldap://127.0.0.1:PORT */
const char *ldap_site_key_path(void); /* run_path("ldap/site.key"), mode 0600 */
const char *ldap_bind_pw_path(void);  /* run_path("ldap/bind.pw"), mode 0600 */
/* "uid=USER,ou=people,dc=example,dc=org" (static buffer, 4 rotating). */
const char *ldap_user_dn(const char *user);

/* Whether a simple bind as user's entry with password succeeds (libldap,
 * 3 s timeouts). Each failed bind counts for ppolicy. */
bool ldap_bind_ok(const char *user, const char *password);
/* ldapmodify -e relax as the root DN with ldif (LDIF change records);
 * returns the exit status (output in run_path("ldap/modify.out")). */
int ldap_modify(const char *ldif);
/* The values of attr (operational ones too) of user's entry, read as the
 * root DN, joined with '\n' ("" when none; static buffer, 2 rotating). */
const char *ldap_attr(const char *user, const char *attr);
/* The whole of user's entry as the root DN sees it, "attr: value" lines,
 * operational attributes included (static buffer): to assert that nothing
 * changed. Volatile operational attributes (entryCSN, modifyTimestamp...)
 * are left out. */
const char *ldap_entry_dump(const char *user);

/* Configuration text for world_opts.extra_conf: [backend] type = ldap
 * when backend, [daemon] store = ldap when store, and the [ldap] keys for
 * this slapd (timeouts of 2 s). extra (may be NULL) is appended. Static
 * buffer. */
const char *ldap_extra_conf(bool backend, bool store, const char *extra);
