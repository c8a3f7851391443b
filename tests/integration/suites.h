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
