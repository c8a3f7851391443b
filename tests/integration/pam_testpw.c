/*
 * Test-only stand-in for pam_unix: checks PAM_AUTHTOK (or asks for a
 * password when there is none) against the hash in a shadow file named by
 * shadow=PATH. pam_unix itself cannot read a temporary shadow file under
 * nss_wrapper (it falls back to its setuid helper), so the tests and the demo
 * use this module to prove "log in with the new password" through a real
 * libpam stack.
 *
 * In the password stack it does what pam_unix with use_authtok does: with
 * askold (pam_unix for an ordinary user) it first asks for the current
 * password and keeps it as PAM_OLDAUTHTOK; then it writes the PAM_AUTHTOK an
 * earlier module set, hashed, into the shadow file.
 */
#include <crypt.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int verify(const char *shadow, const char *user, const char *tok)
{
	char hash[1024];
	if (lookup_hash(shadow, user, hash, sizeof(hash)) < 0)
		return PAM_USER_UNKNOWN;
	struct crypt_data data;
	memset(&data, 0, sizeof(data));
	const char *res = crypt_r(tok, hash, &data);
	return res && res[0] != '*' && strcmp(res, hash) == 0 ? PAM_SUCCESS : PAM_AUTH_ERR;
}

/* Rewrite user's hash field through a temp file and rename. */
static int write_hash(const char *shadow, const char *user, const char *hash)
{
	char tmp[4096], line[4096];
	snprintf(tmp, sizeof(tmp), "%s.testpw", shadow);
	FILE *in = fopen(shadow, "re"), *out = fopen(tmp, "we");
	size_t ulen = strlen(user);
	int found = 0;
	if (!in || !out) {
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return -1;
	}
	struct stat st;
	if (fstat(fileno(in), &st) == 0)
		fchmod(fileno(out), st.st_mode & 07777);
	while (fgets(line, sizeof(line), in)) {
		char *rest = strchr(line, ':') ? strchr(strchr(line, ':') + 1, ':') : NULL;
		if (strncmp(line, user, ulen) == 0 && line[ulen] == ':' && rest) {
			fprintf(out, "%s:%s%s", user, hash, rest);
			found = 1;
		} else {
			fputs(line, out);
		}
	}
	fclose(in);
	if (fclose(out) != 0 || !found || rename(tmp, shadow) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const char *shadow = NULL, *user = NULL;
	int askold = 0;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "shadow=", 7) == 0)
			shadow = argv[i] + 7;
		else if (strcmp(argv[i], "askold") == 0)
			askold = 1;
	}
	if (!shadow || pam_get_user(pamh, &user, NULL) != PAM_SUCCESS)
		return PAM_SERVICE_ERR;
	if (flags & PAM_PRELIM_CHECK) {
		const char *old = NULL;
		if (!askold)
			return PAM_SUCCESS;
		if (pam_get_authtok(pamh, PAM_OLDAUTHTOK, &old, "Current password: ") !=
			PAM_SUCCESS ||
		    !old)
			return PAM_AUTHTOK_ERR;
		return verify(shadow, user, old) == PAM_SUCCESS ? PAM_SUCCESS
								: PAM_AUTHTOK_RECOVERY_ERR;
	}
	const void *tok = NULL;
	if (pam_get_item(pamh, PAM_AUTHTOK, &tok) != PAM_SUCCESS || !tok)
		return PAM_AUTHTOK_ERR; /* use_authtok: an earlier module must ask */
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data data;
	memset(&data, 0, sizeof(data));
	if (!crypt_gensalt_rn("$6$", 1000, NULL, 0, salt, sizeof(salt)))
		return PAM_AUTHTOK_ERR;
	const char *h = crypt_r(tok, salt, &data);
	if (!h || h[0] == '*' || write_hash(shadow, user, h) < 0)
		return PAM_AUTHTOK_ERR;
	pam_info(pamh, "testpw: password changed");
	return PAM_SUCCESS;
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_SUCCESS;
}
