/* fetch.c - libcurl easy transfer: protocol allow-list, timeouts, caps, validators. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "extractors/fetch.h"

struct transfer {
	const struct fetch_request *rq;
	struct fetch_result *res;
	CURL *curl;
	bool checked;    /* response headers looked at */
	int error;       /* why the write callback stopped the transfer */
	char *err;
	size_t errlen;
};

int
fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

void
fetch_result_clear(struct fetch_result *res)
{
	free(res->etag);
	free(res->last_modified);
	memset(res, 0, sizeof(*res));
}

/* A header "Name: value\r\n" into a malloc'd value if its name matches. */
static void
take_header(const char *line, size_t n, const char *name, char **out)
{
	size_t nl = strlen(name);

	if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	line += nl + 1;
	n -= nl + 1;
	while (n > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n' ||
	    line[n - 1] == ' '))
		n--;
	free(*out);
	*out = strndup(line, n);
}

static size_t
on_header(char *buf, size_t size, size_t nitems, void *pv)
{
	struct transfer *t = pv;
	size_t n = size * nitems;

	/* A new status line (after a redirect) starts a new response. */
	if (n > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		free(t->res->etag);
		free(t->res->last_modified);
		t->res->etag = t->res->last_modified = NULL;
	}
	take_header(buf, n, "ETag", &t->res->etag);
	take_header(buf, n, "Last-Modified", &t->res->last_modified);
	return n;
}

static int
stop_with(struct transfer *t, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
stop_with(struct transfer *t, int error, const char *fmt, ...)
{
	va_list ap;

	t->error = error;
	va_start(ap, fmt);
	vsnprintf(t->err, t->errlen, fmt, ap);
	va_end(ap);
	return error;
}

static size_t
on_body(char *buf, size_t size, size_t nmemb, void *pv)
{
	struct transfer *t = pv;
	const struct fetch_request *rq = t->rq;
	size_t n = size * nmemb;
	int rc;

	if (!t->checked) {
		const char *ct = NULL;

		t->checked = true;
		curl_easy_getinfo(t->curl, CURLINFO_CONTENT_TYPE, &ct);
		if (ct != NULL && strncasecmp(ct, "text/html", 9) == 0) {
			stop_with(t, -EMEDIUMTYPE, "the server sent an HTML page "
			    "(Content-Type %s), not CSV", ct);
			return 0;
		}
	}
	if (rq->stop != NULL && *rq->stop) {
		stop_with(t, -EINTR, "interrupted");
		return 0;
	}
	if ((int64_t)(t->res->bytes + n) > rq->max_body_bytes) {
		stop_with(t, -EFBIG, "body exceeds max_body_bytes (%lld)",
		    (long long)rq->max_body_bytes);
		return 0;
	}
	t->res->bytes += n;
	if ((rc = rq->sink(rq->ctx, buf, n)) < 0) {
		t->error = rc; /* the sink wrote its own message */
		return 0;
	}
	return n;
}

/* Stops a stalled transfer promptly when asked to. */
static int
on_progress(void *pv, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct transfer *t = pv;

	(void)dt; (void)dn; (void)ut; (void)un;
	if (t->rq->stop != NULL && *t->rq->stop) {
		stop_with(t, -EINTR, "interrupted");
		return 1;
	}
	return 0;
}

int
fetch_run(const struct fetch_request *rq, struct fetch_result *res,
    char *err, size_t errlen)
{
	struct transfer t = { rq, res, NULL, false, 0, err, errlen };
	struct curl_slist *headers = NULL;
	char curlerr[CURL_ERROR_SIZE] = "", line[1024];
	CURLcode cc;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if ((t.curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -ENOMEM;
	}
	if (rq->etag != NULL) {
		snprintf(line, sizeof(line), "If-None-Match: %s", rq->etag);
		headers = curl_slist_append(headers, line);
	}
	if (rq->last_modified != NULL) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s",
		    rq->last_modified);
		headers = curl_slist_append(headers, line);
	}
	if (rq->bearer_token != NULL) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s",
		    rq->bearer_token);
		headers = curl_slist_append(headers, line);
		explicit_bzero(line, sizeof(line));
	}
	if (rq->username != NULL) {
		curl_easy_setopt(t.curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(t.curl, CURLOPT_USERNAME, rq->username);
		curl_easy_setopt(t.curl, CURLOPT_PASSWORD, rq->password ?
		    rq->password : "");
	}
	if (rq->client_cert != NULL)
		curl_easy_setopt(t.curl, CURLOPT_SSLCERT, rq->client_cert);
	if (rq->client_key != NULL)
		curl_easy_setopt(t.curl, CURLOPT_SSLKEY, rq->client_key);
	if (rq->ca_file != NULL)
		curl_easy_setopt(t.curl, CURLOPT_CAINFO, rq->ca_file);
	curl_easy_setopt(t.curl, CURLOPT_URL, rq->url);
	curl_easy_setopt(t.curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(t.curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(t.curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(t.curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(t.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t.curl, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(t.curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(t.curl, CURLOPT_CONNECTTIMEOUT, rq->connect_timeout);
	curl_easy_setopt(t.curl, CURLOPT_TIMEOUT, rq->timeout);
	curl_easy_setopt(t.curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(t.curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "fragwatch/" FRAGWATCH_VERSION);
	curl_easy_setopt(t.curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(t.curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(t.curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(t.curl, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(t.curl, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(t.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(t.curl, CURLOPT_XFERINFODATA, &t);
	curl_easy_setopt(t.curl, CURLOPT_NOPROGRESS, 0L);

	cc = curl_easy_perform(t.curl);
	curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &res->http_status);
	if (t.error != 0) {
		rc = t.error;
		goto out;
	}
	switch (cc) {
	case CURLE_OK:
		res->not_modified = res->http_status == 304;
		break;
	case CURLE_HTTP_RETURNED_ERROR:
		snprintf(err, errlen, "HTTP %ld", res->http_status);
		rc = -EREMOTEIO;
		break;
	case CURLE_PARTIAL_FILE:
		snprintf(err, errlen, "transfer truncated after %llu bytes: %s",
		    (unsigned long long)res->bytes, curlerr);
		rc = -EPIPE;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(err, errlen, "timed out: %s", curlerr);
		rc = -ETIMEDOUT;
		break;
	default:
		snprintf(err, errlen, "%s", curlerr[0] ? curlerr :
		    curl_easy_strerror(cc));
		rc = -EIO;
		break;
	}
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(t.curl);
	return rc;
}

bool
fetch_transient(int rc, long http_status)
{
	if (rc == -EREMOTEIO)
		return http_status >= 500 || http_status == 429;
	return rc == -ETIMEDOUT || rc == -EIO || rc == -EPIPE;
}
