/*
 * The challenge a focalization write is about, checked once for every such
 * write (a run, a manual decision): it exists, the caller manages its
 * responsible area, and its cycle is not closed.
 */
#ifndef PACTO_FOCALIZATION_CHALLENGE_H
#define PACTO_FOCALIZATION_CHALLENGE_H

#include "http/request.h"

#include <stdbool.h>

struct focal_challenge {
    char state_code[8]; /* the cycle's state */
    bool combine_all;   /* focal_combine = 'all' */
};

/* Begins the request's transaction and checks, with the challenge locked
 * FOR SHARE until it ends (its rule cannot change under a run), that
 * challenge `challenge_id` exists (404), that municipality `ibge` is in its
 * cycle's state when ibge is not NULL (404), that the caller manages the
 * challenge's responsible area (403 naming it), and that the cycle is not
 * closed (409). Fills out and returns true with the transaction open;
 * returns false after answering. */
bool focal_challenge_writable(struct request *req, const char *challenge_id, const char *ibge,
                              struct focal_challenge *out);

#endif
