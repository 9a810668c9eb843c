/* migrations.h - the sql/NNN_*.sql files compiled into the binary. */
#ifndef FRAGWATCH_MIGRATIONS_H
#define FRAGWATCH_MIGRATIONS_H

#include <stddef.h>

struct migration {
	const char *name; /* file name without .sql, e.g. "001_core" */
	const char *sql;  /* file text */
};

/* In version order (the file names sort as the versions). */
extern const struct migration migrations[];
extern const size_t migrations_count;

#endif
