/*
 * Operational endpoints (see system.h).
 */
#include "system/system.h"

#include "core/embedded.h"
#include "db/db.h"
#include "db/migrate.h"
#include "http/metrics.h"
#include "mail/mail.h"
#include "http/response.h"

#include <stdio.h>
#include <string.h>

/* /readyz answers within this, whatever PostgreSQL does: a probe that hangs
 * tells an orchestrator less than a prompt 503. */
#define READYZ_BUDGET_MS 1000

void system_healthz(struct request *req)
{
    static const char body[] = "{\"status\":\"ok\"}";
    resp_json(req, 200, body, sizeof body - 1);
}

void system_readyz(struct request *req)
{
    /* Not req_db: its wait for a free connection alone may take longer than
     * the budget. A caller with a token had its account checked on a
     * connection already: it goes back first. The server releases req->db
     * as for any other handler. */
    db_release(req->db);
    struct db_conn *db = req->db = db_acquire_within(READYZ_BUDGET_MS);
    if (!db) {
        resp_db_error(req);
        return;
    }
    char applied[128];
    if (!migrate_applied(db, applied, sizeof applied)) {
        resp_db_error(req);
        return;
    }
    if (strcmp(applied, migrate_latest()) != 0) {
        char detail[300];
        snprintf(detail, sizeof detail,
                 "The database schema is at \"%s\" but this server needs \"%s\"; run pacto "
                 "migrate.",
                 applied, migrate_latest());
        resp_header(req, "Retry-After", "5");
        resp_problem(req, 503, "service-unavailable", "Not ready", detail);
        return;
    }
    struct buf b = {0};
    buf_puts(&b, "{\"status\":\"ready\",\"schema_version\":");
    buf_json_string(&b, applied);
    buf_putc(&b, '}');
    resp_json_buf(req, 200, &b);
}

void system_metrics(struct request *req)
{
    struct buf b = {0};
    metrics_render(&b);
    /* Public consultations: confirmation mail not sent yet (all of it while
     * PACTO_SMTP_URL is unset). */
    buf_printf(&b,
               "# HELP pacto_mail_unsent Messages in the mail outbox not sent yet.\n"
               "# TYPE pacto_mail_unsent gauge\npacto_mail_unsent %ld\n",
               mail_unsent() < 0 ? 0 : mail_unsent());
    resp_body(req, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
}

void system_openapi(struct request *req)
{
    struct buf b = {0};
    buf_append(&b, embedded_openapi, embedded_openapi_len);
    resp_body(req, 200, "application/yaml", &b);
}
