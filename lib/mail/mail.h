/*
 * Outgoing mail (the confirmation link of a citizen's comment): a message is
 * a row of mail_outbox (sql/030_consultations.sql), written in the same
 * transaction as what it is about, so a message exists exactly when its
 * change was committed. A sender thread in the server delivers the rows by
 * SMTP (libcurl) when PACTO_SMTP_URL and PACTO_MAIL_FROM are set; without
 * them mail stays in the outbox, where an operator can see it
 * (pacto_mail_unsent in /metrics counts it either way).
 *
 * Once a message is sent its recipient and its text are removed from the
 * row (its subject and dates stay): an address is kept no longer than it
 * takes to deliver to it, and a confirmation link's token lives on only as
 * its hash. A failed delivery is
 * tried again later (after 1, 2, 4 … minutes, at most an hour apart), up to
 * MAIL_MAX_ATTEMPTS times; the row keeps the last error.
 */
#ifndef PACTO_MAIL_MAIL_H
#define PACTO_MAIL_MAIL_H

#include <stdbool.h>

struct config;

#define MAIL_MAX_ATTEMPTS 10

/* Starts the sender thread (which also counts the unsent mail for
 * /metrics). Call once, before the HTTP server starts; cfg must outlive
 * mail_sender_stop. Returns false when the thread cannot start. */
bool mail_sender_start(const struct config *cfg);

/* Stops the thread, after the message it is sending, if any. */
void mail_sender_stop(void);

/* Tells the sender that a message was committed, so it sends it now rather
 * than at its next look (every few seconds). Safe from any thread. */
void mail_sender_wake(void);

/* Messages in the outbox not sent yet (those still to be tried), as the
 * sender last counted them; -1 before its first count. */
long mail_unsent(void);

#endif
