/* Runs every unit-test suite; CK_RUN_SUITE=name runs one. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "tests/unit/suites.h"

int main(void)
{
	/* Expected errors from negative tests still show; routine info does not. */
	log_init("unit", LOG_WARNING);
	Suite *(*const suites[])(void) = {
	    proto_suite,	 conf_suite,	       validate_suite,
	    util_suite,		 shadow_suite,	       pwhash_suite,
	    mail_suite,		 store_suite,	       code_suite,
	    breached_suite,	 policy_suite,	       gateway_suite,
	    voicecb_suite,	 questions_suite,      totp_suite,
	    recovery_suite,	 faillock_suite,       qa_suite,
	    registration_suite,	 admin_report_suite,   template_suite,
	    store_audit_suite,	 timeparse_suite,      qr_text_suite,
	    limits_suite,	 code_rules_suite,     abuse_suite,
	    privsep_suite,	 captcha_suite,	       decoy_suite,
	    dir_suite,		 language_suite,       template_lang_suite,
	    store_dir_doc_suite, store_language_suite, i18n_suite,
	    i18n_lang_suite,
	};
	SRunner *sr = srunner_create(NULL);
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
