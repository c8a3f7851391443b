/* The enrolment document of store = ldap: round trip and strict parsing. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssprd/store_dir_doc.h"
#include "tests/unit/suites.h"

static void fill(struct sdoc *d)
{
	sdoc_init(d);
	snprintf(d->user, sizeof(d->user), "carol");
	ck_assert_int_eq(sdoc_contact_put(d, "email", "carol@example.org", "user", 100), 0);
	d->contacts[0].verified = 101;
	ck_assert_int_eq(sdoc_contact_put(d, "mobile", "+12025550143", "admin", 102), 0);
	d->questions[0] =
	    (struct sdoc_question){.idx = 3,
				   .question = strdup("Pet \"name\"? \xe5\x90\x8d"),
				   .answer_hash = strdup("$argon2id$v=19$m=65536$abc"),
				   .created = 103};
	d->questions[1] = (struct sdoc_question){.idx = 0,
						 .question = strdup("First school?"),
						 .answer_hash = strdup("$h$x"),
						 .created = 0};
	d->nquestions = 2;
	d->has_totp = true;
	d->totp_len = 60;
	for (size_t i = 0; i < d->totp_len; i++)
		d->totp_sealed[i] = (uint8_t)(i * 7);
	d->totp_last_step = 5700000000;
	d->totp_created = 104;
	d->nrecovery = 2;
	memset(d->recovery[0].hash, 0xab, STORE_HASH_SIZE);
	memset(d->recovery[1].hash, 0x01, STORE_HASH_SIZE);
	d->recovery[1].used = 105;
	d->confirmed = 106;
	snprintf(d->language, sizeof(d->language), "zh_TW");
}

START_TEST(round_trip)
{
	struct sdoc a, b;
	char *text = NULL;
	size_t len = 0;
	fill(&a);
	ck_assert_int_eq(sdoc_format(&a, &text, &len), 0);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert_int_eq(sdoc_parse(text, len, &b), 0);
	ck_assert_str_eq(b.user, "carol");
	ck_assert_uint_eq(b.ncontacts, 2);
	ck_assert_str_eq(sdoc_contact_find(&b, "email")->value, "carol@example.org");
	ck_assert_int_eq(sdoc_contact_find(&b, "email")->verified, 101);
	ck_assert_str_eq(sdoc_contact_find(&b, "mobile")->source, "admin");
	ck_assert_int_eq(sdoc_contact_find(&b, "mobile")->created, 102);
	ck_assert_ptr_null(sdoc_contact_find(&b, "office"));
	ck_assert_uint_eq(b.nquestions, 2);
	ck_assert_uint_eq(b.questions[0].idx, 3);
	ck_assert_str_eq(b.questions[0].question, a.questions[0].question);
	ck_assert_str_eq(b.questions[0].answer_hash, a.questions[0].answer_hash);
	ck_assert(b.has_totp);
	ck_assert_uint_eq(b.totp_len, 60);
	ck_assert_mem_eq(b.totp_sealed, a.totp_sealed, 60);
	ck_assert_int_eq(b.totp_last_step, 5700000000);
	ck_assert_uint_eq(b.nrecovery, 2);
	ck_assert_mem_eq(b.recovery[0].hash, a.recovery[0].hash, STORE_HASH_SIZE);
	ck_assert_int_eq(b.recovery[0].used, 0);
	ck_assert_int_eq(b.recovery[1].used, 105);
	ck_assert_int_eq(b.confirmed, 106);
	ck_assert_str_eq(b.language, "zh_TW");
	ck_assert(sdoc_registered(&b));
	/* Formatting what was parsed gives the same text. */
	char *again = NULL;
	size_t len2 = 0;
	ck_assert_int_eq(sdoc_format(&b, &again, &len2), 0);
	ck_assert_str_eq(again, text);
	sdoc_free_text(again);
	sdoc_free_text(text);
	sdoc_clear(&a);
	sdoc_clear(&b);
}
END_TEST

START_TEST(minimal_and_empty)
{
	struct sdoc d;
	const char *v1 = "{\"v\":1}";
	ck_assert_int_eq(sdoc_parse(v1, strlen(v1), &d), 0);
	ck_assert(!sdoc_registered(&d));
	ck_assert_uint_eq(d.ncontacts + d.nquestions + d.nrecovery, 0);
	sdoc_clear(&d);
	/* Only used recovery codes: not registered. */
	const char *used = "{\"v\":1,\"recovery\":[{\"hash\":"
			   "\"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\",\"used\":5}]}";
	ck_assert_int_eq(sdoc_parse(used, strlen(used), &d), 0);
	ck_assert_uint_eq(d.nrecovery, 1);
	ck_assert(!sdoc_registered(&d));
	sdoc_clear(&d);
}
END_TEST

static int parse_text(const char *t)
{
	struct sdoc d;
	int r = sdoc_parse(t, strlen(t), &d);
	sdoc_clear(&d);
	return r;
}

START_TEST(rejects_bad_documents)
{
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{}",			       /* no version */
	    "{\"v\":\"1\"}",		       /* wrong type */
	    "{\"v\":1,\"extra\":1}",	       /* unknown key */
	    "{\"v\":1} trailing",	       /* trailing data */
	    "{\"v\":1,}",		       /* not strict JSON */
	    "{\"v\":1,\"user\":\"a b\"}",      /* not a user name */
	    "{\"v\":1,\"language\":\"../x\"}", /* not a catalog name */
	    "{\"v\":1,\"confirmed\":-1}",
	    "{\"v\":1,\"contacts\":{}}",
	    "{\"v\":1,\"contacts\":[1]}",
	    "{\"v\":1,\"contacts\":[{\"kind\":\"fax\",\"value\":\"x\",\"source\":\"user\"}]}",
	    "{\"v\":1,\"contacts\":[{\"kind\":\"email\",\"value\":\"x\",\"source\":\"root\"}]}",
	    "{\"v\":1,\"contacts\":[{\"kind\":\"email\",\"value\":\"a\\nb\",\"source\":\"user\"}]}",
	    "{\"v\":1,\"contacts\":[{\"kind\":\"email\",\"value\":\"a\\u0000b\",\"source\":"
	    "\"user\"}]}",
	    "{\"v\":1,\"contacts\":[{\"kind\":\"email\",\"value\":\"x\",\"source\":\"user\"},"
	    "{\"kind\":\"email\",\"value\":\"y\",\"source\":\"user\"}]}", /* a kind twice */
	    "{\"v\":1,\"contacts\":[{\"kind\":\"email\",\"source\":\"user\"}]}",
	    "{\"v\":1,\"questions\":[{\"idx\":1,\"question\":\"q\"}]}",
	    "{\"v\":1,\"questions\":[{\"idx\":1,\"question\":\"q\",\"answer_hash\":\"h\"},"
	    "{\"idx\":1,\"question\":\"r\",\"answer_hash\":\"h\"}]}",
	    "{\"v\":1,\"totp\":{\"sealed\":\"not base64!\"}}",
	    "{\"v\":1,\"totp\":{\"sealed\":\"\"}}",
	    "{\"v\":1,\"totp\":[]}",
	    "{\"v\":1,\"recovery\":[{\"hash\":\"AQID\"}]}", /* not 32 bytes */
	    "{\"v\":1,\"user\":\"\xff\xfe\"}",		    /* not UTF-8 */
	    "{\"v\":1,\"contacts\":[{\"kind\":\"email\",\"value\":{\"a\":[[1]]},"
	    "\"source\":\"user\"}]}", /* too deep */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse_text(bad[i]) == -EBADMSG, "accepted or wrong error: %s",
			      bad[i]);
	/* An embedded NUL in the raw value. */
	struct sdoc d;
	ck_assert_int_eq(sdoc_parse("{\"v\":1}\0", 8, &d), -EBADMSG);
	sdoc_clear(&d);
}
END_TEST

START_TEST(rejects_other_versions)
{
	ck_assert_int_eq(parse_text("{\"v\":2}"), -EPROTONOSUPPORT);
	ck_assert_int_eq(parse_text("{\"v\":0,\"contacts\":[]}"), -EPROTONOSUPPORT);
}
END_TEST

START_TEST(rejects_oversized)
{
	/* A whole document over the size bound, even if well formed. */
	size_t n = SDOC_MAX_SIZE + 10;
	char *big = malloc(n + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	memcpy(big, "{\"v\":1}", 7);
	big[n] = '\0';
	struct sdoc d;
	ck_assert_int_eq(sdoc_parse(big, n, &d), -EMSGSIZE);
	sdoc_clear(&d);
	free(big);
	/* Strings and lists over their bounds. */
	char value[SDOC_VALUE_MAX + 100];
	memset(value, 'a', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	char doc[SDOC_VALUE_MAX + 200];
	snprintf(
	    doc, sizeof(doc),
	    "{\"v\":1,\"contacts\":[{\"kind\":\"email\",\"value\":\"%s\",\"source\":\"user\"}]}",
	    value);
	ck_assert_int_eq(parse_text(doc), -EBADMSG);
	char list[8192] = "{\"v\":1,\"questions\":[";
	for (int i = 0; i <= STORE_MAX_QUESTIONS; i++) {
		char q[96];
		snprintf(q, sizeof(q), "%s{\"idx\":%d,\"question\":\"q\",\"answer_hash\":\"h\"}",
			 i ? "," : "", i);
		strcat(list, q);
	}
	strcat(list, "]}");
	ck_assert_int_eq(parse_text(list), -EBADMSG);
	/* And formatting refuses to produce one that is too big. */
	struct sdoc f;
	sdoc_init(&f);
	char *longq = malloc(SDOC_MAX_SIZE / 4);
	memset(longq, 'q', SDOC_MAX_SIZE / 4 - 1);
	longq[SDOC_MAX_SIZE / 4 - 1] = '\0';
	for (int i = 0; i < 5; i++)
		f.questions[i] = (struct sdoc_question){
		    .idx = (unsigned)i, .question = strdup(longq), .answer_hash = strdup("h")};
	f.nquestions = 5;
	char *text = NULL;
	size_t len;
	ck_assert_int_eq(sdoc_format(&f, &text, &len), -EMSGSIZE);
	ck_assert_ptr_null(text);
	free(longq);
	sdoc_clear(&f);
}
END_TEST

START_TEST(contact_edits)
{
	struct sdoc d;
	sdoc_init(&d);
	ck_assert_int_eq(sdoc_contact_put(&d, "fax", "1", "user", 1), -EINVAL);
	ck_assert_int_eq(sdoc_contact_put(&d, "email", "a@example.org", "user", 1), 0);
	d.contacts[0].verified = 9;
	/* Replacing a contact starts it unverified. */
	ck_assert_int_eq(sdoc_contact_put(&d, "email", "b@example.org", "user", 2), 0);
	ck_assert_uint_eq(d.ncontacts, 1);
	ck_assert_int_eq(d.contacts[0].verified, 0);
	ck_assert_int_eq(sdoc_contact_put(&d, "office", "+442071838750", "user", 3), 0);
	ck_assert(sdoc_contact_remove(&d, "email"));
	ck_assert(!sdoc_contact_remove(&d, "email"));
	ck_assert_uint_eq(d.ncontacts, 1);
	ck_assert_str_eq(d.contacts[0].kind, "office");
	sdoc_clear(&d);
}
END_TEST

Suite *store_dir_doc_suite(void)
{
	Suite *s = suite_create("store_dir_doc");
	TCase *tc = tcase_create("doc");
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, minimal_and_empty);
	tcase_add_test(tc, rejects_bad_documents);
	tcase_add_test(tc, rejects_other_versions);
	tcase_add_test(tc, rejects_oversized);
	tcase_add_test(tc, contact_edits);
	suite_add_tcase(s, tc);
	return s;
}
