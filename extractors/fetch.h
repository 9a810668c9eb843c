/* fetch.h - streams an extract's bytes from http(s):// or file:// (libcurl). */
#ifndef FRAGWATCH_FETCH_H
#define FRAGWATCH_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Receives the body as it arrives; a negative return aborts the transfer
 * and becomes fetch_run()'s return. */
typedef int (*fetch_sink)(void *ctx, const char *buf, size_t len);

struct fetch_request {
	const char *url;
	const char *etag;          /* sent as If-None-Match, or NULL */
	const char *last_modified; /* sent as If-Modified-Since, or NULL */
	const char *bearer_token;  /* Authorization: Bearer, or NULL */
	const char *username;      /* HTTP basic auth with password, or NULL */
	const char *password;
	const char *client_cert;   /* PEM client certificate, or NULL */
	const char *client_key;    /* its key, or NULL */
	const char *ca_file;       /* CA bundle to verify the server, or NULL */
	long connect_timeout;      /* seconds */
	long timeout;              /* seconds, the whole transfer */
	int64_t max_body_bytes;
	fetch_sink sink;
	void *ctx;
	volatile sig_atomic_t *stop; /* aborts with -EINTR when set, or NULL */
};

struct fetch_result {
	long http_status;     /* 0 for file:// */
	bool not_modified;    /* 304: the body was not sent */
	uint64_t bytes;       /* body bytes received */
	char *etag;           /* response validators, malloc'd or NULL */
	char *last_modified;
};

/* Call once at start-up, before any other thread exists. */
int fetch_global_init(void);
void fetch_global_cleanup(void);

/* True for a failure worth retrying: HTTP 5xx or 429, timeouts,
 * connections refused, reset or cut short. */
bool fetch_transient(int rc, long http_status);

/* Fetches rq->url into rq->sink. Proxies come from the environment
 * (http_proxy, https_proxy, no_proxy), as libcurl reads them. Returns 0 (also for 304), or a negative
 * errno with a message in err: -EREMOTEIO for an HTTP error status (in
 * res->http_status), -EMEDIUMTYPE for an HTML page, -EFBIG over the body
 * cap, -EPIPE for a truncated transfer, -ETIMEDOUT, -EINTR when stopped,
 * -EIO for other transport errors (with curl's message), or the sink's
 * error. res is filled as far as the transfer got. */
int fetch_run(const struct fetch_request *rq, struct fetch_result *res,
    char *err, size_t errlen);

void fetch_result_clear(struct fetch_result *res);

#endif
