/* The module's own few texts (the first prompt, the password stack's
 * prompts and refusals) in the login process's locale, as other PAM
 * modules translate theirs: glibc's gettext over sspr's catalogs. What the
 * user reads during a reset comes from ssprd, which picks the language
 * itself (the module sends nothing locale-related). */
#pragma once

const char *pam_text(const char *msgid) __attribute__((format_arg(1)));

/* Not common/i18n.h's: the module does not link sspr's catalog reader. */
#ifndef _
#define _(s) pam_text(s)
#endif
#ifndef N_
#define N_(s) (s)
#endif
