/*
 * Contact data: e-mail addresses and phone numbers as people type them.
 */
#ifndef PACTO_VALIDATE_CONTACT_H
#define PACTO_VALIDATE_CONTACT_H

/* NULL when s looks like an e-mail address (one @, text on both sides, a dot
 * in the domain, no spaces, at most 254 bytes), else the reason. */
const char *contact_email_problem(const char *s);

/* NULL when s is an acceptable phone number, else the reason. */
const char *contact_phone_problem(const char *s);

#endif
