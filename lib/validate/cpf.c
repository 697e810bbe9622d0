/*
 * CPF validation, normalization and masking (see cpf.h). The check digits are
 * the standard mod-11 scheme: weights 10..2 for the first, 11..2 for the second.
 */
#include "validate/cpf.h"

#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Check digit over the first n digits, weights n+1 down to 2. */
static int cpf_check_digit(const char *d, int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += (d[i] - '0') * (n + 1 - i);
    int r = sum % 11;
    return r < 2 ? 0 : 11 - r;
}

/* Copies the digits of the two accepted layouts; any other shape is refused
 * rather than "cleaned", so that "123-456.78909" is not silently accepted. */
static bool cpf_extract(const char *in, char out[12])
{
    size_t len = strlen(in);
    size_t n = 0;
    if (len == 11) {
        for (size_t i = 0; i < 11; i++) {
            if (!is_digit(in[i]))
                return false;
            out[n++] = in[i];
        }
    } else if (len == 14) {
        for (size_t i = 0; i < 14; i++) {
            char want = i == 3 || i == 7 ? '.' : i == 11 ? '-' : 0;
            if (want) {
                if (in[i] != want)
                    return false;
            } else {
                if (!is_digit(in[i]))
                    return false;
                out[n++] = in[i];
            }
        }
    } else {
        return false;
    }
    out[n] = '\0';
    return true;
}

bool cpf_normalize(const char *in, char out[12])
{
    out[0] = '\0';
    char d[12];
    if (!in || !cpf_extract(in, d))
        return false;

    /* Repeated digits pass the arithmetic but are never issued. */
    bool all_same = true;
    for (int i = 1; i < 11; i++)
        all_same = all_same && d[i] == d[0];
    if (all_same)
        return false;

    if (cpf_check_digit(d, 9) != d[9] - '0' || cpf_check_digit(d, 10) != d[10] - '0')
        return false;
    memcpy(out, d, 12);
    return true;
}

bool cpf_is_valid(const char *in)
{
    char out[12];
    return cpf_normalize(in, out);
}

bool cpf_mask(const char *digits, char out[15])
{
    out[0] = '\0';
    if (!digits || strlen(digits) != 11)
        return false;
    for (int i = 0; i < 11; i++)
        if (!is_digit(digits[i]))
            return false;
    memcpy(out, "***.", 4);
    memcpy(out + 4, digits + 3, 3);
    out[7] = '.';
    memcpy(out + 8, digits + 6, 3);
    memcpy(out + 11, "-**", 4);
    return true;
}
