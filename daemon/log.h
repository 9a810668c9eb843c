/* log.h - messages to the journal (structured, with MESSAGE_IDs) when under journald, else plain lines on stderr. */
#ifndef FRAGWATCH_LOG_H
#define FRAGWATCH_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/* MESSAGE_IDs, stable across versions so that ops can filter on them
 * (journalctl MESSAGE_ID=...); listed in fragwatch(8). */
#define LOG_ID_RUN_STARTED     "68aa664b3729462d81229489bef21530"
#define LOG_ID_RUN_FINISHED    "31ffe3ea8a5e4819a95b8c286fa551c1"
#define LOG_ID_RUN_FAILED      "0d046f5b15e242b6bd13bfe69495dc2f"
#define LOG_ID_RUN_REFUSED     "5acedcce64af491584d7ad6a7ccca738"
#define LOG_ID_RUN_UNCHANGED   "71591f716ca14bb7b26eb0f8efaffeab"
#define LOG_ID_RUN_INTERRUPTED "cb0f6bb363ab4b1293eb26b3b3a2bb2c"
#define LOG_ID_RUN_LATE        "1331cc3972f54c69af463996de225b8e"
#define LOG_ID_ALERT_SENT      "1176bdc975964bf48c08f424c8342079"
#define LOG_ID_ALERT_FAILED    "220d7cc7d7ae4daf9bb651781095df9e"
#define LOG_ID_ALERT_DEAD      "aceb1e53bff1487686d525a32c09ca50"

/* Structured fields of an event; zero/NULL members are left out. */
struct log_fields {
	const char *source;       /* FRAGWATCH_SOURCE */
	int64_t run;              /* FRAGWATCH_RUN */
	bool counts;              /* the next three are present */
	int64_t rows;             /* FRAGWATCH_ROWS (loaded) */
	int64_t rejects;          /* FRAGWATCH_REJECTS */
	int64_t duration_usec;    /* FRAGWATCH_DURATION_USEC */
	int64_t alert;            /* FRAGWATCH_ALERT */
	const char *channel;      /* FRAGWATCH_CHANNEL: email, webhook */
};

/* True when stderr is the journal (JOURNAL_STREAM is set). */
bool log_to_journal(void);

/* Logs one message at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO). */
#define log_msg(priority, ...) \
	log_event_at(__FILE__, __LINE__, __func__, (priority), NULL, NULL, \
	    __VA_ARGS__)

/* Logs an event with a MESSAGE_ID and fields (either may be NULL). */
#define log_event(priority, message_id, fields, ...) \
	log_event_at(__FILE__, __LINE__, __func__, (priority), (message_id), \
	    (fields), __VA_ARGS__)

void log_event_at(const char *file, int line, const char *func, int priority,
    const char *message_id, const struct log_fields *fields,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#endif
