/*
 * POST /v1/auth/token: e-mail and password in, a signed access token out.
 */
#ifndef PACTO_AUTH_LOGIN_H
#define PACTO_AUTH_LOGIN_H

#include "http/request.h"

void auth_token(struct request *req);

#endif
