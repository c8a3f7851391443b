#pragma once
#include <check.h>

Suite *reset_suite(void);	   /* test_reset.c */
Suite *module_suite(void);	   /* test_module.c */
Suite *daemon_suite(void);	   /* test_daemon.c */
Suite *policy_suite(void);	   /* test_policy.c */
Suite *methods_suite(void);	   /* test_methods.c */
Suite *notify_suite(void);	   /* test_notify.c */
Suite *remind_suite(void);	   /* test_remind.c */
Suite *limits_suite(void);	   /* test_limits.c */
Suite *abuse_suite(void);	   /* test_abuse.c */
Suite *privsep_daemon_suite(void); /* test_privsep_daemon.c */
Suite *enumeration_suite(void);	   /* test_enumeration*.c, test_captcha_flow.c */
Suite *ldap_backend_suite(void);   /* test_ldap_backend.c */
Suite *i18n_reset_suite(void);	   /* test_i18n_reset.c */
Suite *ldap_store_suite(void);	   /* test_ldap_store.c */
Suite *i18n_marked_suite(void);	   /* test_i18n_marked.c */
