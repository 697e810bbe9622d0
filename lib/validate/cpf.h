/*
 * CPF (Cadastro de Pessoas Físicas): the Brazilian individual taxpayer number,
 * 11 digits of which the last two are check digits.
 */
#ifndef PACTO_VALIDATE_CPF_H
#define PACTO_VALIDATE_CPF_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the 11 digits of `in` to out[12] (NUL-terminated), accepting only the
 * forms "12345678909" and "123.456.789-09". Returns false, leaving out as an
 * empty string, for anything else: wrong length, letters, misplaced punctuation,
 * wrong check digits, or all eleven digits equal ("111.111.111-11"). */
bool cpf_normalize(const char *in, char out[12]);

/* True when `in` is a valid CPF in either accepted form. */
bool cpf_is_valid(const char *in);

/* Writes the masked display form of an 11-digit normalized CPF to out[15]:
 * "12345678909" -> "***.456.789-**". Returns false (out empty) if `digits` is
 * not exactly 11 digits. */
bool cpf_mask(const char *digits, char out[15]);

#endif
