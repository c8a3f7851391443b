/*
 * Privilege separation. Started as root with [daemon] user set, ssprd
 * prepares what needs root (the client socket, the state directory handed
 * to the user, secret files read into memory), then forks:
 *
 *  - the engine (the child) drops to the user for good and runs
 *    everything else: dialogues, the store, mail, text messages and calls;
 *  - the privileged process (the parent) only answers the engine's typed
 *    requests (privsep_msg.h): account state, verifying and writing a
 *    password, failed-login records, Linux audit records.
 *
 * Channels: one main SOCK_SEQPACKET socketpair made before the fork, over
 * which the engine passes one request channel per thread (SCM_RIGHTS); the
 * privileged process serves each channel in a thread of its own (at most
 * max_connections + PRIVSEP_SPARE_CHANNELS), so a slow hash for one
 * client does not hold up another, and what the engine reported on a
 * channel (MARK_VERIFIED) holds for that channel only: the thread that ran
 * the dialogue. A malformed message ends the engine, and with it the
 * privileged process; the privileged side never skips its own checks.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "common/conf.h"
#include "ssprd/privsep_msg.h"

#define PRIVSEP_SPARE_CHANNELS 16

/* --- Start-up, as root (privsep.c) --- */

/* [daemon] user: 0 and its ids; -ENOENT when there is no such user,
 * -EPERM when it is root. */
int privsep_lookup_user(const char *name, uid_t *uid, gid_t *gid);

/* Hand the state directory and the regular files in it (single links
 * only, never followed) to uid:gid, directory mode 0700. */
int privsep_prepare_state(const char *dir, uid_t uid, gid_t gid);

/* socketpair and fork: 0 in the engine, the engine's pid in the
 * privileged process, or a negative errno. */
pid_t privsep_fork(void);

/* In the engine: become uid:gid with no supplementary group and no way
 * back, and die with the privileged process. 0 or negative errno. */
int privsep_drop(uid_t uid, gid_t gid);

/* In the privileged process: serve the engine until it exits (SIGTERM or
 * SIGINT on sig_fd asks it to stop first). Sends READY=1 and STOPPING=1 to
 * systemd. Returns ssprd's exit status. */
int privsep_parent_run(const struct sspr_conf *conf, pid_t engine, uid_t engine_uid, int sig_fd);

/* --- The privileged side (privsep_server.c) --- */

/* Serve one request channel until the engine closes it (0), or a
 * malformed request (-EPROTO) or a socket error. */
int privsep_serve_channel(const struct sspr_conf *conf, int fd);

/* Serve the main channel: accept request channels from the engine (pid
 * engine, uid engine_uid, checked with SO_PEERCRED) until it goes away,
 * sig_fd (-1: none) reports SIGTERM or SIGINT and the engine does not stop
 * within the grace time, or a malformed message: -EPROTO. 0 when the
 * engine closed the main channel. */
int privsep_serve_main(const struct sspr_conf *conf, int main_fd, pid_t engine, uid_t engine_uid,
		       int sig_fd);

/* --- The engine side (privsep_client.c) --- */

/* True in an engine whose privileged process is another one. */
bool privsep_engine_active(void);

/* Use main_fd as the main channel from now on (-1: in-process again).
 * privsep_fork does this in the engine; tests may too. */
void privsep_client_attach(int main_fd);

/* Tell the privileged process the engine serves (READY=1 for systemd),
 * and watch the main channel: STOP or its end stops the engine (SIGTERM
 * to itself). */
int privsep_engine_ready(void);

/* Send req on the calling thread's channel and read the reply, which must
 * be of type want. 0; -EAGAIN when the privileged side has no room for
 * another channel; a negative errno when req cannot be encoded. Anything
 * wrong with the exchange itself (the channel ended, a malformed or
 * unexpected reply, no reply in time) ends the engine. */
int privsep_request(const struct privsep_msg *req, enum privsep_type want,
		    struct privsep_msg *reply);
