/* expr.c - a recursive-descent compiler to postfix code and a small stack machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/expr.h"

#define EXPR_MAX_CODE 256
#define EXPR_MAX_STACK 64

enum op { OP_NUM, OP_COL, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_NEG };

struct insn {
	enum op op;
	double num;   /* OP_NUM */
	size_t col;   /* OP_COL */
};

struct expr {
	struct insn code[EXPR_MAX_CODE];
	size_t ncode;
	char **cols;
	size_t ncols;
	int depth;    /* the stack the code needs */
};

struct parser {
	const char *start, *p;
	struct expr *e;
	char *err;
	size_t errlen;
	int failed;
};

static void
fail(struct parser *ps, const char *what)
{
	if (ps->failed)
		return;
	ps->failed = 1;
	snprintf(ps->err, ps->errlen, "%s at position %zu of '%s'", what,
	    (size_t)(ps->p - ps->start) + 1, ps->start);
}

static void
emit(struct parser *ps, enum op op, double num, size_t col)
{
	if (ps->e->ncode == EXPR_MAX_CODE) {
		fail(ps, "expression too long");
		return;
	}
	ps->e->code[ps->e->ncode++] = (struct insn){ op, num, col };
}

static void
skip_blanks(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static size_t
column_slot(struct parser *ps, const char *name, size_t n)
{
	char **grown;

	for (size_t i = 0; i < ps->e->ncols; i++)
		if (strlen(ps->e->cols[i]) == n &&
		    strncmp(ps->e->cols[i], name, n) == 0)
			return i;
	grown = realloc(ps->e->cols, (ps->e->ncols + 1) * sizeof(*grown));
	if (grown == NULL || (grown[ps->e->ncols] = strndup(name, n)) == NULL) {
		if (grown != NULL)
			ps->e->cols = grown;
		fail(ps, "out of memory");
		return 0;
	}
	ps->e->cols = grown;
	return ps->e->ncols++;
}

static void parse_sum(struct parser *ps);

static bool
is_name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	    (!first && c >= '0' && c <= '9');
}

static void
parse_factor(struct parser *ps)
{
	skip_blanks(ps);
	if (*ps->p == '(') {
		ps->p++;
		parse_sum(ps);
		skip_blanks(ps);
		if (*ps->p != ')')
			fail(ps, "')' expected");
		else
			ps->p++;
	} else if (*ps->p == '-') {
		ps->p++;
		parse_factor(ps);
		emit(ps, OP_NEG, 0, 0);
	} else if (*ps->p == '[') {
		const char *name = ++ps->p, *end = strchr(name, ']');

		if (end == NULL || end == name) {
			fail(ps, "a column name and ']' expected");
			return;
		}
		emit(ps, OP_COL, 0, column_slot(ps, name, (size_t)(end - name)));
		ps->p = end + 1;
	} else if (is_name_char(*ps->p, true)) {
		const char *name = ps->p;

		while (is_name_char(*ps->p, false))
			ps->p++;
		emit(ps, OP_COL, 0, column_slot(ps, name, (size_t)(ps->p - name)));
	} else if ((*ps->p >= '0' && *ps->p <= '9') || *ps->p == '.') {
		char buf[64];
		size_t n = strspn(ps->p, "0123456789.");
		char *end;

		if (n >= sizeof(buf)) {
			fail(ps, "number too long");
			return;
		}
		memcpy(buf, ps->p, n);
		buf[n] = '\0';
		emit(ps, OP_NUM, strtod(buf, &end), 0);
		if (*end != '\0' || end == buf)
			fail(ps, "bad number");
		ps->p += n;
	} else
		fail(ps, "a number, a column or '(' expected");
}

static void
parse_product(struct parser *ps)
{
	parse_factor(ps);
	for (;;) {
		skip_blanks(ps);
		if (*ps->p != '*' && *ps->p != '/')
			return;
		char op = *ps->p++;

		parse_factor(ps);
		emit(ps, op == '*' ? OP_MUL : OP_DIV, 0, 0);
	}
}

static void
parse_sum(struct parser *ps)
{
	parse_product(ps);
	for (;;) {
		skip_blanks(ps);
		if (*ps->p != '+' && *ps->p != '-')
			return;
		char op = *ps->p++;

		parse_product(ps);
		emit(ps, op == '+' ? OP_ADD : OP_SUB, 0, 0);
	}
}

/* The stack depth the code needs, checked once so eval cannot overflow. */
static int
stack_depth(const struct expr *e)
{
	int d = 0, max = 0;

	for (size_t i = 0; i < e->ncode; i++) {
		d += e->code[i].op == OP_NUM || e->code[i].op == OP_COL ? 1 :
		    e->code[i].op == OP_NEG ? 0 : -1;
		if (d > max)
			max = d;
	}
	return max;
}

struct expr *
expr_compile(const char *text, char *err, size_t errlen)
{
	struct parser ps = { text, text, NULL, err, errlen, 0 };

	if ((ps.e = calloc(1, sizeof(*ps.e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	parse_sum(&ps);
	skip_blanks(&ps);
	if (!ps.failed && *ps.p != '\0')
		fail(&ps, "an operator expected");
	if (!ps.failed && (ps.e->depth = stack_depth(ps.e)) > EXPR_MAX_STACK)
		fail(&ps, "expression nested too deeply");
	if (ps.failed) {
		expr_free(ps.e);
		return NULL;
	}
	return ps.e;
}

void
expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->ncols; i++)
		free(e->cols[i]);
	free(e->cols);
	free(e);
}

size_t
expr_ncolumns(const struct expr *e)
{
	return e->ncols;
}

const char *
expr_column(const struct expr *e, size_t i)
{
	return i < e->ncols ? e->cols[i] : NULL;
}

int
expr_eval(const struct expr *e, expr_lookup lookup, void *ctx, double *out)
{
	double stack[EXPR_MAX_STACK];
	int sp = 0, rc;

	for (size_t i = 0; i < e->ncode; i++) {
		const struct insn *in = &e->code[i];
		double a, b;

		switch (in->op) {
		case OP_NUM:
			stack[sp++] = in->num;
			continue;
		case OP_COL:
			if ((rc = lookup(ctx, in->col, &stack[sp])) != 0)
				return rc;
			sp++;
			continue;
		case OP_NEG:
			stack[sp - 1] = -stack[sp - 1];
			continue;
		default:
			break;
		}
		b = stack[--sp];
		a = stack[sp - 1];
		switch (in->op) {
		case OP_ADD: a += b; break;
		case OP_SUB: a -= b; break;
		case OP_MUL: a *= b; break;
		case OP_DIV:
			if (b == 0)
				return 1;
			a /= b;
			break;
		default: break;
		}
		stack[sp - 1] = a;
	}
	*out = stack[0];
	return 0;
}
