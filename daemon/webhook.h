/* webhook.h - one alert as a chat webhook: the JSON body (jansson) and its POST (libcurl). */
#ifndef FRAGWATCH_WEBHOOK_H
#define FRAGWATCH_WEBHOOK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * The body: {"text": TEXT, ...the members of extra}. "text" is what
 * Slack, Mattermost and Teams incoming webhooks show (plain text with
 * light Markdown: *bold*, line breaks); extra carries the structured
 * fields for receivers that read them, e.g.
 *
 *	extra = json_pack("{s:{s:s, s:s, s:s, s:s, s:i}}", "fragwatch",
 *	    "area", "NEURO", "org", "SU", "indicator", "Q1",
 *	    "status", "yellow", "periods_to_red", 6);
 *
 * extra is borrowed (not stolen, not changed); NULL adds nothing. All text
 * is UTF-8 and goes out as UTF-8 (not \u escapes); jansson escapes quotes,
 * backslashes and control characters.
 *
 * Returns 0 with a malloc'd compact JSON string in *out, or -EINVAL (extra
 * is not an object, or has its own "text"), -EILSEQ (text is not UTF-8),
 * -ENOMEM, with a message in err.
 */
int webhook_body(const char *text, json_t *extra, char **out, char *err,
    size_t errlen);

struct webhook_request {
	const char *url;          /* http:// or https://; redirects are not followed */
	const char *body;         /* from webhook_body() */
	size_t body_len;
	const char *bearer_token; /* Authorization: Bearer, or NULL; never logged */
	const char *dedup_key;    /* sent as Idempotency-Key, or NULL */
	const char *ca_file;      /* extra CA bundle, or NULL */
	long connect_timeout;     /* seconds; 0: the same as timeout */
	long timeout;             /* seconds for the whole request; 0: 30 */
	volatile sig_atomic_t *stop; /* aborts with -EINTR when set, or NULL */
};

/* What happened; filled by webhook_post() whatever its return. */
struct webhook_result {
	long http_status;     /* 0 if no response */
	bool permanent;       /* retrying this body cannot help */
	char response[201];   /* the response body's first 200 bytes, printable UTF-8 */
	char error[256];      /* what failed, "" if delivered */
};

/* True when an HTTP status means "do not retry": 3xx and 4xx but 408
 * (request timeout) and 429 (too many requests). */
bool webhook_status_permanent(long http_status);

/*
 * POSTs rq->body as application/json. Returns 0 for a 2xx, or:
 *   -EREMOTEIO   any other status (res->http_status; permanent for 3xx
 *                and 4xx but 408 and 429, transient for 5xx);
 *   -ECONNREFUSED, -ETIMEDOUT, -EPROTO (TLS), -EIO (other transport
 *                errors), -EINTR: all transient;
 *   -EINVAL      a URL that is not http(s) (permanent), or a control
 *                character in the token or key (transient: the config's).
 */
int webhook_post(const struct webhook_request *rq, struct webhook_result *res);

#endif
