/* html.h - a tiny buffered HTML writer: markup from code as is, every value from data escaped. */
#ifndef FRAGWATCH_HTML_H
#define FRAGWATCH_HTML_H

#include <stddef.h>
#include <stdio.h>

/* Writes to a FILE through a buffer of its own; the first write error is
 * kept (sticky) and returned by html_close(), so callers need not check
 * every call. */
struct html;

/* A writer on f (not closed by html_close). NULL when out of memory. */
struct html *html_new(FILE *f);

/* Flushes, frees, and returns 0 or the first error (-errno) of any write.
 * html_close(NULL) returns 0. */
int html_close(struct html *h);

/* Markup written as is: only constant text from the code, never data. */
void html_raw(struct html *h, const char *markup);

/* Markup from a format: the arguments must be numbers or constant strings
 * from the code; data go through html_text() or html_textf(). */
void html_rawf(struct html *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Text from data, escaped for an element's content or a quoted attribute
 * value: & < > " ' become entities; everything else, UTF-8 included, is
 * copied. NULL writes nothing. */
void html_text(struct html *h, const char *s);

/* Formats, then escapes the whole result as html_text() does. */
void html_textf(struct html *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes ` name="value"` with value escaped; name is constant text from
 * the code. A NULL value writes nothing. */
void html_attr(struct html *h, const char *name, const char *value);

/* Escapes s into buf (NUL-terminated, cut at a whole character when it
 * does not fit). Returns the length the whole escaped text needs, as
 * snprintf does. */
size_t html_escape(const char *s, char *buf, size_t size);

#endif
