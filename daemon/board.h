/* board.h - `fragwatch status`: what is loaded, from which run, and how old it is. */
#ifndef FRAGWATCH_BOARD_H
#define FRAGWATCH_BOARD_H

#include <stdio.h>

#include "daemon/conf.h"
#include "daemon/db.h"

/* Prints the board to f (argv: options of `status`). Returns 0 or -errno. */
int board_print(struct db *db, const struct conf *c, FILE *f, int argc,
    char **argv);

#endif
