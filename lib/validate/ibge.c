/*
 * IBGE municipality code validation and the UF-to-region table (see ibge.h).
 */
#include "validate/ibge.h"

#include <stdlib.h>
#include <string.h>

/* Official codes, present in IBGE's own municipality list, whose seventh digit
 * does not match the check-digit rule below. Checked against all 5,570 codes
 * in shared/data/ibge-municipios.csv: these nine are the only ones that fail.
 * Kept sorted for bsearch. */
static const char *const ibge_exceptions[] = {
    "2201919", /* Bom Princípio do Piauí (PI) */
    "2201988", /* Brejo do Piauí (PI) */
    "2202251", /* Canavieira (PI) */
    "2611533", /* Quixaba (PE) */
    "3117836", /* Cônego Marinho (MG) */
    "3152131", /* Ponto Chique (MG) */
    "4305871", /* Coronel Barros (RS) */
    "5203939", /* Buriti de Goiás (GO) */
    "5203962", /* Buritinópolis (GO) */
};

static int ibge_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool ibge_uf_exists(int uf)
{
    return (uf >= 11 && uf <= 17) || (uf >= 21 && uf <= 29) || (uf >= 31 && uf <= 33) || uf == 35 ||
           (uf >= 41 && uf <= 43) || (uf >= 50 && uf <= 53);
}

/* Weights 1,2,1,2,1,2 over the first six digits; two-digit products count as
 * the sum of their digits (the Luhn-like IBGE rule). */
static int ibge_check_digit(const char *code)
{
    int sum = 0;
    for (int i = 0; i < 6; i++) {
        int p = (code[i] - '0') * (i % 2 ? 2 : 1);
        sum += p / 10 + p % 10;
    }
    return (10 - sum % 10) % 10;
}

static bool ibge_is_seven_digits(const char *code)
{
    if (!code)
        return false;
    for (int i = 0; i < 7; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return code[7] == '\0';
}

bool ibge_code_is_known_exception(const char *code)
{
    if (!ibge_is_seven_digits(code))
        return false;
    return bsearch(&code, ibge_exceptions, sizeof ibge_exceptions / sizeof ibge_exceptions[0],
                   sizeof ibge_exceptions[0], ibge_cmp) != NULL;
}

bool ibge_code_is_valid(const char *code)
{
    if (!ibge_is_seven_digits(code))
        return false;
    if (!ibge_uf_exists((code[0] - '0') * 10 + (code[1] - '0')))
        return false;
    return ibge_check_digit(code) == code[6] - '0' || ibge_code_is_known_exception(code);
}

const char *ibge_region_of_uf(int uf_code)
{
    static const char *const regions[] = {NULL,      "norte", "nordeste",
                                          "sudeste", "sul",   "centro_oeste"};
    if (!ibge_uf_exists(uf_code))
        return NULL;
    return regions[uf_code / 10];
}

bool ibge_uf_is_wellformed(const char *uf)
{
    return strlen(uf) == 2 && strspn(uf, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 2;
}
