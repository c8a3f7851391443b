/* Internal to store_dir*.c: the user's enrolment document in the
 * directory, read whole and written back with a compare-and-swap. */
#pragma once

#include "ssprd/store.h"
#include "ssprd/store_dir_doc.h"
#include "ssprd/store_internal.h"

struct dir_conn;
/* dir_open, unless the directory failed to answer moments ago
 * (-EHOSTDOWN then); sdir_failed records such a failure. */
int sdir_open(struct store *s, struct dir_conn *c);
void sdir_failed(struct store *s, int r);

/* Read user's document into d (empty when the entry has none; sdoc_clear
 * it). With kind (may be NULL), also the directory's own contact of that
 * kind into *attr (value NULL when none usable). -ENOENT: no such user in
 * the directory; other errors are the directory's, logged here. */
int sdir_read(struct store *s, const char *user, const char *kind, struct sdoc *d,
	      struct store_contact *attr);

/* Change user's document: edit gets the current one and returns 0 to
 * write it back, 1 when nothing changed, or a negative errno to stop
 * (returned). Written as "delete the old value, add the new" in one
 * modify, so a concurrent change on another host makes it fail and it is
 * read and edited again (a few times). */
typedef int (*sdir_edit_fn)(struct sdoc *d, void *arg);
int sdir_update(struct store *s, const char *user, sdir_edit_fn edit, void *arg);
