/*
 * sendMessage with libcurl (see notify_http.h).  The transfer runs in a
 * multi handle so that waiting on the network also waits on the stop
 * descriptor: a worker told to stop leaves a hung Bot API at once, not
 * at the next timeout.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "notify_http.h"
#include "xmalloc.h"

struct notify_http {
	const struct cfg *cfg; /* borrowed */
	CURL *easy;
	CURLM *multi;
	char *url; /* owned: holds the token */
	char *where; /* owned: the URL as shown */
	char errbuf[CURL_ERROR_SIZE];
	struct buf body; /* the answer being read */
	int truncated; /* bytes beyond NOTIFY_BODY_MAX were dropped */
};

int
notify_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* Keeps at most NOTIFY_BODY_MAX bytes of the answer, reads the rest. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct notify_http *h = arg;
	size_t len = size * n, room;

	room =
	    h->body.len < NOTIFY_BODY_MAX ? NOTIFY_BODY_MAX - h->body.len : 0;
	if (len > room)
		h->truncated = 1;
	buf_add(&h->body, p, len < room ? len : room);
	return len;
}

/* Copies S into OUT with every occurrence of SECRET as "<token>" and
 * anything unprintable as '?'. */
static void
masked(char *out, size_t outsz, const char *s, const char *secret)
{
	size_t o = 0, sl = strlen(secret);

	while (*s != '\0' && o + 1 < outsz) {
		if (sl > 0 && strncmp(s, secret, sl) == 0) {
			o += (size_t)snprintf(out + o, outsz - o, "<token>");
			if (o >= outsz)
				o = outsz - 1;
			s += sl;
			continue;
		}
		out[o++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f
		    ? *s
		    : '?';
		s++;
	}
	out[o] = '\0';
}

struct notify_http *
notify_http_new(const struct cfg *cfg, char *err, size_t errsz)
{
	struct notify_http *h;
	const char *api =
	    cfg->telegram_api_url != NULL && cfg->telegram_api_url[0] != '\0'
	    ? cfg->telegram_api_url
	    : "https://api.telegram.org";
	size_t n = strlen(api);
	struct buf b;

	while (n > 0 && api[n - 1] == '/')
		n--;
	h = xcalloc(1, sizeof(*h));
	h->cfg = cfg;
	buf_init(&h->body);
	buf_init(&b);
	buf_printf(
	    &b, "%.*s/bot%s/sendMessage", (int)n, api, cfg->telegram_bot_token);
	h->url = xstrdup(buf_str(&b));
	buf_reset(&b);
	buf_printf(&b, "%.*s/bot<token>/sendMessage", (int)n, api);
	h->where = xstrdup(buf_str(&b));
	buf_free(&b);
	if ((h->easy = curl_easy_init()) == NULL ||
	    (h->multi = curl_multi_init()) == NULL) {
		snprintf(err, errsz, "Telegram: libcurl cannot be set up");
		notify_http_free(h);
		return NULL;
	}
	curl_easy_setopt(h->easy, CURLOPT_URL, h->url);
	curl_easy_setopt(h->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)NOTIFY_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
	/* "" is a direct connection, whatever http_proxy says. */
	curl_easy_setopt(h->easy, CURLOPT_PROXY,
	    cfg->telegram_proxy != NULL ? cfg->telegram_proxy : "");
	curl_easy_setopt(h->easy, CURLOPT_USERAGENT, "v2ray-stat/" VERSION);
	curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, h->errbuf);
	return h;
}

void
notify_http_free(struct notify_http *h)
{
	if (h == NULL)
		return;
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	if (h->easy != NULL)
		curl_easy_cleanup(h->easy);
	buf_free(&h->body);
	free(h->url);
	free(h->where);
	free(h);
}

const char *
notify_http_where(const struct notify_http *h)
{
	return h->where;
}

void
notify_reply_free(struct notify_reply *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Appends "&KEY=VALUE" (the first without '&'), VALUE URL-encoded. */
static void
form_add(CURL *easy, struct buf *b, const char *key, const char *value)
{
	char *enc;

	if ((enc = curl_easy_escape(easy, value, 0)) == NULL)
		abort(); /* out of memory, as xmalloc */
	buf_printf(b, "%s%s=%s", b->len > 0 ? "&" : "", key, enc);
	curl_free(enc);
}

/* Runs the transfer until done (its result in *RES) or STOP_FD.
 * Returns 0, or -1 if abandoned. */
static int
perform(struct notify_http *h, int stop_fd, CURLcode *res)
{
	struct curl_waitfd wfd;
	CURLMsg *msg;
	CURLMcode mc;
	int running = 1, left, rc = 0;

	*res = CURLE_OK;
	if ((mc = curl_multi_add_handle(h->multi, h->easy)) != CURLM_OK) {
		*res = CURLE_FAILED_INIT;
		return 0;
	}
	for (;;) {
		if ((mc = curl_multi_perform(h->multi, &running)) != CURLM_OK) {
			*res = CURLE_FAILED_INIT;
			break;
		}
		if (running == 0)
			break;
		wfd.fd = stop_fd;
		wfd.events = CURL_WAIT_POLLIN;
		wfd.revents = 0;
		mc = curl_multi_poll(h->multi, stop_fd >= 0 ? &wfd : NULL,
		    stop_fd >= 0, 1000, NULL);
		if (mc != CURLM_OK) {
			*res = CURLE_FAILED_INIT;
			break;
		}
		if (wfd.revents != 0) {
			rc = -1;
			break;
		}
	}
	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			*res = msg->data.result;
	curl_multi_remove_handle(h->multi, h->easy);
	return rc;
}

int
notify_http_send(struct notify_http *h, const char *text, int stop_fd,
    struct notify_reply *r)
{
	struct buf form;
	CURLcode res;
	const char *why;
	int rc;

	memset(r, 0, sizeof(*r));
	buf_init(&form);
	form_add(h->easy, &form, "chat_id", h->cfg->telegram_chat_id);
	form_add(h->easy, &form, "text", text);
	form_add(h->easy, &form, "parse_mode", "MarkdownV2");
	form_add(h->easy, &form, "disable_web_page_preview", "true");
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, buf_str(&form));
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE, (long)form.len);
	buf_reset(&h->body);
	h->truncated = 0;
	h->errbuf[0] = '\0';

	rc = perform(h, stop_fd, &res);
	if (rc == -1)
		goto done;
	if (res == CURLE_OK) {
		curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &r->status);
		r->len = h->body.len;
		r->body = xmalloc(r->len + 1);
		memcpy(r->body, h->body.len > 0 ? h->body.data : "", r->len);
		r->body[r->len] = '\0';
	} else {
		snprintf(r->neterr, sizeof(r->neterr), "%s",
		    curl_easy_strerror(res));
		why = h->errbuf[0] != '\0' ? h->errbuf : r->neterr;
		masked(r->detail, sizeof(r->detail), why,
		    h->cfg->telegram_bot_token);
	}
done:
	/* The form holds the text: not kept past the call. */
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, NULL);
	buf_free(&form);
	return rc;
}
