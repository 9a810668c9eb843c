/* mail.h - builds one alert e-mail (RFC 5322 + MIME, UTF-8) and sends it over SMTP (libcurl). */
#ifndef FRAGWATCH_MAIL_H
#define FRAGWATCH_MAIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * Addresses are "addr@domain" or "Display Name <addr@domain>" (the form of
 * alerts.smtp.from and of the owners' e-mail lists). The display name may be
 * UTF-8; it is RFC 2047-encoded when it is not plain ASCII.
 *
 * Header injection: every caller-given text that ends up in a header
 * (addresses, subject, key) is refused with -EINVAL when it holds CR, LF or
 * another control character, never stripped, so that a bad config or area
 * name is a visible error rather than a silently different message.
 */

/* One message to one recipient. All text is UTF-8 (checked: -EILSEQ). */
struct mail_message {
	const char *from;    /* alerts.smtp.from */
	const char *to;      /* exactly one recipient */
	const char *subject;
	const char *text;    /* text/plain body; LF or CRLF line ends */
	const char *html;    /* text/html body, or NULL for a text-only message */
	const char *key;     /* the outbox's stable deduplication key */
	time_t date;         /* Date: header (local time zone); 0 = now */
};

/*
 * Formats m as a complete message with CRLF line ends, every line at most
 * 76 characters (but a header holding a single address longer than that):
 * Date, From, To, Subject (encoded-words, folded, when not short ASCII),
 * Message-ID, MIME-Version, Auto-Submitted: auto-generated (RFC 3834, so
 * that vacation responders stay quiet) and Content-Type; the body is
 * multipart/alternative (text/plain, then text/html), each part
 * quoted-printable UTF-8, or a single text/plain part when m->html is NULL.
 *
 * The Message-ID is "<fw.HASH@DOMAIN>": HASH is the first 128 bits of
 * SHA-256(key) in hex, DOMAIN the From address's domain. A resend of the
 * same alert therefore carries the same Message-ID and receivers can
 * drop the duplicate. The MIME boundary holds "=_", which quoted-printable
 * never produces, so it cannot occur in the encoded content.
 *
 * Returns 0 with a malloc'd message in *out (NUL-terminated) and its length
 * in *outlen, or a negative errno with a message in err: -EINVAL (missing
 * field, bad address, control character in a header field), -EILSEQ
 * (invalid UTF-8), -ENOMEM.
 */
int mail_format(const struct mail_message *m, char **out, size_t *outlen,
    char *err, size_t errlen);

/*
 * The bare address ("addr@domain") of "addr@domain" or "Name <addr@domain>",
 * into buf. Returns 0, or -EINVAL (no single '@' with text on both sides,
 * spaces, angle brackets or control characters in the address, unbalanced
 * '<'...'>') or -ENAMETOOLONG (does not fit buf or longer than 254).
 */
int mail_address(const char *in, char *buf, size_t len);

/* The SMTP server: alerts.smtp in the config. */
struct mail_server {
	const char *url;        /* smtp://host[:port] or smtps://host[:port] */
	const char *username;   /* AUTH (PLAIN or LOGIN, as the server offers) */
	const char *password;   /* NULL or "": no AUTH; never logged */
	const char *ca_file;    /* extra CA bundle, or NULL for the system's */
	bool starttls;          /* smtp:// only: true requires STARTTLS */
	long connect_timeout;   /* seconds; 0: the same as timeout */
	long timeout;           /* seconds for the whole session; 0: 30 */
	volatile sig_atomic_t *stop; /* aborts with -EINTR when set, or NULL */
};

/* What happened; filled by mail_send() whatever its return. */
struct mail_result {
	long smtp_code;       /* the server's last reply code, 0 if none */
	bool permanent;       /* retrying this message cannot help */
	char response[256];   /* that reply's text, e.g. "550 5.1.1 ... unknown" */
	char error[256];      /* what failed (libcurl's message), "" if sent */
};

/*
 * Sends msg (from mail_format()) from the address of from to the address
 * of to. TLS is verified (peer and host name). With smtp:// and starttls
 * the session fails unless the server offers STARTTLS; a password is never
 * sent over a connection without TLS (-EINVAL before connecting).
 *
 * Returns 0 when the server accepted the message (250 after DATA), or:
 *   -EREMOTEIO   the server refused with a reply (res->smtp_code, response);
 *                permanent when it is a 5xx to MAIL FROM, RCPT TO or DATA
 *                (550 unknown recipient, 552 too big, 554 rejected);
 *   -EACCES      AUTH refused (535): a configuration problem, transient;
 *   -EPROTO      STARTTLS required but not offered, or a TLS failure;
 *   -ECONNREFUSED, -ETIMEDOUT, -EIO (other transport errors), -EINTR;
 *   -EINVAL      a bad URL scheme, sender, or a password without TLS
 *                (transient: the config's), or a bad recipient (permanent).
 * Only res->permanent failures should skip the retries: a server-wide
 * problem (AUTH, TLS, 4xx, down) is transient, so that fixing it
 * delivers everything still in the outbox.
 */
int mail_send(const struct mail_server *srv, const char *from,
    const char *to, const char *msg, size_t len, struct mail_result *res);

#endif
