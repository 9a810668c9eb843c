/* log.h - messages to the journal when under journald, else to stderr. */
#ifndef FRAGWATCH_LOG_H
#define FRAGWATCH_LOG_H

#include <syslog.h>

/* Logs one message at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO). */
void log_msg(int priority, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
