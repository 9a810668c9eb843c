/* service.h - `fragwatch daemon`: the scheduler loop under systemd (notify, watchdog, reload, stop). */
#ifndef FRAGWATCH_SERVICE_H
#define FRAGWATCH_SERVICE_H

#include "daemon/conf.h"

/* Runs the daemon until SIGTERM or SIGINT. Takes ownership of *c (it is
 * replaced on SIGHUP and freed on return). Returns an exit code: 0 after
 * a clean stop, 3 for a config problem (running as root without
 * daemon.allow_root), 4 when the database is unreachable or its schema
 * does not match at start. */
int service_run(struct conf **c);

#endif
