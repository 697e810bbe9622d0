/*
 * The link of an evidence: an https URL the server never fetches, checked
 * for its shape only. Pure.
 */
#ifndef PACTO_EVIDENCE_LINK_H
#define PACTO_EVIDENCE_LINK_H

#define EVIDENCE_LINK_MAX 2000

/* NULL when url is an https URL ("https://", lowercase) with a host and no white space or control
 * characters (at most EVIDENCE_LINK_MAX characters is the caller's check),
 * else the reason, a constant. */
const char *evidence_link_problem(const char *url);

#endif
