/* csvout.c - CSV for spreadsheets: quoting, BOM, delimiter, and the formula-injection guard. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "daemon/csvout.h"

static void
put(struct csvout *w, const char *s, size_t n)
{
	if (w->err == 0 && n > 0 && fwrite(s, 1, n, w->f) != n)
		w->err = errno != 0 ? -errno : -EIO;
}

void
csvout_init(struct csvout *w, FILE *f, char delim, bool bom)
{
	w->f = f;
	w->delim = delim;
	w->row_started = false;
	w->err = 0;
	if (bom)
		put(w, "\xef\xbb\xbf", 3);
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
csvout_is_number(const char *s)
{
	size_t digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	for (; is_digit(*s); s++)
		digits++;
	if (*s == '.')
		for (s++; is_digit(*s); s++)
			digits++;
	if (digits == 0)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

bool
csvout_needs_guard(const char *s)
{
	if (s == NULL || strchr("=+-@\t\r", *s) == NULL || *s == '\0')
		return false;
	return !csvout_is_number(s);
}

void
csvout_field(struct csvout *w, const char *s)
{
	bool guard, quote;

	if (w->row_started)
		put(w, &w->delim, 1);
	w->row_started = true;
	if (s == NULL)
		return;
	guard = csvout_needs_guard(s);
	quote = strpbrk(s, "\"\r\n") != NULL || strchr(s, w->delim) != NULL;
	if (quote)
		put(w, "\"", 1);
	if (guard)
		put(w, "'", 1);
	if (!quote)
		put(w, s, strlen(s));
	else
		for (const char *q; *s != '\0'; s = q + 1) {
			if ((q = strchr(s, '"')) == NULL) {
				put(w, s, strlen(s));
				break;
			}
			put(w, s, (size_t)(q - s) + 1);
			put(w, "\"", 1);
		}
	if (quote)
		put(w, "\"", 1);
}

void
csvout_end_row(struct csvout *w)
{
	put(w, "\r\n", 2);
	w->row_started = false;
}

int
csvout_finish(struct csvout *w)
{
	if (w->err == 0 && fflush(w->f) != 0)
		w->err = errno != 0 ? -errno : -EIO;
	return w->err;
}
