/*
 * Free text from people outside the program (citizens' comments and
 * questions, answers to them): plain text only. It is stored and returned as
 * typed, so text that a browser could take for HTML markup is refused rather
 * than escaped or stripped — nothing the API returns can carry a tag.
 */
#ifndef PACTO_VALIDATE_PLAIN_TEXT_H
#define PACTO_VALIDATE_PLAIN_TEXT_H

/* NULL when s holds no markup, else the reason (for a 422 naming the field).
 * Markup is '<' directly followed by a letter, '/', '!' or '?' — the start of
 * an HTML tag, end tag, comment, doctype or processing instruction. A '<'
 * followed by anything else ("a < b", "<3", "<= 10") is plain text. */
const char *plain_text_problem(const char *s);

#endif
