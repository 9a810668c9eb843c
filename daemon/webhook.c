/* webhook.c - the JSON body of a chat webhook (jansson) and its POST (libcurl). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "daemon/webhook.h"
#include "daemon/text.h"

#define BODY_KEEP 200

static int
set_err(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
set_err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int
webhook_body(const char *text, json_t *extra, char **out, char *err,
    size_t errlen)
{
	json_t *root = NULL, *t;
	char *s;
	int rc = 0;

	if (text == NULL)
		return set_err(err, errlen, -EINVAL, "a webhook needs a text");
	if (extra != NULL && !json_is_object(extra))
		return set_err(err, errlen, -EINVAL, "the extra fields must be "
		    "a JSON object");
	if (extra != NULL && json_object_get(extra, "text") != NULL)
		return set_err(err, errlen, -EINVAL, "the extra fields must not "
		    "have their own \"text\"");
	/* json_string() refuses what is not UTF-8. */
	if ((t = json_string(text)) == NULL)
		return set_err(err, errlen, -EILSEQ, "the text is not valid "
		    "UTF-8");
	if ((root = json_object()) == NULL ||
	    json_object_set_new(root, "text", t) < 0 ||
	    (extra != NULL && json_object_update(root, extra) < 0)) {
		if (root == NULL)
			json_decref(t);
		rc = set_err(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if ((s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		rc = set_err(err, errlen, -ENOMEM, "cannot serialise the body");
		goto out;
	}
	*out = s;
out:
	json_decref(root);
	return rc;
}

bool
webhook_status_permanent(long http_status)
{
	if (http_status == 408 || http_status == 429)
		return false;
	return http_status >= 300 && http_status <= 499;
}

/* One request, as the callbacks see it. */
struct post {
	char keep[BODY_KEEP + 1];
	size_t kept;
	volatile sig_atomic_t *stop;
	bool stopped;
};

/* Keeps the start of the response for the record; the rest is read and dropped. */
static size_t
on_body(char *buf, size_t size, size_t nmemb, void *pv)
{
	struct post *p = pv;
	size_t n = size * nmemb, take;

	take = BODY_KEEP - p->kept < n ? BODY_KEEP - p->kept : n;
	memcpy(p->keep + p->kept, buf, take);
	p->kept += take;
	p->keep[p->kept] = '\0';
	return n;
}

static int
on_progress(void *pv, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct post *p = pv;

	(void)dt; (void)dn; (void)ut; (void)un;
	if (p->stop != NULL && *p->stop) {
		p->stopped = true;
		return 1;
	}
	return 0;
}

/* Appends a header; the list is kept when that fails. */
static bool
add_header(struct curl_slist **list, const char *line)
{
	struct curl_slist *l;

	if ((l = curl_slist_append(*list, line)) == NULL)
		return false;
	*list = l;
	return true;
}

int
webhook_post(const struct webhook_request *rq, struct webhook_result *res)
{
	struct post p = { .stop = rq->stop };
	struct curl_slist *headers = NULL;
	bool ok;
	char curlerr[CURL_ERROR_SIZE] = "", line[1024];
	long timeout;
	CURLcode cc;
	CURL *curl = NULL;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (rq->url == NULL || (strncasecmp(rq->url, "http://", 7) != 0 &&
	    strncasecmp(rq->url, "https://", 8) != 0)) {
		snprintf(res->error, sizeof(res->error), "the webhook URL must "
		    "start with http:// or https://");
		res->permanent = true;
		return -EINVAL;
	}
	if ((rq->bearer_token != NULL && text_has_ctl(rq->bearer_token)) ||
	    (rq->dedup_key != NULL && text_has_ctl(rq->dedup_key))) {
		snprintf(res->error, sizeof(res->error), "control character in "
		    "the webhook's %s", rq->dedup_key != NULL &&
		    text_has_ctl(rq->dedup_key) ? "key" : "token");
		return -EINVAL;
	}
	if ((curl = curl_easy_init()) == NULL) {
		snprintf(res->error, sizeof(res->error), "cannot start libcurl");
		return -ENOMEM;
	}
	ok = add_header(&headers, "Content-Type: application/json") &&
	    add_header(&headers, "Expect:");  /* no 100-continue round trip */
	if (ok && rq->dedup_key != NULL) {
		snprintf(line, sizeof(line), "Idempotency-Key: %s",
		    rq->dedup_key);
		ok = add_header(&headers, line);
	}
	if (ok && rq->bearer_token != NULL) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s",
		    rq->bearer_token);
		ok = add_header(&headers, line);
		explicit_bzero(line, sizeof(line));
	}
	if (!ok) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	timeout = rq->timeout > 0 ? rq->timeout : 30;
	curl_easy_setopt(curl, CURLOPT_URL, rq->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, rq->connect_timeout > 0 ?
	    rq->connect_timeout : timeout);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (rq->ca_file != NULL && rq->ca_file[0] != '\0')
		curl_easy_setopt(curl, CURLOPT_CAINFO, rq->ca_file);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "fragwatch/" FRAGWATCH_VERSION);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)(rq->body ? rq->body_len : 0));
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &p);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &p);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);

	cc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->http_status);
	memcpy(res->response, p.keep, p.kept + 1);
	text_clean(res->response);
	switch (cc) {
	case CURLE_OK:
		if (res->http_status >= 200 && res->http_status <= 299)
			break;
		snprintf(res->error, sizeof(res->error), "HTTP %ld",
		    res->http_status);
		res->permanent = webhook_status_permanent(res->http_status);
		rc = -EREMOTEIO;
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		rc = p.stopped ? -EINTR : -EIO;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		rc = -ETIMEDOUT;
		break;
	case CURLE_COULDNT_CONNECT:
		rc = -ECONNREFUSED;
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		rc = -EPROTO;
		break;
	default:
		rc = -EIO;
		break;
	}
	if (cc != CURLE_OK) {
		snprintf(res->error, sizeof(res->error), "%s", curlerr[0] ?
		    curlerr : curl_easy_strerror(cc));
		text_clean(res->error);
	}
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return rc;
}
