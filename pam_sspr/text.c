/* Only for I18N_DOMAIN and LOCALEDIR: its _() is not the module's. */
#include "common/i18n.h"

#include <libintl.h>
#include <pthread.h>

#include "pam_sspr/text.h"

static pthread_once_t bound = PTHREAD_ONCE_INIT;

/* Binding a domain is process-wide, but only for sspr's own domain: the
 * login program's and other modules' texts are untouched. */
static void bind_domain(void)
{
	bindtextdomain(I18N_DOMAIN, LOCALEDIR);
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
}

const char *pam_text(const char *msgid)
{
	pthread_once(&bound, bind_domain);
	return dgettext(I18N_DOMAIN, msgid);
}
