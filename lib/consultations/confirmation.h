/*
 * The e-mail confirmation of a citizen's comment (see consultations.h): a
 * random one-time token, stored only as its SHA-256 and valid for
 * CONFIRMATION_HOURS, sent in a link by mail (lib/mail: the outbox row is
 * written in the comment's transaction).
 *
 * What the message says (Portuguese, plain text, subject "Confirme seu
 * comentário na consulta pública"): that a comment was sent with this
 * address to the consultation "<title>", the link to confirm it within 48
 * hours, and that without confirmation it will not be published. The link is
 * PACTO_CONFIRM_URL with {comment_id} and {token} replaced (a page of the
 * state's portal that POSTs {"token": ...} to /v1/comments/{comment_id}/confirm),
 * or by default <public URL>/v1/comments/<comment_id>/confirm?token=<token>,
 * whose token such a page reads. Nothing else of the comment is in it.
 */
#ifndef PACTO_CONSULTATIONS_CONFIRMATION_H
#define PACTO_CONSULTATIONS_CONFIRMATION_H

#include "http/request.h"

#include <stdbool.h>

#define CONFIRMATION_HOURS "48"

/* Inside the request's transaction, for comment `comment_id` just written
 * unconfirmed: makes its token, stores the token's hash and expiry, and
 * queues the message to `email` about consultation `title`. Returns false
 * after answering the database's error. */
bool confirmation_queue(struct request *req, const char *comment_id, const char *email,
                        const char *title);

#endif
