/* silence.h - operator silences of an area's alerts: `fragwatch silence add|list|expire`, kept and audited in the database. */
#ifndef FRAGWATCH_SILENCE_H
#define FRAGWATCH_SILENCE_H

#include "daemon/conf.h"
#include "daemon/db.h"

/*
 * A silence holds the owners' alerts of one area (every organisation and
 * region-wide), or of one area x organisation, from now until its end;
 * ops alerts are never silenced. The rows of fragwatch.silences keep who
 * added it, why, and who ended it early; the sender (sender.h) applies
 * them at each drain.
 *
 *   silence add --area A [--org O] (--until DATE | --for N{m,h,d,w})
 *       --reason TEXT [--author NAME]
 *   silence list [--all]
 *   silence expire ID [--author NAME]
 *
 * DATE is YYYY-MM-DD (to the end of that day) or "YYYY-MM-DD HH:MM", in
 * the region's time zone. The author defaults to $USER. Returns 0,
 * -EINVAL (usage, message printed), -ENOENT (no such active silence), or
 * another -errno for a database error (logged).
 */
int silence_command(struct db *db, const struct conf *c, int argc,
    char **argv);

/* "90m", "12h", "7d", "2w" into seconds (at most a year). Returns 0 or
 * -EINVAL. */
int silence_parse_duration(const char *s, long *seconds);

/* Checks DATE: "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (a real date and
 * time). Returns 0 or -EINVAL. */
int silence_check_until(const char *s);

#endif
