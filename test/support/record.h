/*
 * Records the HTTP exchanges of the integration tests for the contract check
 * (scripts/contract-check.sh). When PACTO_TEST_RECORD names a file, every
 * response appends one JSON line to it:
 *
 *   {"method":"GET","path":"/v1/cycles/1","query":"limit=2","token":true,
 *    "request_headers":{"accept":"text/csv"},"status":200,
 *    "headers":{"content-type":"application/json",...},"body":"...",
 *    "body_base64":false}
 *
 * "query" is the text after '?' ("" when none); "token" tells whether a
 * bearer token was sent (it is not recorded); "request_headers" are the
 * headers the test set itself (Content-Type and the extra ones). Header names
 * are lower-cased, repeated headers joined with ", ". The body is the text as
 * received when it is valid UTF-8 without NUL bytes; otherwise "body" holds
 * its base64 and "body_base64" is true. Each line is written with one
 * write(2) to a file opened with O_APPEND, so the forked test processes can
 * share it.
 */
#ifndef PACTO_TEST_RECORD_H
#define PACTO_TEST_RECORD_H

#include "client.h"

/* Appends the exchange when PACTO_TEST_RECORD is set; does nothing
 * otherwise. Never fails the test. */
void record_exchange(const struct http_request *req, const struct http_response *res);

#endif
