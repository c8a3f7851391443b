/* The directory connection and password backend parts that need no
 * server (dir_conn.c, dir_backend.c); the rest runs against a real slapd
 * in tests/integration/test_ldap_backend.c. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <ldap.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/conf.h"
#include "ssprd/dir_backend.h"
#include "ssprd/dir_conn.h"
#include "tests/unit/suites.h"

START_TEST(escape_filter_values)
{
	char out[256];
	ck_assert_int_eq(dir_filter_escape("carol", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "carol");
	ck_assert_int_eq(dir_filter_escape("*)(uid=*", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "\\2a\\29\\28uid=\\2a");
	ck_assert_int_eq(dir_filter_escape("a\\b", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a\\5cb");
	/* Non-ASCII byte by byte (UTF-8 of "é"), controls too. */
	ck_assert_int_eq(dir_filter_escape("jos\xc3\xa9", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "jos\\c3\\a9");
	ck_assert_int_eq(dir_filter_escape("a\nb\x7f", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a\\0ab\\7f");
	ck_assert_int_eq(dir_filter_escape("", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(escape_never_overruns)
{
	char out[8];
	memset(out, 'x', sizeof(out));
	ck_assert_int_eq(dir_filter_escape("abcdefg", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "abcdefg");
	ck_assert_int_eq(dir_filter_escape("abcdefgh", out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_str_eq(out, "");
	/* An escape does not fit whole: refused, not cut in the middle. */
	ck_assert_int_eq(dir_filter_escape("abcde*", out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_int_eq(dir_filter_escape("abcd*", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "abcd\\2a");
	ck_assert_int_eq(dir_filter_escape("a", out, 0), -ENAMETOOLONG);
}
END_TEST

START_TEST(embedded_nul_ends_the_value)
{
	/* A C string cannot carry NUL: what follows it never reaches the
	 * filter (the protocol layer refuses such names before this). */
	char out[64];
	static const char with_nul[] = "carol\0)(uid=*";
	ck_assert_int_eq(dir_filter_escape(with_nul, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "carol");
}
END_TEST

START_TEST(user_filter_formatting)
{
	struct sspr_conf c;
	char err[256], out[512];
	ck_assert_int_eq(conf_init_defaults(&c), 0);
	ck_assert_int_eq(dir_user_filter(&c, "carol", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "(&(objectClass=posixAccount)(uid=carol))");
	ck_assert_int_eq(dir_user_filter(&c, "*)(uid=*", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "(&(objectClass=posixAccount)(uid=\\2a\\29\\28uid=\\2a))");
	/* A site filter: the name lands where %s is, once; a '%' in the
	 * name is no conversion. */
	free(c.ldap_user_filter);
	c.ldap_user_filter = strdup("(&(objectClass=user)(sAMAccountName=%s)(!(cn=x)))");
	ck_assert_int_eq(dir_user_filter(&c, "a%sb", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "(&(objectClass=user)(sAMAccountName=a%sb)(!(cn=x)))");
	ck_assert_int_eq(dir_user_filter(&c, "carol", out, 20), -ENAMETOOLONG);
	conf_free(&c);
	(void)err;
}
END_TEST

START_TEST(ldap_errors_as_errno)
{
	ck_assert_int_eq(dir_errno(LDAP_SUCCESS), 0);
	ck_assert_int_eq(dir_errno(LDAP_TIMEOUT), -ETIMEDOUT);
	ck_assert_int_eq(dir_errno(LDAP_TIMELIMIT_EXCEEDED), -ETIMEDOUT);
	ck_assert_int_eq(dir_errno(LDAP_SERVER_DOWN), -ECONNREFUSED);
	ck_assert_int_eq(dir_errno(LDAP_CONNECT_ERROR), -ECONNREFUSED);
	ck_assert_int_eq(dir_errno(LDAP_INVALID_CREDENTIALS), -EACCES);
	ck_assert_int_eq(dir_errno(LDAP_INSUFFICIENT_ACCESS), -EACCES);
	ck_assert_int_eq(dir_errno(LDAP_NO_SUCH_OBJECT), -ENOENT);
	ck_assert_int_eq(dir_errno(LDAP_NO_SUCH_ATTRIBUTE), -ENODATA);
	ck_assert_int_eq(dir_errno(LDAP_CONSTRAINT_VIOLATION), -EIO);
	ck_assert_int_eq(dir_errno(LDAP_OTHER), -EIO);
}
END_TEST

START_TEST(starttls_unless_loopback)
{
	bool tls = true;
	ck_assert_int_eq(dir_uri_needs_starttls("ldap://127.0.0.1:389", &tls), 0);
	ck_assert(!tls);
	ck_assert_int_eq(dir_uri_needs_starttls("ldap://localhost/", &tls), 0);
	ck_assert(!tls);
	ck_assert_int_eq(dir_uri_needs_starttls("ldap://[::1]:3890", &tls), 0);
	ck_assert(!tls);
	ck_assert_int_eq(dir_uri_needs_starttls("ldaps://ldap.example.org", &tls), 0);
	ck_assert(!tls);
	ck_assert_int_eq(dir_uri_needs_starttls("ldapi:///", &tls), 0);
	ck_assert(!tls);
	ck_assert_int_eq(dir_uri_needs_starttls("ldap://ldap.example.org", &tls), 0);
	ck_assert(tls);
	/* One remote plain URL in a list is enough. */
	ck_assert_int_eq(dir_uri_needs_starttls("ldap://127.0.0.1 ldap://10.0.0.5", &tls), 0);
	ck_assert(tls);
	ck_assert_int_eq(dir_uri_needs_starttls("ldap://localhost.example.org", &tls), 0);
	ck_assert(tls);
	ck_assert_int_eq(dir_uri_needs_starttls("http://127.0.0.1/", &tls), -EINVAL);
	ck_assert_int_eq(dir_uri_needs_starttls("", &tls), -EINVAL);
}
END_TEST

/* A loopback port nothing listens on. */
static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

START_TEST(connection_errors)
{
	struct sspr_conf c;
	struct dir_conn dc;
	ck_assert_int_eq(conf_init_defaults(&c), 0);
	c.backend = BACKEND_LDAP;
	c.ldap_network_timeout = 1;
	c.ldap_timeout = 1;
	ck_assert_int_eq(dir_open(&c, &dc), -EINVAL);
	ck_assert_ptr_null(dc.ld);
	char uri[64];
	snprintf(uri, sizeof(uri), "ldap://127.0.0.1:%d", closed_port());
	c.ldap_uri = strdup(uri);
	c.ldap_base_dn = strdup("dc=example,dc=org");
	c.ldap_bind_dn = strdup("cn=sspr,dc=example,dc=org");
	char pwfile[] = "/tmp/sspr-test-dir-XXXXXX";
	int fd = mkstemp(pwfile);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "secret\n", 7), 7);
	close(fd);
	c.ldap_bind_password_file = strdup(pwfile);
	ck_assert_int_eq(dir_open(&c, &dc), -ECONNREFUSED);
	ck_assert_ptr_null(dc.ld);
	dir_close(&dc);
	dir_close(NULL);
	/* No bind for an empty password (it would be anonymous). */
	ck_assert_int_eq(dir_check_password(&c, "uid=carol,dc=example,dc=org", ""), -EACCES);
	ck_assert_int_eq(dir_check_password(&c, "uid=carol,dc=example,dc=org", "x"), -ECONNREFUSED);
	/* A name no account can have never reaches the directory. */
	enum account_state st = ACCOUNT_OK;
	ck_assert_int_eq(dir_account_state(&c, "*)(uid=*", &st), 0);
	ck_assert_int_eq(st, ACCOUNT_NOT_FOUND);
	ck_assert_int_eq(dir_account_state(&c, "carol", &st), -ECONNREFUSED);
	ck_assert_int_eq(dir_unlock(&c, "*"), -EINVAL);
	ck_assert_int_eq(dir_set_password(&c, "carol", ""), -EINVAL);
	unlink(pwfile);
	conf_free(&c);
}
END_TEST

START_TEST(generalized_time)
{
	int64_t t = -1;
	ck_assert_int_eq(dir_parse_gentime("19700101000000Z", &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(dir_parse_gentime("20240229120000Z", &t), 0);
	ck_assert_int_eq(t, 1709208000);
	ck_assert_int_eq(dir_parse_gentime("20240229120000.123456Z", &t), 0);
	ck_assert_int_eq(t, 1709208000);
	ck_assert_int_eq(dir_parse_gentime("20240229120000+0100", &t), -EINVAL);
	ck_assert_int_eq(dir_parse_gentime("2024", &t), -EINVAL);
	ck_assert_int_eq(dir_parse_gentime(NULL, &t), -EINVAL);
}
END_TEST

START_TEST(ad_password_encoding)
{
	unsigned char out[64];
	ck_assert_int_eq(dir_ad_password("Ab1", out, sizeof(out)), 10);
	ck_assert_mem_eq(out, "\"\0A\0b\0001\0\"\0", 10);
	/* é is one UTF-16 unit, U+1F600 a surrogate pair. */
	ck_assert_int_eq(dir_ad_password("\xc3\xa9\xf0\x9f\x98\x80", out, sizeof(out)), 10);
	ck_assert_mem_eq(out, "\"\0\xe9\0\x3d\xd8\x00\xde\"\0", 10);
	ck_assert_int_eq(dir_ad_password("\xc3", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(dir_ad_password("abcd", out, 8), -ENAMETOOLONG);
}
END_TEST

Suite *dir_suite(void)
{
	Suite *s = suite_create("dir");
	TCase *tc = tcase_create("dir");
	tcase_add_test(tc, escape_filter_values);
	tcase_add_test(tc, escape_never_overruns);
	tcase_add_test(tc, embedded_nul_ends_the_value);
	tcase_add_test(tc, user_filter_formatting);
	tcase_add_test(tc, ldap_errors_as_errno);
	tcase_add_test(tc, starttls_unless_loopback);
	tcase_add_test(tc, connection_errors);
	tcase_add_test(tc, generalized_time);
	tcase_add_test(tc, ad_password_encoding);
	suite_add_tcase(s, tc);
	return s;
}
