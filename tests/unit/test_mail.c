/* test_mail.c - unit tests of mail.c: the message parsed back with the test's own MIME, base64 and QP decoders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "daemon/mail.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char FROM[] = "fragwatch <fragwatch@example.internal>";
static const char TO[] = "Åsa Öberg <asa.oberg@example.internal>";
static const char SUBJECT[] = "Tidig varning: Neurologi (SU) – kön växer åäö ÅÄÖ";
static const char TEXT[] = "Hej Åsa!\n\nKön för Neurologi växer: 412 väntande.\n"
    "Röd om ~6 veckor.\n";
static const char HTML[] = "<html><body><p>Kön för <b>Neurologi</b> växer "
    "– ÅÄÖ åäö</p></body></html>\n";

/* ---- a small reference MIME reader ----------------------------------- */

static char *
format_ok(const struct mail_message *m, size_t *len)
{
	char *out = NULL, err[256] = "";
	size_t n = 0;
	int rc;

	rc = mail_format(m, &out, &n, err, sizeof(err));
	if (rc != 0)
		fail_msg("mail_format: %d %s", rc, err);
	assert_non_null(out);
	assert_int_equal(strlen(out), n);
	if (len != NULL)
		*len = n;
	return out;
}

static struct mail_message
message(const char *subject, const char *text, const char *html,
    const char *key)
{
	struct mail_message m = { FROM, TO, subject, text, html, key,
	    1700000000 };

	return m;
}

/* Every line ends in CRLF, none is longer than max, all bytes are 7-bit. */
static void
check_lines(const char *msg, size_t max)
{
	size_t col = 0;

	for (const char *p = msg; *p != '\0'; p++) {
		assert_true((unsigned char)*p < 0x80);
		if (*p == '\r') {
			assert_int_equal(p[1], '\n');
			assert_true(col <= max);
			col = 0;
			p++;
		} else {
			assert_int_not_equal(*p, '\n');
			col++;
		}
	}
	assert_int_equal(col, 0);   /* ends with CRLF */
}

/* The header block's field name, unfolded, malloc'd; NULL if absent. */
static char *
header(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg, *v, *e;
	size_t n = strlen(name);
	char *out, *o;

	assert_non_null(end);
	while (p < end) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			v = p + n + 1;
			while (*v == ' ')
				v++;
			/* The field runs to a CRLF not followed by WSP. */
			e = v;
			while (!(e[0] == '\r' && e[1] == '\n' && e[2] != ' ' &&
			    e[2] != '\t'))
				e++;
			out = o = malloc((size_t)(e - v) + 1);
			assert_non_null(out);
			for (; v < e; v++) {
				if (v[0] == '\r' && v[1] == '\n') {
					v++;
					continue;
				}
				*o++ = *v;
			}
			*o = '\0';
			return out;
		}
		p = strstr(p, "\r\n") + 2;
	}
	return NULL;
}

static int
b64val(char c)
{
	static const char s[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(s, c);

	return c != '\0' && p != NULL ? (int)(p - s) : -1;
}

/* Base64 of n chars appended to out; fails the test on a bad character. */
static size_t
unbase64(const char *s, size_t n, char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			break;
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		assert_true(b64val(s[i]) >= 0);
		acc = (acc << 6) | (uint32_t)b64val(s[i]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;   /* RFC 2045: upper-case hex */
}

/* Quoted-printable of n chars; soft breaks dropped. */
static size_t
unqp(const char *s, size_t n, char *out, bool q_encoding)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' &&
		    s[i + 2] == '\n') {
			i += 2;
		} else if (s[i] == '=') {
			assert_true(i + 2 < n);
			assert_true(hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0);
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else if (q_encoding && s[i] == '_') {
			out[o++] = ' ';
		} else
			out[o++] = s[i];
	}
	return o;
}

static bool
utf8_ok(const char *s, size_t n)
{
	size_t i = 0, k, len;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 :
		    (c >> 3) == 30 ? 4 : 0;
		if (len == 0 || i + len > n)
			return false;
		for (k = 1; k < len; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

/*
 * RFC 2047: encoded-words decoded, the white space between two adjacent
 * ones dropped. Each word must hold whole UTF-8 characters and be at most
 * 75 characters long. Returns malloc'd text.
 */
static char *
decode_words(const char *v, int *nwords)
{
	char *out = calloc(1, strlen(v) + 1);
	const char *pending_ws = NULL;
	size_t o = 0, wslen = 0, n;
	bool last_word = false;
	const char *p = v, *end, *text;

	assert_non_null(out);
	*nwords = 0;
	while (*p != '\0') {
		if (strncmp(p, "=?", 2) == 0) {
			char enc;

			assert_true(strncasecmp(p, "=?UTF-8?", 8) == 0);
			enc = p[8];
			assert_true(enc == 'B' || enc == 'Q' || enc == 'b' ||
			    enc == 'q');
			assert_int_equal(p[9], '?');
			text = p + 10;
			end = strstr(text, "?=");
			assert_non_null(end);
			assert_true((size_t)(end + 2 - p) <= 75);
			if (!last_word && pending_ws != NULL) {
				memcpy(out + o, pending_ws, wslen);
				o += wslen;
			}
			n = (enc == 'B' || enc == 'b') ?
			    unbase64(text, (size_t)(end - text), out + o) :
			    unqp(text, (size_t)(end - text), out + o, true);
			assert_true(utf8_ok(out + o, n));
			o += n;
			(*nwords)++;
			last_word = true;
			pending_ws = NULL;
			p = end + 2;
		} else if (*p == ' ' || *p == '\t') {
			pending_ws = p;
			wslen = strspn(p, " \t");
			p += wslen;
		} else {
			if (pending_ws != NULL) {
				memcpy(out + o, pending_ws, wslen);
				o += wslen;
				pending_ws = NULL;
			}
			out[o++] = *p++;
			last_word = false;
		}
	}
	if (pending_ws != NULL && !last_word) {
		memcpy(out + o, pending_ws, wslen);
		o += wslen;
	}
	out[o] = '\0';
	return out;
}

/* text with every LF (not already after CR) as CRLF: what a part decodes to. */
static char *
crlf(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	assert_non_null(out);
	for (; *s != '\0'; s++) {
		if (*s == '\n' && (o == out || o[-1] != '\r'))
			*o++ = '\r';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* One MIME part: its headers and its decoded content. */
struct part {
	char ctype[128];
	char cte[64];
	char *content;   /* malloc'd, NUL-terminated */
	size_t len;
};

static void
read_part(const char *p, size_t n, struct part *pt)
{
	const char *hdr_end = NULL, *body;
	char *hdrs, *v;

	for (size_t i = 0; i + 4 <= n; i++)
		if (memcmp(p + i, "\r\n\r\n", 4) == 0) {
			hdr_end = p + i;
			break;
		}
	assert_non_null(hdr_end);
	hdrs = strndup(p, (size_t)(hdr_end - p) + 4);
	assert_non_null(hdrs);
	v = header(hdrs, "Content-Type");
	assert_non_null(v);
	snprintf(pt->ctype, sizeof(pt->ctype), "%s", v);
	free(v);
	v = header(hdrs, "Content-Transfer-Encoding");
	assert_non_null(v);
	snprintf(pt->cte, sizeof(pt->cte), "%s", v);
	free(v);
	free(hdrs);
	body = hdr_end + 4;
	pt->content = calloc(1, n + 1);
	assert_non_null(pt->content);
	if (strcasecmp(pt->cte, "base64") == 0)
		pt->len = unbase64(body, (size_t)(p + n - body), pt->content);
	else if (strcasecmp(pt->cte, "quoted-printable") == 0)
		pt->len = unqp(body, (size_t)(p + n - body), pt->content, false);
	else
		fail_msg("unexpected encoding %s", pt->cte);
	pt->content[pt->len] = '\0';
}

/* The boundary of a multipart message (the Content-Type parameter), malloc'd. */
static char *
boundary_of(const char *msg)
{
	char *ct = header(msg, "Content-Type"), *b, *e, *out;

	assert_non_null(ct);
	b = strstr(ct, "boundary=\"");
	assert_non_null(b);
	b += 10;
	e = strchr(b, '"');
	assert_non_null(e);
	out = strndup(b, (size_t)(e - b));
	free(ct);
	assert_non_null(out);
	assert_true(strlen(out) >= 1 && strlen(out) <= 70);
	return out;
}

/*
 * Splits a multipart body at "CRLF--boundary" delimiters (RFC 2046 5.1.1)
 * into parts; the last delimiter must be the closing one. Returns the
 * number of parts.
 */
static size_t
split_parts(const char *msg, const char *boundary, struct part *parts,
    size_t max)
{
	char delim[128];
	const char *body = strstr(msg, "\r\n\r\n"), *p, *next;
	size_t np = 0, dl;

	snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	dl = strlen(delim);
	assert_non_null(body);
	body += 2;   /* keep the CRLF: the first delimiter may follow it */
	p = strstr(body, delim);
	assert_non_null(p);
	for (;;) {
		p += dl;
		if (strncmp(p, "--", 2) == 0) {
			assert_string_equal(p + 2, "\r\n");
			break;
		}
		assert_true(strncmp(p, "\r\n", 2) == 0);
		p += 2;
		next = strstr(p, delim);
		assert_non_null(next);
		assert_true(np < max);
		read_part(p, (size_t)(next - p), &parts[np++]);
		p = next;
	}
	return np;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* ---- tests ------------------------------------------------------------ */

static void
test_swedish_roundtrip(void **state)
{
	struct mail_message m = message(SUBJECT, TEXT, HTML, "k1");
	struct part parts[4];
	char *msg, *v, *subj, *b, *want;
	int words;
	size_t n;

	(void)state;
	msg = format_ok(&m, NULL);
	check_lines(msg, 76);

	v = header(msg, "Subject");
	assert_non_null(v);
	subj = decode_words(v, &words);
	assert_string_equal(subj, SUBJECT);
	assert_true(words >= 1);
	free(subj);
	free(v);

	v = header(msg, "From");
	assert_string_equal(v, "\"fragwatch\" <fragwatch@example.internal>");
	free(v);
	v = header(msg, "To");
	subj = decode_words(v, &words);
	assert_string_equal(subj, "Åsa Öberg <asa.oberg@example.internal>");
	assert_int_equal(words, 1);
	free(subj);
	free(v);
	v = header(msg, "MIME-Version");
	assert_string_equal(v, "1.0");
	free(v);
	v = header(msg, "Content-Type");
	assert_true(strncmp(v, "multipart/alternative;", 22) == 0);
	free(v);

	b = boundary_of(msg);
	n = split_parts(msg, b, parts, NELEM(parts));
	assert_int_equal(n, 2);
	assert_string_equal(parts[0].ctype, "text/plain; charset=UTF-8");
	assert_string_equal(parts[1].ctype, "text/html; charset=UTF-8");
	want = crlf(TEXT);
	assert_string_equal(parts[0].content, want);
	free(want);
	want = crlf(HTML);
	assert_string_equal(parts[1].content, want);
	free(want);
	for (size_t i = 0; i < n; i++)
		free(parts[i].content);
	free(b);
	free(msg);
}

/* Content that tests the encoder's corners decodes back exactly. */
static void
test_body_edges(void **state)
{
	static const char *const texts[] = {
		"",
		"no newline at the end åäö",
		"trailing spaces   \ntrailing tab\t\n  \n\t\n",
		"= signs = everywhere ==\n=3D already encoded\n",
		".\n..\n.starts with a dot\nFrom the start\n>From quoted\n",
		"CRLF line\r\nLF line\nlone CR\rin the middle\r\n",
		"control \x01\x02\x1b and DEL \x7f\n",
		"\n\n\n",
	};
	struct part parts[4];
	char line[4096], *msg, *b, *want;
	size_t n, o;

	(void)state;
	for (size_t t = 0; t <= NELEM(texts); t++) {
		const char *text = t < NELEM(texts) ? texts[t] : line;
		struct mail_message m;

		if (t == NELEM(texts)) {
			/* One long line: ASCII, 2-, 3- and 4-byte characters, '=', spaces. */
			o = 0;
			for (int i = 0; i < 60; i++)
				o += (size_t)snprintf(line + o, sizeof(line) - o,
				    "%s", i % 3 ? "åäö x=y – 😀 " : "abc def  ");
			snprintf(line + o, sizeof(line) - o, "\n");
		}
		m = message("x", text, text, "k");
		msg = format_ok(&m, NULL);
		check_lines(msg, 76);
		/* No encoded line ends in white space (a relay may strip it). */
		assert_null(strstr(msg, " \r\n"));
		assert_null(strstr(msg, "\t\r\n"));
		/* No line starts with "." or "From ". */
		assert_null(strstr(msg, "\r\n."));
		assert_null(strstr(msg, "\r\nFrom "));
		b = boundary_of(msg);
		n = split_parts(msg, b, parts, NELEM(parts));
		assert_int_equal(n, 2);
		want = crlf(text);
		/* The lone CR is kept as a byte, not made a line break. */
		assert_int_equal(parts[0].len, strlen(want));
		assert_memory_equal(parts[0].content, want, parts[0].len);
		assert_memory_equal(parts[1].content, want, parts[1].len);
		free(want);
		free(parts[0].content);
		free(parts[1].content);
		free(b);
		free(msg);
	}
}

/* The boundary cannot occur in the content, even when the content holds it. */
static void
test_boundary_not_in_content(void **state)
{
	struct mail_message m = message(SUBJECT, TEXT, HTML, "same-key");
	struct part parts[4];
	char *msg, *b, *b2, text[512], html[512], *want;

	(void)state;
	msg = format_ok(&m, NULL);
	b = boundary_of(msg);
	/* Content-Type, the two part delimiters and the closing one. */
	assert_int_equal(count(msg, b), 4);
	free(msg);

	snprintf(text, sizeof(text), "--%s\n--%s--\n%s\n", b, b, b);
	snprintf(html, sizeof(html), "<p>\n--%s\n</p>\n", b);
	m.text = text;
	m.html = html;
	msg = format_ok(&m, NULL);
	b2 = boundary_of(msg);
	assert_string_equal(b, b2);
	assert_int_equal(count(msg, b), 4);
	assert_int_equal(split_parts(msg, b, parts, NELEM(parts)), 2);
	want = crlf(text);
	assert_string_equal(parts[0].content, want);
	free(want);
	want = crlf(html);
	assert_string_equal(parts[1].content, want);
	free(want);
	free(parts[0].content);
	free(parts[1].content);
	free(b2);
	free(b);
	free(msg);
}

/* Long subjects are folded into encoded-words of whole characters. */
static void
test_long_subjects(void **state)
{
	char subj[1024], *msg, *v, *dec;
	const char *lines[] = {
		"Röd: ",
		"Kön växer i Västra Götaland, Sahlgrenska, Östra, Mölndal – ",
		"😀 emoji and ASCII words in between åäö ÅÄÖ é ü ",
	};
	int words;
	size_t o;

	(void)state;
	for (int len = 0; len < 3; len++) {
		o = 0;
		subj[0] = '\0';
		for (int i = 0; i < 3 + len * 3; i++)
			o += (size_t)snprintf(subj + o, sizeof(subj) - o, "%s",
			    lines[i % 3]);
		struct mail_message m = message(subj, "t", NULL, "k");

		msg = format_ok(&m, NULL);
		check_lines(msg, 76);
		v = header(msg, "Subject");
		dec = decode_words(v, &words);
		assert_string_equal(dec, subj);
		assert_true(words > 2);
		free(dec);
		free(v);
		free(msg);
	}
	/*
	 * Runs of one multi-byte character, offset so that a cut every 39
	 * bytes would split one: each word must still hold whole characters
	 * (decode_words checks every word on its own).
	 */
	static const char *const runs[] = { "å", "–", "😀" };
	for (size_t r = 0; r < NELEM(runs); r++) {
		o = (size_t)snprintf(subj, sizeof(subj), "xx");
		for (int i = 0; i < 60; i++)
			o += (size_t)snprintf(subj + o, sizeof(subj) - o, "%s",
			    runs[r]);
		struct mail_message mr = message(subj, "t", NULL, "k");

		msg = format_ok(&mr, NULL);
		check_lines(msg, 76);
		v = header(msg, "Subject");
		dec = decode_words(v, &words);
		assert_string_equal(dec, subj);
		free(dec);
		free(v);
		free(msg);
	}
	/* Long ASCII is folded too. */
	memset(subj, 'a', 200);
	subj[200] = '\0';
	struct mail_message m = message(subj, "t", NULL, "k");
	msg = format_ok(&m, NULL);
	check_lines(msg, 76);
	v = header(msg, "Subject");
	dec = decode_words(v, &words);
	assert_string_equal(dec, subj);
	free(dec);
	free(v);
	free(msg);
}

static void
test_short_ascii_subject(void **state)
{
	struct mail_message m = message("Fragwatch: 2 warnings (NEURO, BUP)",
	    "t", NULL, "k");
	char *msg, *v, *dec;
	int words;

	(void)state;
	msg = format_ok(&m, NULL);
	assert_non_null(strstr(msg, "\r\nSubject: Fragwatch: 2 warnings "
	    "(NEURO, BUP)\r\n"));
	free(msg);
	/* ASCII that looks like an encoded-word is encoded, and reads back as itself. */
	m.subject = "=?UTF-8?B?w6U=?= is not an å";
	msg = format_ok(&m, NULL);
	v = header(msg, "Subject");
	assert_true(strncmp(v, "=?UTF-8?", 8) == 0);
	dec = decode_words(v, &words);
	assert_string_equal(dec, m.subject);
	free(dec);
	free(v);
	free(msg);
	m.subject = "=?x";
	msg = format_ok(&m, NULL);
	v = header(msg, "Subject");
	dec = decode_words(v, &words);
	assert_string_equal(dec, "=?x");
	free(dec);
	free(v);
	free(msg);
}

static void
test_text_only(void **state)
{
	struct mail_message m = message(SUBJECT, TEXT, NULL, "k");
	struct part pt;
	char *msg, *want;
	const char *body;

	(void)state;
	msg = format_ok(&m, NULL);
	check_lines(msg, 76);
	assert_null(strstr(msg, "multipart"));
	body = strstr(msg, "\r\n\r\n");
	assert_non_null(body);
	/* The message's header block holds the part's headers. */
	read_part(msg, strlen(msg), &pt);
	assert_string_equal(pt.ctype, "text/plain; charset=UTF-8");
	want = crlf(TEXT);
	assert_string_equal(pt.content, want);
	free(want);
	free(pt.content);
	free(msg);
	/* A text without a final line break gets one, nothing else. */
	m.text = "åäö";
	msg = format_ok(&m, NULL);
	check_lines(msg, 76);
	read_part(msg, strlen(msg), &pt);
	assert_string_equal(pt.content, "åäö\r\n");
	free(pt.content);
	free(msg);
}

static void
test_header_injection(void **state)
{
	static const char *const subjects[] = {
		"Hej\r\nBcc: victim@example.org", "Hej\nBcc: victim@example.org",
		"Hej\rBcc: x", "tab\there", "nul-less but \x1b escape",
	};
	static const char *const addresses[] = {
		"a@example.org\r\nBcc: victim@example.org",
		"a@example.org\nBcc: victim@example.org",
		"Name\r\n <a@example.org>",
		"Name <a@example.org>\r\n",
		"<a@example.org>, victim@example.org",
		"a@example.org victim@example.org",
	};
	struct mail_message m;
	char *out = NULL, err[256];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < NELEM(subjects); i++) {
		m = message(subjects[i], "t", NULL, "k");
		assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)),
		    -EINVAL);
		assert_null(out);
		assert_non_null(strstr(err, "subject"));
	}
	for (size_t i = 0; i < NELEM(addresses); i++) {
		m = message("s", "t", NULL, "k");
		m.to = addresses[i];
		assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)),
		    -EINVAL);
		assert_null(out);
		/* The message never echoes the injected line. */
		assert_null(strchr(err, '\n'));
		assert_null(strchr(err, '\r'));
		m.to = TO;
		m.from = addresses[i];
		assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)),
		    -EINVAL);
		assert_null(out);
	}
	m = message("s", "t", NULL, "key\r\nBcc: x@y");
	assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)), -EINVAL);
	assert_null(out);
}

static void
test_message_id(void **state)
{
	struct mail_message m = message(SUBJECT, TEXT, HTML,
	    "alert:NEURO:SU:2024-W07");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	char *msg, *id1, *id2, *id3, want[128];
	int o;

	(void)state;
	msg = format_ok(&m, NULL);
	id1 = header(msg, "Message-ID");
	free(msg);
	m.subject = "another subject, same alert";
	m.date = 1800000000;
	msg = format_ok(&m, NULL);
	id2 = header(msg, "Message-ID");
	free(msg);
	m.key = "alert:NEURO:SU:2024-W08";
	msg = format_ok(&m, NULL);
	id3 = header(msg, "Message-ID");
	free(msg);
	assert_string_equal(id1, id2);
	assert_string_not_equal(id1, id3);
	/* The documented derivation: SHA-256(key), first 16 bytes, hex. */
	EVP_Digest("alert:NEURO:SU:2024-W07", 23, md, &mdlen, EVP_sha256(),
	    NULL);
	o = snprintf(want, sizeof(want), "<fw.");
	for (int i = 0; i < 16; i++)
		o += snprintf(want + o, sizeof(want) - (size_t)o, "%02x", md[i]);
	snprintf(want + o, sizeof(want) - (size_t)o, "@example.internal>");
	assert_string_equal(id1, want);
	free(id1);
	free(id2);
	free(id3);
}

static void
test_date(void **state)
{
	struct mail_message m = message("s", "t", NULL, "k");
	char *msg, *v;

	(void)state;
	/* 1700000000 = 2023-11-14 22:13:20 UTC, a Tuesday. */
	setenv("TZ", "UTC", 1);
	tzset();
	msg = format_ok(&m, NULL);
	v = header(msg, "Date");
	assert_string_equal(v, "Tue, 14 Nov 2023 22:13:20 +0000");
	free(v);
	free(msg);
	/* Stockholm in November is CET, +0100; in July CEST, +0200. */
	setenv("TZ", "Europe/Stockholm", 1);
	tzset();
	msg = format_ok(&m, NULL);
	v = header(msg, "Date");
	assert_string_equal(v, "Tue, 14 Nov 2023 23:13:20 +0100");
	free(v);
	free(msg);
	m.date = 1720000000;  /* 2024-07-03 09:46:40 UTC, a Wednesday */
	msg = format_ok(&m, NULL);
	v = header(msg, "Date");
	assert_string_equal(v, "Wed, 03 Jul 2024 11:46:40 +0200");
	free(v);
	free(msg);
	/* A dateless message is dated now. */
	m.date = 0;
	msg = format_ok(&m, NULL);
	v = header(msg, "Date");
	assert_non_null(v);
	assert_int_equal(strlen(v), strlen("Tue, 14 Nov 2023 23:13:20 +0100"));
	free(v);
	free(msg);
	unsetenv("TZ");
	tzset();
}

static void
test_display_names(void **state)
{
	struct mail_message m = message("s", "t", NULL, "k");
	char *msg, *v, *dec;
	int words;

	(void)state;
	m.from = "Ops \"Team\" \\ A <ops@example.internal>";
	m.to = "asa@example.internal";
	msg = format_ok(&m, NULL);
	v = header(msg, "From");
	assert_string_equal(v, "\"Ops \\\"Team\\\" \\\\ A\" <ops@example.internal>");
	free(v);
	v = header(msg, "To");
	assert_string_equal(v, "<asa@example.internal>");
	free(v);
	free(msg);
	/* A long UTF-8 name is folded into words, the address after them. */
	m.to = "Samordningsrådet för neurologi, Västra Götalandsregionen, "
	    "Sahlgrenska Universitetssjukhuset <neuro.chef@example.internal>";
	msg = format_ok(&m, NULL);
	check_lines(msg, 76);
	v = header(msg, "To");
	dec = decode_words(v, &words);
	assert_string_equal(dec, m.to);
	assert_true(words >= 3);
	free(dec);
	free(v);
	free(msg);
}

static void
test_mail_address(void **state)
{
	static const struct { const char *in, *out; int rc; } cases[] = {
		{ "fw@example.internal", "fw@example.internal", 0 },
		{ "fragwatch <fw@example.internal>", "fw@example.internal", 0 },
		{ "Åsa Öberg <asa@example.internal>", "asa@example.internal", 0 },
		{ "<fw@x>", "fw@x", 0 },
		{ "", NULL, -EINVAL },
		{ "no-at-sign", NULL, -EINVAL },
		{ "@example.org", NULL, -EINVAL },
		{ "a@", NULL, -EINVAL },
		{ "a@b@c", NULL, -EINVAL },
		{ "a b@c", NULL, -EINVAL },
		{ "Name <a@b", NULL, -EINVAL },
		{ "Name <a@b> trailing", NULL, -EINVAL },
		{ "Name <>", NULL, -EINVAL },
		{ "Name> <a@b>", NULL, -EINVAL },
		{ "a@b\n", NULL, -EINVAL },
	};
	char buf[300], longaddr[300];

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		snprintf(buf, sizeof(buf), "untouched");
		assert_int_equal(mail_address(cases[i].in, buf, sizeof(buf)),
		    cases[i].rc);
		assert_string_equal(buf, cases[i].out ? cases[i].out :
		    "untouched");
	}
	assert_int_equal(mail_address("fw@example.internal", buf, 5),
	    -ENAMETOOLONG);
	memset(longaddr, 'a', 260);
	memcpy(longaddr + 250, "@b.se", 6);
	assert_int_equal(mail_address(longaddr, buf, sizeof(buf)),
	    -ENAMETOOLONG);
}

static void
test_bad_input(void **state)
{
	static const char *const bad_utf8[] = {
		"\xc3", "a\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xe2\x82",
	};
	struct mail_message m;
	char *out = NULL, err[256];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < NELEM(bad_utf8); i++) {
		m = message(bad_utf8[i], "t", NULL, "k");
		assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)),
		    -EILSEQ);
		m = message("s", bad_utf8[i], NULL, "k");
		assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)),
		    -EILSEQ);
		assert_non_null(strstr(err, "text"));
		m = message("s", "t", bad_utf8[i], "k");
		assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)),
		    -EILSEQ);
		assert_null(out);
	}
	m = message(NULL, "t", NULL, "k");
	assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)), -EINVAL);
	m = message("s", NULL, NULL, "k");
	assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)), -EINVAL);
	m = message("s", "t", NULL, NULL);
	assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)), -EINVAL);
	m = message("s", "t", NULL, "");
	assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)), -EINVAL);
	m = message("s", "t", NULL, "k");
	m.from = NULL;
	assert_int_equal(mail_format(&m, &out, &n, err, sizeof(err)), -EINVAL);
	assert_null(out);
}

/* mail_send's refusals happen before any connection. */
static void
test_send_refusals(void **state)
{
	struct mail_server srv = { .url = "smtp://127.0.0.1:1",
	    .username = "anna", .password = "s3cret", .starttls = false,
	    .timeout = 5 };
	struct mail_result res;

	(void)state;
	assert_int_equal(mail_send(&srv, FROM, TO, "x", 1, &res), -EINVAL);
	assert_false(res.permanent);
	assert_non_null(strstr(res.error, "without TLS"));
	assert_null(strstr(res.error, "s3cret"));
	srv.url = "imap://127.0.0.1:1";
	srv.password = NULL;
	assert_int_equal(mail_send(&srv, FROM, TO, "x", 1, &res), -EINVAL);
	srv.url = "smtp://127.0.0.1:1";
	assert_int_equal(mail_send(&srv, FROM, "not an address", "x", 1, &res),
	    -EINVAL);
	assert_true(res.permanent);
	assert_int_equal(mail_send(&srv, "bad", TO, "x", 1, &res), -EINVAL);
	assert_false(res.permanent);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swedish_roundtrip),
		cmocka_unit_test(test_body_edges),
		cmocka_unit_test(test_boundary_not_in_content),
		cmocka_unit_test(test_long_subjects),
		cmocka_unit_test(test_short_ascii_subject),
		cmocka_unit_test(test_text_only),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_message_id),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_display_names),
		cmocka_unit_test(test_mail_address),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_send_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
