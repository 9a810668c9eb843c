/* mail.c - one alert e-mail: MIME formatting (RFC 5322, 2045-2047) and an SMTP session (libcurl). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "daemon/mail.h"
#include "daemon/text.h"

#define LINE_MAX_LEN 76     /* RFC 2045 for encoded lines; we keep headers to it too */
#define WORD_BYTES 39       /* raw bytes per encoded-word: "Subject: " + 64 = 73 */
#define ADDR_MAX 254        /* RFC 5321 path limit less the brackets */

/* A growing output buffer; the first failed allocation sticks. */
struct buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 1024;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static int
set_err(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
set_err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool
utf8_valid(const char *s)
{
	size_t n;

	for (; *s != '\0'; s += n)
		if ((n = text_utf8_len((const unsigned char *)s)) == 0)
			return false;
	return true;
}

static bool
is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* Splits "Name <addr>" or "addr": the name (trimmed, maybe empty) and the address. */
static int
split_address(const char *in, const char **name, size_t *namelen,
    const char **addr, size_t *addrlen)
{
	const char *lt, *gt, *at;
	size_t i;

	if (in == NULL || text_has_ctl(in))
		return -EINVAL;
	if ((lt = strrchr(in, '<')) != NULL) {
		if ((gt = strchr(lt, '>')) == NULL || gt[1] != '\0')
			return -EINVAL;
		*name = in;
		*namelen = (size_t)(lt - in);
		while (*namelen > 0 && (**name == ' ' || **name == '\t')) {
			(*name)++;
			(*namelen)--;
		}
		while (*namelen > 0 && ((*name)[*namelen - 1] == ' ' ||
		    (*name)[*namelen - 1] == '\t'))
			(*namelen)--;
		*addr = lt + 1;
		*addrlen = (size_t)(gt - lt - 1);
	} else {
		*name = in;
		*namelen = 0;
		*addr = in;
		*addrlen = strlen(in);
	}
	if (*addrlen > ADDR_MAX)
		return -ENAMETOOLONG;
	if (memchr(*name, '>', *namelen) != NULL)
		return -EINVAL;
	at = NULL;
	for (i = 0; i < *addrlen; i++) {
		char c = (*addr)[i];

		if (c == ' ' || c == '\t' || c == '<' || c == '>' ||
		    c == '"' || c == ',' || c == ';' || c == '\\')
			return -EINVAL;
		if (c == '@') {
			if (at != NULL)
				return -EINVAL;
			at = *addr + i;
		}
	}
	if (at == NULL || at == *addr || at == *addr + *addrlen - 1)
		return -EINVAL;
	return 0;
}

int
mail_address(const char *in, char *buf, size_t len)
{
	const char *name, *addr;
	size_t namelen, addrlen;
	int rc;

	if ((rc = split_address(in, &name, &namelen, &addr, &addrlen)) < 0)
		return rc;
	if (addrlen + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf, addr, addrlen);
	buf[addrlen] = '\0';
	return 0;
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
base64(struct buf *b, const unsigned char *s, size_t n)
{
	char out[4];

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		out[0] = b64chars[(v >> 18) & 63];
		out[1] = b64chars[(v >> 12) & 63];
		out[2] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		out[3] = i + 2 < n ? b64chars[v & 63] : '=';
		buf_add(b, out, 4);
	}
}

/*
 * A header being written: tokens are separated by one space and a token
 * that would pass the line limit starts a folded line (CRLF SP).
 */
struct header {
	struct buf *b;
	size_t col;
};

static void
header_start(struct header *h, struct buf *b, const char *name)
{
	h->b = b;
	buf_str(b, name);
	buf_add(b, ":", 1);
	h->col = strlen(name) + 1;
}

static void
header_token(struct header *h, const char *tok, size_t n)
{
	if (h->col + 1 + n > LINE_MAX_LEN && h->col > 1) {
		buf_add(h->b, "\r\n", 2);
		h->col = 0;
	}
	buf_add(h->b, " ", 1);
	buf_add(h->b, tok, n);
	h->col += 1 + n;
}

static void
header_end(struct header *h)
{
	buf_add(h->b, "\r\n", 2);
}

/*
 * UTF-8 text as RFC 2047 B encoded-words of at most WORD_BYTES bytes each,
 * cut between characters (RFC 2047 section 5: a word holds whole
 * characters), so that every line stays within LINE_MAX_LEN.
 */
static void
header_words(struct header *h, const char *s, size_t n)
{
	struct buf w = { 0 };
	size_t at = 0, take, cl;

	while (at < n) {
		take = 0;
		while (at + take < n) {
			cl = text_utf8_len((const unsigned char *)s + at + take);
			if (cl == 0)
				cl = 1;   /* checked by the caller; never loop */
			if (take + cl > WORD_BYTES)
				break;
			take += cl;
		}
		w.len = 0;
		buf_str(&w, "=?UTF-8?B?");
		base64(&w, (const unsigned char *)s + at, take);
		buf_str(&w, "?=");
		if (w.failed)
			h->b->failed = true;
		else
			header_token(h, w.p, w.len);
		at += take;
	}
	free(w.p);
}

/* A display name: as a quoted-string when it is short ASCII, else encoded-words. */
static void
header_name(struct header *h, const char *name, size_t n)
{
	struct buf q = { 0 };

	if (n == 0)
		return;
	if (is_ascii(name, n) && h->col + 3 + 2 * n <= LINE_MAX_LEN) {
		buf_add(&q, "\"", 1);
		for (size_t i = 0; i < n; i++) {
			if (name[i] == '"' || name[i] == '\\')
				buf_add(&q, "\\", 1);
			buf_add(&q, name + i, 1);
		}
		buf_add(&q, "\"", 1);
		if (q.failed)
			h->b->failed = true;
		else
			header_token(h, q.p, q.len);
		free(q.p);
		return;
	}
	header_words(h, name, n);
}

static void
header_address(struct buf *b, const char *field, const char *name,
    size_t namelen, const char *addr, size_t addrlen)
{
	struct header h;
	char tok[ADDR_MAX + 3];

	header_start(&h, b, field);
	header_name(&h, name, namelen);
	snprintf(tok, sizeof(tok), "<%.*s>", (int)addrlen, addr);
	header_token(&h, tok, addrlen + 2);
	header_end(&h);
}

static void
header_subject(struct buf *b, const char *subject)
{
	struct header h;
	size_t n = strlen(subject);

	header_start(&h, b, "Subject");
	/* Short ASCII goes as it is; anything else, or text that a reader
	 * could take for an encoded-word, is encoded. */
	if (is_ascii(subject, n) && strstr(subject, "=?") == NULL &&
	    h.col + 1 + n <= LINE_MAX_LEN) {
		if (n > 0)
			header_token(&h, subject, n);
	} else
		header_words(&h, subject, n);
	header_end(&h);
}

/* RFC 5322 date-time in the local time zone; names are not the locale's. */
static void
header_date(struct buf *b, time_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	char line[64];
	long off;

	if (localtime_r(&t, &tm) == NULL) {
		b->failed = true;
		return;
	}
	off = tm.tm_gmtoff / 60;
	snprintf(line, sizeof(line), "Date: %s, %02d %s %04d %02d:%02d:%02d "
	    "%c%02ld%02ld\r\n", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
	buf_str(b, line);
}

/*
 * Quoted-printable (RFC 2045 6.7): LF or CRLF become CRLF line breaks, a
 * lone CR is encoded; lines are cut with soft breaks at 76 characters;
 * whitespace before a line break, '=', control and 8-bit bytes are
 * encoded. A '.' or "From " at the start of an encoded line is encoded
 * too, so that no relay stuffs or mangles it.
 */
static void
quoted_printable(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	char tok[3];
	size_t n;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || (c == '\r' && s[1] == '\n')) {
			if (c == '\r')
				s++;
			buf_add(b, "\r\n", 2);
			col = 0;
			continue;
		}
		if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' ||
		    c == '\t') && s[1] != '\0' && s[1] != '\n' &&
		    s[1] != '\r')) {
			tok[0] = (char)c;
			n = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			n = 3;
		}
		/* Leave room for the '=' of a soft break. */
		if (col + n > LINE_MAX_LEN - 1) {
			buf_add(b, "=\r\n", 3);
			col = 0;
		}
		if (col == 0 && n == 1 && (c == '.' ||
		    strncmp(s, "From ", 5) == 0)) {
			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			n = 3;
		}
		buf_add(b, tok, n);
		col += n;
	}
}

static void
hex_str(char *out, const unsigned char *md, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * A part's headers and content. In a multipart body the CRLF after the
 * content belongs to the next delimiter; a single part only needs its
 * last line ended.
 */
static void
body_part(struct buf *b, const char *ctype, const char *content, bool multi)
{
	size_t n = strlen(content);

	buf_str(b, "Content-Type: ");
	buf_str(b, ctype);
	buf_str(b, "; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	quoted_printable(b, content);
	if (multi || n == 0 || content[n - 1] != '\n')
		buf_add(b, "\r\n", 2);
}

/* An address for an error message: never its control characters. */
static const char *
shown(const char *s)
{
	return s == NULL ? "" : text_has_ctl(s) ? "(control characters)" : s;
}

int
mail_format(const struct mail_message *m, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	const char *fname, *faddr, *tname, *taddr, *domain;
	size_t fnamelen, faddrlen, tnamelen, taddrlen;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char hash[33], boundary[64], line[512];
	struct buf b = { 0 };
	const char *what;
	int rc;

	if (m->subject == NULL || m->text == NULL || m->key == NULL ||
	    m->key[0] == '\0')
		return set_err(err, errlen, -EINVAL, "a message needs a "
		    "subject, a text and a key");
	if ((rc = split_address(m->from, &fname, &fnamelen, &faddr,
	    &faddrlen)) < 0)
		return set_err(err, errlen, rc, "bad sender address '%s'",
		    shown(m->from));
	if ((rc = split_address(m->to, &tname, &tnamelen, &taddr,
	    &taddrlen)) < 0)
		return set_err(err, errlen, rc, "bad recipient address '%s'",
		    shown(m->to));
	if (text_has_ctl(m->subject) || text_has_ctl(m->key))
		return set_err(err, errlen, -EINVAL, "control character (CR, "
		    "LF, ...) in the %s", text_has_ctl(m->key) ? "key" : "subject");
	what = !utf8_valid(m->from) ? "sender" : !utf8_valid(m->to) ?
	    "recipient" : !utf8_valid(m->subject) ? "subject" :
	    !utf8_valid(m->text) ? "text" : m->html && !utf8_valid(m->html) ?
	    "HTML" : NULL;
	if (what != NULL)
		return set_err(err, errlen, -EILSEQ, "the %s is not valid "
		    "UTF-8", what);

	if (EVP_Digest(m->key, strlen(m->key), md, &mdlen, EVP_sha256(),
	    NULL) != 1)
		return set_err(err, errlen, -ENOMEM, "cannot hash the key");
	hex_str(hash, md, 16);
	domain = (const char *)memchr(faddr, '@', faddrlen) + 1;

	header_date(&b, m->date ? m->date : time(NULL));
	header_address(&b, "From", fname, fnamelen, faddr, faddrlen);
	header_address(&b, "To", tname, tnamelen, taddr, taddrlen);
	header_subject(&b, m->subject);
	snprintf(line, sizeof(line), "Message-ID: <fw.%s@%.*s>\r\n", hash,
	    (int)(faddrlen - (size_t)(domain - faddr)), domain);
	buf_str(&b, line);
	buf_str(&b, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
	if (m->html == NULL) {
		body_part(&b, "text/plain", m->text, false);
	} else {
		/* "=_" never appears in quoted-printable output. */
		memcpy(boundary, "=_fw_", 5);
		hex_str(boundary + 5, md + 16, 12);
		snprintf(line, sizeof(line), "Content-Type: multipart/"
		    "alternative;\r\n boundary=\"%s\"\r\n\r\n"
		    "This is a multi-part message in MIME format.\r\n",
		    boundary);
		buf_str(&b, line);
		buf_str(&b, "\r\n--");
		buf_str(&b, boundary);
		buf_str(&b, "\r\n");
		body_part(&b, "text/plain", m->text, true);
		buf_str(&b, "--");
		buf_str(&b, boundary);
		buf_str(&b, "\r\n");
		body_part(&b, "text/html", m->html, true);
		buf_str(&b, "--");
		buf_str(&b, boundary);
		buf_str(&b, "--\r\n");
	}
	if (b.failed) {
		free(b.p);
		return set_err(err, errlen, -ENOMEM, "out of memory");
	}
	*out = b.p;
	*outlen = b.len;
	return 0;
}

/* ---- SMTP ---------------------------------------------------------- */

/* The state of one session, as the debug callback sees it. */
struct session {
	const char *msg;
	size_t len, off;
	volatile sig_atomic_t *stop;
	bool stopped;
	char verb[12];        /* the last command sent: MAIL, RCPT, DATA, ... */
	char cur[256];        /* the reply being read (multi-line) */
	bool cur_open;
	long code;            /* the last complete reply, QUIT's excepted */
	char text[256];
	char code_verb[12];   /* the command it answered */
};

static void
take_reply_line(struct session *s, const char *line, size_t n)
{
	size_t used;
	bool last;

	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	if (n < 3 || !isdigit((unsigned char)line[0]) ||
	    !isdigit((unsigned char)line[1]) || !isdigit((unsigned char)line[2]))
		return;
	if (strcmp(s->verb, "QUIT") == 0)
		return;
	last = n == 3 || line[3] != '-';
	if (!s->cur_open) {
		s->cur[0] = '\0';
		s->cur_open = true;
	}
	used = strlen(s->cur);
	if (used > 0 && used + 1 < sizeof(s->cur))
		s->cur[used++] = ' ';
	if (used + 1 < sizeof(s->cur)) {
		if (n > sizeof(s->cur) - 1 - used)
			n = sizeof(s->cur) - 1 - used;
		memcpy(s->cur + used, line, n);
		s->cur[used + n] = '\0';
	}
	if (last) {
		s->cur_open = false;
		s->code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
		memcpy(s->text, s->cur, sizeof(s->text));
		memcpy(s->code_verb, s->verb, sizeof(s->code_verb));
	}
}

/*
 * Sees the commands and replies (CURLINFO_HEADER_OUT/IN), which libcurl's
 * error buffer does not carry ("RCPT failed: 550" without the server's
 * text). Only known verbs are kept: the AUTH LOGIN continuation lines are
 * credentials and are never copied.
 */
static int
on_debug(CURL *curl, curl_infotype type, char *data, size_t size, void *pv)
{
	static const char *const verbs[] = { "EHLO", "HELO", "STARTTLS",
	    "AUTH", "MAIL", "RCPT", "DATA", "QUIT", "RSET", "NOOP" };
	struct session *s = pv;
	const char *nl;
	size_t n, i;

	(void)curl;
	if (type == CURLINFO_HEADER_OUT) {
		for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
			n = strlen(verbs[i]);
			if (size >= n && strncasecmp(data, verbs[i], n) == 0 &&
			    (size == n || data[n] == ' ' || data[n] == '\r')) {
				snprintf(s->verb, sizeof(s->verb), "%s",
				    verbs[i]);
				break;
			}
		}
	} else if (type == CURLINFO_HEADER_IN) {
		while (size > 0) {
			nl = memchr(data, '\n', size);
			n = nl ? (size_t)(nl - data) + 1 : size;
			take_reply_line(s, data, n);
			data += n;
			size -= n;
		}
	}
	return 0;
}

static size_t
on_read(char *buf, size_t size, size_t nitems, void *pv)
{
	struct session *s = pv;
	size_t n = size * nitems;

	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->msg + s->off, n);
	s->off += n;
	return n;
}

static int
on_progress(void *pv, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct session *s = pv;

	(void)dt; (void)dn; (void)ut; (void)un;
	if (s->stop != NULL && *s->stop) {
		s->stopped = true;
		return 1;
	}
	return 0;
}

static bool
is_scheme(const char *url, const char *scheme)
{
	size_t n = strlen(scheme);

	return strncasecmp(url, scheme, n) == 0 && strncmp(url + n, "://",
	    3) == 0;
}

int
mail_send(const struct mail_server *srv, const char *from, const char *to,
    const char *msg, size_t len, struct mail_result *res)
{
	struct session s = { .msg = msg, .len = len, .stop = srv->stop };
	char curlerr[CURL_ERROR_SIZE] = "", fromaddr[ADDR_MAX + 3];
	char toaddr[ADDR_MAX + 3], addr[ADDR_MAX + 1];
	struct curl_slist *rcpt = NULL;
	bool smtps, auth;
	long timeout;
	CURLcode cc;
	CURL *curl = NULL;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (srv->url == NULL || (!is_scheme(srv->url, "smtp") &&
	    !is_scheme(srv->url, "smtps"))) {
		snprintf(res->error, sizeof(res->error), "the SMTP URL must "
		    "start with smtp:// or smtps://");
		return -EINVAL;
	}
	smtps = is_scheme(srv->url, "smtps");
	auth = srv->password != NULL && srv->password[0] != '\0';
	if (auth && !smtps && !srv->starttls) {
		snprintf(res->error, sizeof(res->error), "refusing to send the "
		    "SMTP password without TLS (starttls = false)");
		return -EINVAL;
	}
	if (mail_address(from, addr, sizeof(addr)) < 0) {
		snprintf(res->error, sizeof(res->error), "bad sender address");
		return -EINVAL;
	}
	snprintf(fromaddr, sizeof(fromaddr), "<%s>", addr);
	if (mail_address(to, addr, sizeof(addr)) < 0) {
		snprintf(res->error, sizeof(res->error), "bad recipient "
		    "address");
		res->permanent = true;
		return -EINVAL;
	}
	snprintf(toaddr, sizeof(toaddr), "<%s>", addr);
	if ((rcpt = curl_slist_append(NULL, toaddr)) == NULL ||
	    (curl = curl_easy_init()) == NULL) {
		snprintf(res->error, sizeof(res->error), "cannot start libcurl");
		rc = -ENOMEM;
		goto out;
	}
	timeout = srv->timeout > 0 ? srv->timeout : 30;
	curl_easy_setopt(curl, CURLOPT_URL, srv->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, srv->connect_timeout > 0 ?
	    srv->connect_timeout : timeout);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (srv->ca_file != NULL && srv->ca_file[0] != '\0')
		curl_easy_setopt(curl, CURLOPT_CAINFO, srv->ca_file);
	curl_easy_setopt(curl, CURLOPT_USE_SSL, smtps || srv->starttls ?
	    (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	if (auth) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, srv->username ?
		    srv->username : "");
		curl_easy_setopt(curl, CURLOPT_PASSWORD, srv->password);
	}
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, fromaddr);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, &s);
	/* VERBOSE only routes the dialogue to on_debug; nothing is printed. */
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &s);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &s);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);

	cc = curl_easy_perform(curl);
	res->smtp_code = s.code;
	snprintf(res->response, sizeof(res->response), "%s", s.text);
	text_clean(res->response);
	if (cc != CURLE_OK) {
		snprintf(res->error, sizeof(res->error), "%s", curlerr[0] ?
		    curlerr : curl_easy_strerror(cc));
		text_clean(res->error);
	}
	switch (cc) {
	case CURLE_OK:
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		rc = s.stopped ? -EINTR : -EIO;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		rc = -ETIMEDOUT;
		break;
	case CURLE_COULDNT_CONNECT:
		rc = -ECONNREFUSED;
		break;
	case CURLE_LOGIN_DENIED:
		rc = -EACCES;
		break;
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		rc = -EPROTO;
		break;
	default:
		rc = s.code >= 400 ? -EREMOTEIO : -EIO;
		break;
	}
	/*
	 * Only a refusal of this message or recipient is permanent. 530
	 * (authentication or TLS required) is the server's policy, not the
	 * message's: fixing the config must deliver what waits.
	 */
	if (rc == -EREMOTEIO && s.code >= 500 && s.code <= 599 &&
	    s.code != 530 && (strcmp(s.code_verb, "MAIL") == 0 ||
	    strcmp(s.code_verb, "RCPT") == 0 ||
	    strcmp(s.code_verb, "DATA") == 0))
		res->permanent = true;
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(rcpt);
	return rc;
}
