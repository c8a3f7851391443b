/* Integration tests. Needs SSPR_TEST_RUN (an empty directory) and
 * SSPR_BUILD; tests/run-tests.sh sets both. */
#include <check.h>
#include <stdlib.h>

#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

int main(int argc, char **argv)
{
	(void)argc;
	harness_init(argv);
	SRunner *sr = srunner_create(reset_suite());
	srunner_add_suite(sr, module_suite());
	srunner_add_suite(sr, daemon_suite());
	srunner_add_suite(sr, policy_suite());
	srunner_add_suite(sr, methods_suite());
	srunner_add_suite(sr, notify_suite());
	srunner_add_suite(sr, remind_suite());
	srunner_add_suite(sr, limits_suite());
	srunner_add_suite(sr, abuse_suite());
	srunner_add_suite(sr, privsep_daemon_suite());
	srunner_add_suite(sr, enumeration_suite());
	srunner_add_suite(sr, ldap_backend_suite());
	srunner_add_suite(sr, i18n_reset_suite());
	srunner_add_suite(sr, ldap_store_suite());
	srunner_add_suite(sr, i18n_marked_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
