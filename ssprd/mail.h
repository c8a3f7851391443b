/* Sending mail with libcurl's SMTP client. */
#pragma once

#include <stddef.h>
#include <time.h>

#include "common/conf.h"

/* Build an RFC 5322 message (CRLF line ends; Date, Message-ID, From, To,
 * Subject encoded as RFC 2047 UTF-8 when not plain ASCII, MIME-Version,
 * text/plain UTF-8 body: 7bit when ASCII, else quoted-printable). The body uses "\n" line ends;
 * lines are converted to CRLF. -EINVAL for an invalid from/to address or a subject with control
 * characters. */
int mail_format(const char *from, const char *to, const char *subject, const char *body,
		time_t date, char **out, size_t *out_len);

/* Send one message to one recipient through conf's smtp_url: smtp:// to a
 * host other than loopback requires STARTTLS; smtps:// is TLS from the
 * start. Connect timeout 10 s, total conf->smtp_timeout. Logs failures
 * (never the body). 0 or negative errno (-EIO for a delivery failure). */
int mail_send(const struct sspr_conf *conf, const char *to, const char *subject, const char *body);

/* True when a URL's host is loopback (localhost, 127.0.0.0/8, ::1). */
int mail_url_is_loopback(const char *url);

/* Read [email] password_file (when a username is set) into memory before
 * ssprd drops privileges; mail_send then uses that copy (see
 * privsep_secret.h). 0 or negative errno. mail_secret_free wipes it. */
int mail_secret_load(const struct sspr_conf *conf);
void mail_secret_free(void);
