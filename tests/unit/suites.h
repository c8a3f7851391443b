#pragma once
#include <check.h>

Suite *proto_suite(void);	 /* test_proto.c */
Suite *conf_suite(void);	 /* test_conf.c */
Suite *validate_suite(void);	 /* test_validate.c */
Suite *util_suite(void);	 /* test_util.c */
Suite *shadow_suite(void);	 /* test_shadow.c */
Suite *pwhash_suite(void);	 /* test_pwhash.c */
Suite *mail_suite(void);	 /* test_mail.c */
Suite *store_suite(void);	 /* test_store.c */
Suite *code_suite(void);	 /* test_code.c */
Suite *breached_suite(void);	 /* test_breached.c */
Suite *policy_suite(void);	 /* test_policy.c */
Suite *gateway_suite(void);	 /* test_gateway.c */
Suite *voicecb_suite(void);	 /* test_voicecb.c */
Suite *questions_suite(void);	 /* test_questions.c */
Suite *totp_suite(void);	 /* test_totp.c */
Suite *recovery_suite(void);	 /* test_recovery.c */
Suite *faillock_suite(void);	 /* test_faillock.c */
Suite *qa_suite(void);		 /* test_qa.c */
Suite *registration_suite(void); /* test_registration.c */
Suite *admin_report_suite(void); /* test_admin_report.c */
Suite *template_suite(void);	 /* test_template.c */
Suite *store_audit_suite(void);	 /* test_store_audit.c */
Suite *timeparse_suite(void);	 /* test_timeparse.c */
Suite *qr_text_suite(void);	 /* test_qr_text.c */
Suite *limits_suite(void);	 /* test_limits.c */
Suite *code_rules_suite(void);	 /* test_code_rules.c */
Suite *abuse_suite(void);	 /* test_abuse.c */
Suite *privsep_suite(void);	 /* test_privsep.c */
Suite *captcha_suite(void);	 /* test_captcha.c */
Suite *decoy_suite(void);	 /* test_decoy.c */
