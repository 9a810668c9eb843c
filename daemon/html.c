/* html.c - a tiny buffered HTML writer with one escaping rule for every value from data. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/html.h"

#define HTML_BUFSIZE 8192

struct html {
	FILE *f;
	int err;                /* first error, sticky */
	size_t len;
	char buf[HTML_BUFSIZE];
};

struct html *
html_new(FILE *f)
{
	struct html *h = calloc(1, sizeof(*h));

	if (h != NULL)
		h->f = f;
	return h;
}

static void
flush(struct html *h)
{
	if (h->len > 0 && h->err == 0 &&
	    fwrite(h->buf, 1, h->len, h->f) != h->len)
		h->err = errno != 0 ? -errno : -EIO;
	h->len = 0;
}

static void
put(struct html *h, const char *s, size_t n)
{
	while (n > 0 && h->err == 0) {
		size_t k;

		if (h->len == sizeof(h->buf))
			flush(h);
		k = sizeof(h->buf) - h->len;
		if (k > n)
			k = n;
		memcpy(h->buf + h->len, s, k);
		h->len += k;
		s += k;
		n -= k;
	}
}

int
html_close(struct html *h)
{
	int rc;

	if (h == NULL)
		return 0;
	flush(h);
	if (h->err == 0 && fflush(h->f) != 0)
		h->err = errno != 0 ? -errno : -EIO;
	rc = h->err;
	free(h);
	return rc;
}

void
html_raw(struct html *h, const char *markup)
{
	put(h, markup, strlen(markup));
}

/* vsnprintf into a stack buffer, or the heap when it is longer. */
static char *
format(char *small, size_t size, const char *fmt, va_list ap)
{
	va_list ap2;
	char *big;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, size, fmt, ap);
	if (n < 0) {
		va_end(ap2);
		return NULL;
	}
	if ((size_t)n < size) {
		va_end(ap2);
		return small;
	}
	if ((big = malloc((size_t)n + 1)) != NULL)
		vsnprintf(big, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return big;
}

/* Formats into a stack buffer (or the heap when longer) and passes the
 * text to emit: html_raw or html_text. */
static void
emit_formatted(struct html *h, void (*emit)(struct html *, const char *),
    const char *fmt, va_list ap)
{
	char small[256], *s = format(small, sizeof(small), fmt, ap);

	if (s == NULL) {
		h->err = h->err ? h->err : -ENOMEM;
		return;
	}
	emit(h, s);
	if (s != small)
		free(s);
}

void
html_rawf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_formatted(h, html_raw, fmt, ap);
	va_end(ap);
}

/* The entity for c, or NULL when c is copied as is. */
static const char *
entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

void
html_text(struct html *h, const char *s)
{
	const char *run = s;

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		const char *e = entity(*s);

		if (e == NULL)
			continue;
		put(h, run, (size_t)(s - run));
		put(h, e, strlen(e));
		run = s + 1;
	}
	put(h, run, (size_t)(s - run));
}

void
html_textf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_formatted(h, html_text, fmt, ap);
	va_end(ap);
}

void
html_attr(struct html *h, const char *name, const char *value)
{
	if (value == NULL)
		return;
	html_raw(h, " ");
	html_raw(h, name);
	html_raw(h, "=\"");
	html_text(h, value);
	html_raw(h, "\"");
}

size_t
html_escape(const char *s, char *buf, size_t size)
{
	size_t need = 0, used = 0;
	bool fits = true;

	for (; *s != '\0'; s++) {
		const char *e = entity(*s);
		size_t k = e != NULL ? strlen(e) : 1;
		/* A UTF-8 lead byte starts a character of 2..4 bytes: it is
		 * copied whole or not at all. */
		unsigned char b = (unsigned char)*s;
		size_t clen = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;

		if (e == NULL && clen > 1) {
			size_t i;

			for (i = 1; i < clen && s[i] != '\0'; i++)
				;
			k = clen = i;
		}
		need += k;
		if (fits && size > 0 && used + k < size) {
			memcpy(buf + used, e != NULL ? e : s, k);
			used += k;
		} else
			fits = false;
		s += (e == NULL ? clen : 1) - 1;
	}
	if (size > 0)
		buf[used] = '\0';
	return need;
}
