#pragma once
#include <check.h>

Suite *reset_suite(void);   /* test_reset.c */
Suite *module_suite(void);  /* test_module.c */
Suite *daemon_suite(void);  /* test_daemon.c */
Suite *policy_suite(void);  /* test_policy.c */
Suite *methods_suite(void); /* test_methods.c */
Suite *notify_suite(void);  /* test_notify.c */
Suite *remind_suite(void);  /* test_remind.c */
