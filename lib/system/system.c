/*
 * Operational endpoints (see system.h).
 */
#include "system/system.h"

#include "config/config.h"
#include "core/embedded.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/replica.h"
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

/* The replica's state for /readyz, "" when none is configured. */
static const char *replica_state(const struct request *req)
{
    struct db_replica_view v;
    db_replica_view(&v);
    if (!v.configured)
        return "";
    if (!v.up)
        return "down";
    int bound = req->cfg->replica_max_lag_ms;
    return v.lag_ms < 0 || (bound && v.lag_ms > bound) ? "lagging" : "up";
}

/* Ready, or degraded (primary unreachable, replica serving public reads):
 * both are 200, as the server still serves what it can; writes get 503. */
static void answer_ready(struct request *req, const char *status, const char *applied)
{
    struct buf b = {0};
    buf_printf(&b, "{\"status\":\"%s\",\"schema_version\":", status);
    buf_json_string(&b, applied);
    const char *replica = replica_state(req);
    if (*replica)
        buf_printf(&b, ",\"primary\":\"%s\",\"replica\":\"%s\"",
                   strcmp(status, "ready") == 0 ? "up" : "down", replica);
    buf_putc(&b, '}');
    resp_json_buf(req, 200, &b);
}

void system_readyz(struct request *req)
{
    /* Not req_db: its wait for a free connection alone may take longer than
     * the budget. A caller with a token had its account checked on a
     * connection already: it goes back first. The server releases req->db
     * as for any other handler. With a replica, half the budget is its. */
    db_release(req->db);
    bool replica = db_read_pool_configured();
    int budget = replica ? READYZ_BUDGET_MS / 2 : READYZ_BUDGET_MS;
    struct db_conn *db = req->db = db_acquire_within(budget);
    char applied[128];
    bool primary_ok = db && migrate_applied(db, applied, sizeof applied);
    const char *status = "ready";
    if (!primary_ok && replica) {
        db_release(req->db);
        db = req->db = db_acquire_read_within(budget);
        status = "degraded";
        if (db && !db_conn_on_replica(db))
            db = NULL; /* it fell back to the primary, which just failed */
        if (db && !migrate_applied(db, applied, sizeof applied))
            db = NULL;
    } else if (!primary_ok) {
        db = NULL;
    }
    if (!db) {
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
    answer_ready(req, status, applied);
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
    db_replica_render_metrics(&b);
    resp_body(req, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
}

void system_openapi(struct request *req)
{
    struct buf b = {0};
    buf_append(&b, embedded_openapi, embedded_openapi_len);
    resp_body(req, 200, "application/yaml", &b);
}
