/*
 * IBGE municipality codes: 7 digits, the first two the state (UF) code, the
 * last a check digit. Nine real municipalities have codes that break the
 * check-digit rule; they are accepted by name in a fixed list.
 */
#ifndef PACTO_VALIDATE_IBGE_H
#define PACTO_VALIDATE_IBGE_H

#include <stdbool.h>

/* True when `code` is exactly 7 ASCII digits, its first two digits are an
 * existing UF code (11-17, 21-29, 31-33, 35, 41-43, 50-53), and its check digit
 * is right, or it is one of the nine official codes known to break the rule. */
bool ibge_code_is_valid(const char *code);

/* True when `code` is one of the nine official exceptions to the check digit. */
bool ibge_code_is_known_exception(const char *code);

/* True for a state's two-letter code (UF) in its form: two capital letters
 * (whether such a state exists is the database's to say). */
bool ibge_uf_is_wellformed(const char *uf);

/* The region of a UF code (its first digit): "norte", "nordeste", "sudeste",
 * "sul", "centro_oeste"; NULL when the code is not a UF code. */
const char *ibge_region_of_uf(int uf_code);

#endif
