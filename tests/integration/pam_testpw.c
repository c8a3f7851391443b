/*
 * Test-only stand-in for pam_unix: checks PAM_AUTHTOK (or asks for a
 * password when there is none) against the hash in a shadow file named by
 * shadow=PATH. pam_unix itself cannot read a temporary shadow file under
 * nss_wrapper (it falls back to its setuid helper), so the tests and the demo
 * use this module to prove "log in with the new password" through a real
 * libpam stack.
 */
#include <crypt.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int lookup_hash(const char *path, const char *user, char *out, size_t outsz)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char line[4096];
	size_t ulen = strlen(user);
	int found = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, user, ulen) != 0 || line[ulen] != ':')
			continue;
		char *hash = line + ulen + 1, *end = strchr(hash, ':');
		if (!end || (size_t)(end - hash) >= outsz)
			break;
		memcpy(out, hash, (size_t)(end - hash));
		out[end - hash] = '\0';
		found = 0;
		break;
	}
	fclose(f);
	return found;
}

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	const char *shadow = NULL, *user = NULL, *tok = NULL;
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "shadow=", 7) == 0)
			shadow = argv[i] + 7;
	if (!shadow || pam_get_user(pamh, &user, NULL) != PAM_SUCCESS)
		return PAM_SERVICE_ERR;
	if (pam_get_authtok(pamh, PAM_AUTHTOK, &tok, NULL) != PAM_SUCCESS || !tok)
		return PAM_AUTH_ERR;
	char hash[1024];
	if (lookup_hash(shadow, user, hash, sizeof(hash)) < 0)
		return PAM_USER_UNKNOWN;
	struct crypt_data data;
	memset(&data, 0, sizeof(data));
	const char *res = crypt_r(tok, hash, &data);
	int ok = res && res[0] != '*' && strcmp(res, hash) == 0;
	if (ok)
		pam_info(pamh, "testpw: password accepted");
	return ok ? PAM_SUCCESS : PAM_AUTH_ERR;
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_SUCCESS;
}
