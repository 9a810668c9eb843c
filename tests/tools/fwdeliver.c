/* fwdeliver.c - test CLI: formats and sends one e-mail or one webhook with daemon/mail.c and daemon/webhook.c. */
/*
 * fwdeliver mail --url URL --from ADDR --to ADDR --subject TEXT
 *     --text-file FILE [--html-file FILE] --key KEY [--user NAME]
 *     [--password-file FILE] [--ca-file FILE] [--no-starttls]
 *     [--timeout S] [--save FILE]
 * fwdeliver webhook --url URL (--text TEXT | --text-file FILE)
 *     [--extra JSON] [--token-file FILE] [--key KEY] [--ca-file FILE]
 *     [--timeout S] [--save FILE]
 *
 * Secrets come from files, never argv. Prints one line:
 *   outcome=sent|transient|permanent rc=N code=N response="..." error="..."
 * and exits 0 (sent), 1 (transient), 2 (permanent) or 64 (usage, or a
 * message that cannot be built). --save writes the formatted message or
 * JSON body to FILE.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "daemon/db.h"
#include "daemon/mail.h"
#include "daemon/webhook.h"

static void
usage(void)
{
	fprintf(stderr, "usage: fwdeliver mail --url URL --from ADDR --to ADDR "
	    "--subject TEXT --text-file FILE [--html-file FILE] --key KEY\n"
	    "           [--user NAME] [--password-file FILE] [--ca-file FILE] "
	    "[--no-starttls] [--timeout S] [--save FILE]\n"
	    "       fwdeliver webhook --url URL (--text TEXT | --text-file FILE) "
	    "[--extra JSON] [--token-file FILE]\n"
	    "           [--key KEY] [--ca-file FILE] [--timeout S] "
	    "[--save FILE]\n");
	exit(64);
}

static char *
slurp(const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "fwdeliver: cannot open '%s': %s\n", path,
		    strerror(errno));
		exit(64);
	}
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if ((buf = realloc(buf, cap)) == NULL)
				exit(64);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void
save(const char *path, const char *s, size_t n)
{
	FILE *f;

	if (path == NULL)
		return;
	if ((f = fopen(path, "we")) == NULL || fwrite(s, 1, n, f) != n ||
	    fclose(f) != 0) {
		fprintf(stderr, "fwdeliver: cannot write '%s'\n", path);
		exit(64);
	}
}

static char *
secret(const char *path)
{
	char *s;

	if (path == NULL)
		return NULL;
	if ((s = db_read_secret(path, NULL)) == NULL) {
		fprintf(stderr, "fwdeliver: cannot read the secret file '%s'\n",
		    path);
		exit(64);
	}
	return s;
}

static long
seconds(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 3600)
		usage();
	return v;
}

static int
report(int rc, bool permanent, long code, const char *response,
    const char *error)
{
	printf("outcome=%s rc=%d code=%ld response=\"%s\" error=\"%s\"\n",
	    rc == 0 ? "sent" : permanent ? "permanent" : "transient", rc, code,
	    response, error);
	return rc == 0 ? 0 : permanent ? 2 : 1;
}

int
main(int argc, char **argv)
{
	enum { O_URL = 1, O_FROM, O_TO, O_SUBJECT, O_TEXT, O_TEXT_FILE,
	    O_HTML_FILE, O_KEY, O_USER, O_PASSWORD_FILE, O_CA_FILE,
	    O_NO_STARTTLS, O_TIMEOUT, O_SAVE, O_EXTRA, O_TOKEN_FILE };
	static const struct option opts[] = {
		{ "url", required_argument, NULL, O_URL },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "subject", required_argument, NULL, O_SUBJECT },
		{ "text", required_argument, NULL, O_TEXT },
		{ "text-file", required_argument, NULL, O_TEXT_FILE },
		{ "html-file", required_argument, NULL, O_HTML_FILE },
		{ "key", required_argument, NULL, O_KEY },
		{ "user", required_argument, NULL, O_USER },
		{ "password-file", required_argument, NULL, O_PASSWORD_FILE },
		{ "ca-file", required_argument, NULL, O_CA_FILE },
		{ "no-starttls", no_argument, NULL, O_NO_STARTTLS },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "save", required_argument, NULL, O_SAVE },
		{ "extra", required_argument, NULL, O_EXTRA },
		{ "token-file", required_argument, NULL, O_TOKEN_FILE },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *from = NULL, *to = NULL, *subject = NULL;
	const char *key = NULL, *user = NULL, *password_file = NULL;
	const char *ca_file = NULL, *savepath = NULL, *extra_json = NULL;
	const char *token_file = NULL, *text_arg = NULL;
	char *text = NULL, *html = NULL, *out = NULL, *pw, err[256];
	bool starttls = true;
	long timeout = 10;
	size_t outlen;
	int c, rc, status;

	if (argc < 2 || (strcmp(argv[1], "mail") != 0 &&
	    strcmp(argv[1], "webhook") != 0))
		usage();
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case O_URL: url = optarg; break;
		case O_FROM: from = optarg; break;
		case O_TO: to = optarg; break;
		case O_SUBJECT: subject = optarg; break;
		case O_TEXT: text_arg = optarg; break;
		case O_TEXT_FILE: text = slurp(optarg); break;
		case O_HTML_FILE: html = slurp(optarg); break;
		case O_KEY: key = optarg; break;
		case O_USER: user = optarg; break;
		case O_PASSWORD_FILE: password_file = optarg; break;
		case O_CA_FILE: ca_file = optarg; break;
		case O_NO_STARTTLS: starttls = false; break;
		case O_TIMEOUT: timeout = seconds(optarg); break;
		case O_SAVE: savepath = optarg; break;
		case O_EXTRA: extra_json = optarg; break;
		case O_TOKEN_FILE: token_file = optarg; break;
		default: usage();
		}
	}
	if (url == NULL || optind != argc - 1)
		usage();
	if (text == NULL && text_arg != NULL && (text = strdup(text_arg)) == NULL)
		return 64;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 64;

	if (strcmp(argv[1], "mail") == 0) {
		struct mail_message m = { from, to, subject, text, html, key, 0 };
		struct mail_server srv = { 0 };
		struct mail_result res;

		if ((rc = mail_format(&m, &out, &outlen, err, sizeof(err))) < 0) {
			fprintf(stderr, "fwdeliver: %s\n", err);
			status = 64;
			goto done;
		}
		save(savepath, out, outlen);
		pw = secret(password_file);
		srv.url = url;
		srv.username = user;
		srv.password = pw;
		srv.ca_file = ca_file;
		srv.starttls = starttls;
		srv.timeout = timeout;
		rc = mail_send(&srv, from, to, out, outlen, &res);
		if (pw != NULL) {
			explicit_bzero(pw, strlen(pw));
			free(pw);
		}
		status = report(rc, res.permanent, res.smtp_code, res.response,
		    res.error);
	} else {
		struct webhook_request rq = { 0 };
		struct webhook_result res;
		json_t *extra = NULL;
		json_error_t jerr;

		if (extra_json != NULL && (extra = json_loads(extra_json, 0,
		    &jerr)) == NULL) {
			fprintf(stderr, "fwdeliver: --extra: %s\n", jerr.text);
			status = 64;
			goto done;
		}
		rc = webhook_body(text, extra, &out, err, sizeof(err));
		json_decref(extra);
		if (rc < 0) {
			fprintf(stderr, "fwdeliver: %s\n", err);
			status = 64;
			goto done;
		}
		save(savepath, out, strlen(out));
		pw = secret(token_file);
		rq.url = url;
		rq.body = out;
		rq.body_len = strlen(out);
		rq.bearer_token = pw;
		rq.dedup_key = key;
		rq.ca_file = ca_file;
		rq.timeout = timeout;
		rc = webhook_post(&rq, &res);
		if (pw != NULL) {
			explicit_bzero(pw, strlen(pw));
			free(pw);
		}
		status = report(rc, res.permanent, res.http_status,
		    res.response, res.error);
	}
done:
	free(out);
	free(text);
	free(html);
	curl_global_cleanup();
	return status;
}
