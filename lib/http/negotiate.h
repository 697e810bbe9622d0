/*
 * Content negotiation: what an Accept header asks for.
 */
#ifndef PACTO_HTTP_NEGOTIATE_H
#define PACTO_HTTP_NEGOTIATE_H

/* The q-value the Accept header `accept` gives the media type `type` (RFC
 * 9110 12.5.1): that of the most specific range that matches it (type/subtype
 * over type/ * over * / *), 0 when none does; a malformed q is ignored. */
double http_accept_q(const char *accept, const char *type);

#endif
