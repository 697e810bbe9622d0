/*
 * A tiny SMTP server on loopback for the tests of outgoing mail: just
 * enough of the protocol for libcurl (220, EHLO/HELO, MAIL, RCPT, DATA,
 * RSET, NOOP, QUIT). It accepts every message and keeps the last ones.
 */
#ifndef PACTO_TEST_SMTP_SINK_H
#define PACTO_TEST_SMTP_SINK_H

#include <stdbool.h>
#include <stddef.h>

/* Starts the sink on 127.0.0.1 at a free port, returned. Fails the test
 * when it cannot. */
int smtp_sink_start(void);
void smtp_sink_stop(void);

/* Waits up to timeout_ms for message number n (0-based, in order of
 * arrival) and copies its envelope recipient ("<a@b>") and its data (headers
 * and body as sent, dot-stuffing undone) into the buffers. False when it did
 * not come. */
bool smtp_sink_message(int n, int timeout_ms, char *rcpt, size_t rcpt_cap, char *data,
                       size_t data_cap);

/* Messages received so far. */
int smtp_sink_count(void);

#endif
