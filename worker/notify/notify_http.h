/*
 * The sender's HTTP side: sendMessage of the Bot API with libcurl, one
 * handle kept between messages (its connection is reused).  The bot
 * token is part of the URL and is never logged: what is shown is
 * API_URL/bot<token>/sendMessage.
 */
#ifndef V2S_NOTIFY_HTTP_H
#define V2S_NOTIFY_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "cfg.h"

#define NOTIFY_BODY_MAX 65536 /* bytes of an answer kept, the rest dropped */
#define NOTIFY_CONNECT_TIMEOUT_MS 10000
#define NOTIFY_TIMEOUT_MS 30000 /* a whole attempt */

/*
 * libcurl's global set-up: call once in the main thread before any
 * other thread starts.  Returns 0, or -1 if libcurl cannot be used.
 */
int notify_http_global_init(void);

struct notify_http;

/*
 * A sender to CFG's chat (telegram.chat_id) through telegram.api_url
 * (a trailing '/' removed) + "/bot" + telegram.bot_token +
 * "/sendMessage", through telegram.proxy when set (else directly, whatever
 * the environment says).  CFG is borrowed.  Returns NULL (ERR says why).
 */
struct notify_http *notify_http_new(
    const struct cfg *cfg, char *err, size_t errsz);

/* Frees H; accepts NULL. */
void notify_http_free(struct notify_http *h);

/* The URL without the token, for messages. */
const char *notify_http_where(const struct notify_http *h);

/* The outcome of one attempt. */
struct notify_reply {
	long status; /* the HTTP status; 0: no answer */
	char *body; /* owned: at most NOTIFY_BODY_MAX bytes, NUL-terminated */
	size_t len;
	char neterr[128]; /* status 0: why, in general ("Timeout was
			     reached"), the same for the same failure */
	char detail[256]; /* status 0: libcurl's own words (the address, how
			     long...), printable, without the token */
};

/* Frees what R owns; accepts a zeroed struct. */
void notify_reply_free(struct notify_reply *r);

/*
 * POSTs TEXT (MarkdownV2) as a form: chat_id, text, parse_mode=MarkdownV2,
 * disable_web_page_preview=true, with a connect timeout of
 * NOTIFY_CONNECT_TIMEOUT_MS and NOTIFY_TIMEOUT_MS in all.  The attempt is
 * abandoned as soon as STOP_FD (-1: none) becomes readable.  Returns 0
 * with R filled (free it with notify_reply_free()), or -1 if abandoned
 * (R empty).
 */
int notify_http_send(struct notify_http *h, const char *text, int stop_fd,
    struct notify_reply *r);

#endif
