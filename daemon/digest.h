/* digest.h - one recipient's pending alerts as one message: subject, plain text, HTML table, webhook fields (pure). */
#ifndef FRAGWATCH_DIGEST_H
#define FRAGWATCH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* One alert of the outbox, as the sender reads it. */
struct digest_item {
	int64_t id;
	const char *kind;       /* warning, red, resolved, data, dead */
	const char *title;      /* one line, already in words */
	const json_t *details;  /* the alert's details object (borrowed) */
};

/* What goes out. All text is UTF-8. */
struct digest {
	char *subject;  /* "fragwatch: " + the title, or a count by kind */
	char *text;     /* text/plain body (LF line ends) */
	char *html;     /* text/html body: every value from data escaped */
	char *chat;     /* the webhook's "text": light Markdown */
	json_t *extra;  /* the webhook's structured fields:
	                   {"fragwatch": {"count": n, "alerts": [...]}} */
};

/*
 * Renders items[0..n-1] (n >= 1; the caller orders them, most urgent
 * first). Per alert: the title; the current value against its green and
 * red thresholds; the trend in words and the projected date and time to
 * red; the data's newest period and source; the table of the area's
 * indicators (newest value, light, thresholds, period, source); the SQL
 * to look further. Shares (and the composite score) are shown as
 * percentages. Returns 0, or -ENOMEM / -EINVAL (n == 0) with err.
 */
int digest_render(const struct digest_item *items, size_t n,
    struct digest *out, char *err, size_t errlen);

/* Frees what digest_render() allocated; the struct is zeroed. */
void digest_clear(struct digest *d);

/* Formats an indicator value for code ("Q1" .. "S5", "composite"):
 * "78.5 %" for shares, "2" for whole numbers, else two decimals. */
void digest_value(const char *code, double v, char *buf, size_t size);

/* Formats a threshold text (">= 0.8") for code: ">= 80 %" for shares.
 * Text that does not parse is copied. */
void digest_bound(const char *code, const char *bound, char *buf,
    size_t size);

#endif
