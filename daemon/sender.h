/* sender.h - drains the outbox: one digest per recipient, e-mail or webhook, every attempt recorded, retries with backoff, dead letters. */
#ifndef FRAGWATCH_SENDER_H
#define FRAGWATCH_SENDER_H

#include <signal.h>
#include <stdbool.h>

#include "daemon/conf.h"
#include "daemon/db.h"

/* How long one drain may take: the daemon's loop must not stall. */
struct sender_limits {
	double max_seconds;          /* no new message after this; 0: none */
	int max_messages;            /* 0: no limit */
	volatile sig_atomic_t *stop; /* set: stop (a transfer aborts), or NULL */
	void (*tick)(void *arg);     /* between messages (watchdog), or NULL */
	void *arg;
};

/* What one drain did. */
struct sender_stats {
	int sent;    /* messages accepted by the server or the webhook */
	int failed;  /* messages that failed (to be retried or dead) */
	int dead;    /* deliveries given up */
};

/*
 * One drain. Deliveries held by an active silence (owners' alerts of the
 * silenced area, or area x org) or by quiet hours (every alert but a red
 * one) wait. Notices that no one needs are superseded, not sent: one
 * never tried (or held by a silence) whose episode has since ended, with
 * the closing notice too when that recipient heard nothing of the episode
 * before, and an untried notice followed by a newer untried one. Then, for each recipient with a delivery due, one message
 * with all of that recipient's pending, unheld alerts (most urgent
 * first, at most 100): e-mail (mail_format + mail_send; the SMTP password
 * is read now from smtp.password_file or the credential "smtp-password")
 * or a webhook POST (text + structured fields). Each message is one row
 * of alert_attempts. A failure retries after retry_base * 2^(attempts-1),
 * at most retry_cap; a permanent failure (550, a 4xx from a webhook), or
 * max_attempts, or max_age_hours since the first attempt, makes the
 * delivery dead: a journal entry (LOG_ID_ALERT_DEAD) and an ops alert.
 * A crash between a send and its record sends that digest again, with the
 * same Message-ID / Idempotency-Key. Two processes never drain at once (an
 * advisory lock; the second returns 0 at once). Returns 0, or -errno with
 * err when the database failed.
 */
int sender_drain(struct db *db, const struct conf *c,
    const struct sender_limits *lim, struct sender_stats *st, char *err,
    size_t errlen);

/* Seconds until the next pending delivery that no silence or quiet
 * hours hold is due (0 when one is due now), or -1 when there is none. */
double sender_next_due(struct db *db, const struct conf *c);

/* True when minute (after local midnight) is within quiet hours
 * from..to (minutes; to < from wraps past midnight; from < 0: none). */
bool sender_quiet(int minute, int from, int to);

#endif
