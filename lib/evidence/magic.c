/*
 * Evidence file types and their magic numbers (see magic.h).
 */
#include "evidence/magic.h"

#include <string.h>
#include <strings.h>

struct file_type {
    const char *media_type;
    const char *extension;
    const unsigned char *magic;
    size_t magic_len;
};

static const struct file_type types[] = {
    {"application/pdf", "pdf", (const unsigned char *)"%PDF-", 5},
    {"image/jpeg", "jpg", (const unsigned char *)"\xFF\xD8\xFF", 3},
    {"image/png", "png", (const unsigned char *)"\x89PNG\r\n\x1A\n", 8},
};

#define NTYPES (sizeof types / sizeof types[0])

static const struct file_type *type_of(const char *media_type)
{
    for (size_t i = 0; media_type && i < NTYPES; i++)
        if (strcmp(types[i].media_type, media_type) == 0)
            return &types[i];
    return NULL;
}

const char *evidence_media_type(const char *content_type)
{
    if (!content_type)
        return NULL;
    content_type += strspn(content_type, " \t");
    size_t n = strcspn(content_type, "; \t");
    for (size_t i = 0; i < NTYPES; i++)
        if (strlen(types[i].media_type) == n &&
            strncasecmp(types[i].media_type, content_type, n) == 0)
            return types[i].media_type;
    return NULL;
}

const char *evidence_extension(const char *media_type)
{
    const struct file_type *t = type_of(media_type);
    return t ? t->extension : NULL;
}

bool evidence_magic_matches(const char *media_type, const unsigned char *head, size_t len)
{
    const struct file_type *t = type_of(media_type);
    return t && head && len >= t->magic_len && memcmp(head, t->magic, t->magic_len) == 0;
}
