#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/phone.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/mail.h"
#include "tests/unit/suites.h"

static const char *const valid_addrs[] = {
    "carol@example.org",
    "a@b.co",
    "a.b@mail.example.co.uk",
    "first.last+tag@sub-domain.example.com",
    "x!#$%&'*+/=?^_`{|}~-y@example.org",
    "user@xn--bcher-kva.example",
    "USER@EXAMPLE.ORG",
    "1234@123.example",
    "o'brien@example.ie",
};

static const char *const invalid_addrs[] = {
    "",
    "carol",
    "carol@",
    "@example.org",
    "carol@example",  /* one label */
    "a@@example.org", /* two '@' */
    "a@b@example.org",
    ".carol@example.org",
    "carol.@example.org",
    "car..ol@example.org",
    "\"carol\"@example.org",
    "car ol@example.org",
    " carol@example.org",
    "carol@example.org ",
    "<carol@example.org>",
    "carol@example.org>",
    "carol,bob@example.org",
    "carol;bob@example.org",
    "car\\ol@example.org",
    "carol(x)@example.org",
    "caro[l]@example.org",
    "carol:x@example.org",
    "a@b.org\r\nRCPT TO:<x@y.org>",
    "a@b.org\nx",
    "a\r@b.org",
    "a\t@b.org",
    "a\x7f@b.org",
    "a\x01@b.org",
    "caf\xc3\xa9@example.org",
    "carol@ex\xc3\xa4mple.org",
    "carol@-example.org",
    "carol@example-.org",
    "carol@example.org-",
    "carol@.example.org",
    "carol@example..org",
    "carol@example.org.",
    "carol@exa_mple.org",
    "carol@[127.0.0.1]",
    "carol@exam ple.org",
};

START_TEST(test_email_valid_accepts)
{
	const char *a = valid_addrs[_i];
	ck_assert_msg(email_valid(a), "should be valid: %s", a);
}
END_TEST

START_TEST(test_email_valid_rejects)
{
	const char *a = invalid_addrs[_i];
	ck_assert_msg(!email_valid(a), "should be invalid (case %d)", _i);
}
END_TEST

START_TEST(test_email_valid_null_and_embedded_nul)
{
	ck_assert(!email_valid(NULL));
	/* The NUL cuts the string: what follows must not count as valid
	 * input and what precedes is validated on its own. */
	const char s[] = "a@b\0.org";
	ck_assert(!email_valid(s));
	const char t[] = "a@b.org\0\r\nRCPT TO:<x@y.org>";
	ck_assert(email_valid(t));
}
END_TEST

/* Builds local@domain of exactly total bytes, domain made of labels of at
 * most 63 bytes. */
static void build_addr(char *out, size_t local_len, size_t total)
{
	memset(out, 'a', local_len);
	out[local_len] = '@';
	size_t pos = local_len + 1, label = 0;
	while (pos < total) {
		/* A dot every 20 chars keeps at least two short labels and
		 * never ends the domain with a dot. */
		if (label == 20 && total - pos > 2) {
			out[pos++] = '.';
			label = 0;
			continue;
		}
		out[pos++] = 'b';
		label++;
	}
	out[total] = '\0';
}

START_TEST(test_email_valid_lengths)
{
	char buf[400];
	build_addr(buf, 64, EMAIL_MAX);
	ck_assert_uint_eq(strlen(buf), 254);
	ck_assert_msg(email_valid(buf), "254 bytes should be valid");
	build_addr(buf, 64, EMAIL_MAX + 1);
	ck_assert_uint_eq(strlen(buf), 255);
	ck_assert(!email_valid(buf));
	build_addr(buf, 64, 300);
	ck_assert(!email_valid(buf));

	/* local part: 64 ok, 65 not */
	build_addr(buf, 64, 100);
	ck_assert(email_valid(buf));
	build_addr(buf, 65, 100);
	ck_assert(!email_valid(buf));

	/* label of 63 ok, 64 not */
	char addr[128];
	char label[70];
	memset(label, 'c', 63);
	label[63] = '\0';
	snprintf(addr, sizeof(addr), "x@%s.org", label);
	ck_assert(email_valid(addr));
	memset(label, 'c', 64);
	label[64] = '\0';
	snprintf(addr, sizeof(addr), "x@%s.org", label);
	ck_assert(!email_valid(addr));
}
END_TEST

START_TEST(test_email_mask)
{
	char out[64];
	ck_assert_int_eq(email_mask("carol@example.org", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "c***@e***.org");
	ck_assert_int_eq(email_mask("a.b@mail.example.co.uk", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a***@m***.uk");
	ck_assert_int_eq(email_mask("Z@x.io", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "Z***@x***.io");
	/* Nothing of the original beyond the first characters and TLD. */
	ck_assert_int_eq(email_mask("secretname@hiddenhost.example.net", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "s***@h***.net");
	ck_assert_ptr_null(strstr(out, "secret"));

	ck_assert_int_eq(email_mask("not-an-address", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(email_mask("a@b.org\r\nX", out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(email_mask(NULL, out, sizeof(out)), -EINVAL);

	/* "c***@e***.org" is 13 bytes: 14 fits, 13 does not. */
	char small[14];
	ck_assert_int_eq(email_mask("carol@example.org", small, 14), 0);
	ck_assert_str_eq(small, "c***@e***.org");
	ck_assert_int_eq(email_mask("carol@example.org", small, 13), -ENOBUFS);
	ck_assert_int_eq(email_mask("carol@example.org", small, 0), -ENOBUFS);
}
END_TEST

START_TEST(test_username_valid)
{
	static const char *const good[] = {"carol", "a",     "user_1", "a-b", "a.b",
					   "_x",    "Carol", "host$",  "x1",  "0day"};
	static const char *const bad[] = {
	    "",	 "-carol", "ca rol", "ca:rol",	"ca/rol", "$",	 "a$b",	   "a$$",
	    ".", "..",	   "1234",   "ca\nrol", "caról",  "a@b", "root\t", "a\x7f"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(username_valid(good[i]), "should be valid: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!username_valid(bad[i]), "should be invalid: case %zu", i);
	ck_assert(!username_valid(NULL));

	char name[USERNAME_MAX + 2];
	memset(name, 'u', USERNAME_MAX);
	name[USERNAME_MAX] = '\0';
	ck_assert(username_valid(name));
	name[USERNAME_MAX] = 'u';
	name[USERNAME_MAX + 1] = '\0';
	ck_assert(!username_valid(name));
}
END_TEST

START_TEST(test_sanitize_for_log)
{
	char out[16];
	sanitize_for_log("tty1", out, sizeof(out));
	ck_assert_str_eq(out, "tty1");
	sanitize_for_log("a\r\nb\x1b[31m\x7f", out, sizeof(out));
	ck_assert_str_eq(out, "a??b?[31m?");
	sanitize_for_log("caf\xc3\xa9", out, sizeof(out));
	ck_assert_str_eq(out, "caf??");
	sanitize_for_log("0123456789abcdefghij", out, sizeof(out));
	ck_assert_str_eq(out, "0123456789abcde");
	ck_assert_uint_eq(strlen(out), sizeof(out) - 1);
	sanitize_for_log(NULL, out, sizeof(out));
	ck_assert_str_eq(out, "");
	sanitize_for_log("", out, sizeof(out));
	ck_assert_str_eq(out, "");

	char one[1] = {'x'};
	sanitize_for_log("abc", one, 1);
	ck_assert_int_eq(one[0], '\0');
	char guard[4] = {'q', 'q', 'q', 'q'};
	sanitize_for_log("abc", guard, 0);
	ck_assert_int_eq(guard[0], 'q');
	/* Space is printable and kept. */
	sanitize_for_log("a b", out, sizeof(out));
	ck_assert_str_eq(out, "a b");
}
END_TEST

START_TEST(test_sender_valid)
{
	ck_assert(sender_valid("sspr@localhost"));
	ck_assert(sender_valid("sspr@LOCALHOST"));
	ck_assert(sender_valid("sspr@example.org"));
	ck_assert(!sender_valid("@localhost"));
	ck_assert(!sender_valid("a b@localhost"));
	ck_assert(!sender_valid("sspr@localhost\r\nRCPT TO:<x@y.org>"));
	ck_assert(!sender_valid("sspr@otherhost"));
	/* mail_format takes what the config takes. */
	char *msg = NULL;
	size_t len = 0;
	ck_assert_int_eq(
	    mail_format("sspr@localhost", "carol@example.org", "s", "b\n", 0, &msg, &len), 0);
	ck_assert_ptr_nonnull(strstr(msg, "Message-ID: <"));
	ck_assert_ptr_nonnull(strstr(msg, "@localhost>\r\n"));
	free(msg);
}
END_TEST

START_TEST(test_phone)
{
	ck_assert(phone_valid("+15550100167"));
	ck_assert(phone_valid("+886912345678"));
	ck_assert(!phone_valid("15550100167"));	      /* no + */
	ck_assert(!phone_valid("+05550100167"));      /* no country code 0 */
	ck_assert(!phone_valid("+1555"));	      /* too short */
	ck_assert(!phone_valid("+1234567890123456")); /* 16 digits */
	ck_assert(!phone_valid("+1555010016x"));
	ck_assert(!phone_valid(NULL));
	char out[PHONE_MAX + 1], m[64];
	ck_assert_int_eq(phone_normalize("+1 (555) 010-0167", out), 0);
	ck_assert_str_eq(out, "+15550100167");
	ck_assert_int_eq(phone_normalize("+44 20.7183.8750", out), 0);
	ck_assert_str_eq(out, "+442071838750");
	ck_assert_int_eq(phone_normalize("(555) 010-0167", out), -EINVAL);
	ck_assert_int_eq(phone_normalize("+1 555 010 0167 ext 9", out), -EINVAL);
	ck_assert_int_eq(phone_mask("+15550100167", m, sizeof(m)), 0);
	ck_assert_str_eq(m, "+1 *** *** **67");
	ck_assert_int_eq(phone_mask("+886912345678", m, sizeof(m)), 0);
	ck_assert_str_eq(m, "+886 *** *** *78");
	ck_assert_int_eq(phone_mask("+442071838750", m, sizeof(m)), 0);
	ck_assert_str_eq(m, "+44 *** *** **50");
	ck_assert_int_eq(phone_mask("+15550100167", m, 8), -ENOBUFS);
	ck_assert_int_eq(phone_mask("5550100167", m, sizeof(m)), -EINVAL);
	char *none[] = {NULL};
	char *some[] = {"+1", "+886", NULL};
	ck_assert(phone_prefix_allowed("+442071838750", none));
	ck_assert(phone_prefix_allowed("+15550100167", some));
	ck_assert(phone_prefix_allowed("+886912345678", some));
	ck_assert(!phone_prefix_allowed("+442071838750", some));
}
END_TEST

START_TEST(test_language_name_valid)
{
	static const char *const good[] = {"en", "zh_TW", "pt_BR", "sr@latin", "en@pseudo", "fil"};
	static const char *const bad[] = {"",	    "e",	   "EN",     "zh-TW",
					  "zh_tw",  "zh_TWN",	   "../etc", "en@",
					  "en@a/b", "en_US.UTF-8", "abcd",   "en_US@aaaaaaaaaa"};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		ck_assert_msg(language_name_valid(good[i]), "%s", good[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(!language_name_valid(bad[i]), "%s", bad[i]);
	ck_assert(!language_name_valid(NULL));
}
END_TEST

START_TEST(test_ldap_names)
{
	ck_assert(ldap_attr_name_valid("mail"));
	ck_assert(ldap_attr_name_valid("ssprEnrolment"));
	ck_assert(ldap_attr_name_valid("x-attr-1"));
	ck_assert(!ldap_attr_name_valid(""));
	ck_assert(!ldap_attr_name_valid("1mail"));
	ck_assert(!ldap_attr_name_valid("mail;binary"));
	ck_assert(!ldap_attr_name_valid("a b"));
	ck_assert(!ldap_attr_name_valid(NULL));
	ck_assert(ldap_filter_template_valid("(uid=%s)", 256));
	ck_assert(ldap_filter_template_valid("(&(objectClass=posixAccount)(uid=%s))", 256));
	ck_assert(!ldap_filter_template_valid("uid=%s", 256));
	ck_assert(!ldap_filter_template_valid("(uid=%s", 256));
	ck_assert(!ldap_filter_template_valid("(uid=%s))", 256));
	ck_assert(!ldap_filter_template_valid("(uid=x)", 256));
	ck_assert(!ldap_filter_template_valid("(|(uid=%s)(mail=%s))", 256));
	ck_assert(!ldap_filter_template_valid("(uid=%s%)", 256));
	ck_assert(!ldap_filter_template_valid("(uid=%s)(x=y)", 256));
	ck_assert(!ldap_filter_template_valid("(uid=%s)", 5));
	ck_assert(!ldap_filter_template_valid("(uid=\x01%s)", 256));
	ck_assert(!ldap_filter_template_valid("(uid=\t%s)", 256));
	ck_assert(!ldap_filter_template_valid("(uid=\xc3\xa9%s)", 256));
	ck_assert(!ldap_filter_template_valid(NULL, 256));
}
END_TEST

Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("email");
	tcase_add_loop_test(tc, test_email_valid_accepts, 0,
			    (int)(sizeof(valid_addrs) / sizeof(valid_addrs[0])));
	tcase_add_loop_test(tc, test_email_valid_rejects, 0,
			    (int)(sizeof(invalid_addrs) / sizeof(invalid_addrs[0])));
	tcase_add_test(tc, test_email_valid_null_and_embedded_nul);
	tcase_add_test(tc, test_email_valid_lengths);
	tcase_add_test(tc, test_email_mask);
	tcase_add_test(tc, test_sender_valid);
	suite_add_tcase(s, tc);
	tc = tcase_create("names");
	tcase_add_test(tc, test_username_valid);
	tcase_add_test(tc, test_sanitize_for_log);
	tcase_add_test(tc, test_phone);
	tcase_add_test(tc, test_language_name_valid);
	tcase_add_test(tc, test_ldap_names);
	suite_add_tcase(s, tc);
	return s;
}
