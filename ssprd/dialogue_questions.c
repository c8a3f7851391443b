/* Security questions in the dialogue: the draw (the same questions until
 * they are answered), one prompt per question, and one verdict for all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "ssprd/dialogue_internal.h"
#include "ssprd/questions.h"

void dlg_forget_questions(struct dialogue *d)
{
	for (unsigned i = 0; i < DLG_MAX_ASKED; i++) {
		free(d->asked_text[i]);
		secret_free(d->asked_hash[i]);
		secret_free(d->answers[i]);
		d->asked_text[i] = d->asked_hash[i] = d->answers[i] = NULL;
	}
	d->nasked = d->next_question = 0;
}

int dlg_ask_question(struct dialogue *d)
{
	d->state = DLG_QUESTION;
	/* The question is the site's own text, as configured. */
	return dlg_say(d, PROTO_PROMPT_ECHO_OFF, _("Question %u of %u: %s\nAnswer: "),
		       d->next_question + 1, d->nasked, d->asked_text[d->next_question]);
}

int dlg_start_questions(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	struct store_question *q = NULL;
	size_t n = 0, nidx = 0;
	unsigned idx[DLG_MAX_ASKED];
	dlg_forget_questions(d);
	int r = questions_draw(c, d->ctx->store, d->user, idx, DLG_MAX_ASKED, &nidx);
	if (r == 0)
		r = store_questions_list(d->ctx->store, d->user, &q, &n);
	for (size_t i = 0; r == 0 && i < nidx; i++) {
		size_t j = 0;
		while (j < n && q[j].idx != idx[i])
			j++;
		if (j == n) {
			r = -EBADMSG;
			break;
		}
		d->asked_text[i] = strdup(q[j].question);
		d->asked_hash[i] = strdup(q[j].answer_hash);
		if (!d->asked_text[i] || !d->asked_hash[i])
			r = -ENOMEM;
		d->nasked = (unsigned)i + 1;
	}
	store_questions_free(q, n);
	return dlg_questions_ready(d, r);
}

int dlg_questions_ready(struct dialogue *d, int r)
{
	if (r < 0 || d->nasked == 0) {
		log_error("reset for %s: cannot ask security questions: %s", d->user, strerror(-r));
		dlg_forget_questions(d);
		return dlg_finish_helpdesk(
		    d, PROTO_STATUS_UNAVAILABLE,
		    _("Password recovery failed because of an internal error."));
	}
	r = dlg_say(d, PROTO_INFO,
		    P_("Answer %u security question (Enter alone: other methods).",
		       "Answer %u security questions (Enter alone: other methods).", d->nasked),
		    d->nasked);
	return r < 0 ? r : dlg_ask_question(d);
}

int dlg_on_question_answer(struct dialogue *d, const char *a)
{
	secret_free(d->answers[d->next_question]);
	d->answers[d->next_question] = strdup(a);
	if (!d->answers[d->next_question])
		return -ENOMEM;
	if (++d->next_question < d->nasked)
		return dlg_ask_question(d);
	/* Every answer is checked, so the time taken and the message say
	 * nothing about which one was wrong. */
	bool ok = true;
	for (unsigned i = 0; i < d->nasked; i++)
		ok &= questions_verify(d->answers[i], d->asked_hash[i]);
	for (unsigned i = 0; i < d->nasked; i++) {
		secret_free(d->answers[i]);
		d->answers[i] = NULL;
	}
	if (!ok)
		return dlg_failed(d, _("The answers did not match. Try again."), false);
	store_lock(d->ctx->store);
	store_questions_clear_pending(d->ctx->store, d->user);
	store_unlock(d->ctx->store);
	return dlg_passed(d, _("Answers accepted."));
}
