/* The sender's rules (see notify_rules.h). */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "notify_rules.h"

/* 400 descriptions that are about the message's text: sending it again
 * can never work. */
static const char *const text_faults[] = {
	"can't parse entities",
	"message is too long",
	"message text is empty",
	"text must be non-empty",
};

/* Copies S into OUT as printable ASCII (others as '?'), at most N bytes. */
static void
printable(char *out, size_t outsz, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && s[i] != '\0' && o + 1 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[o] = '\0';
}

/* parameters.retry_after of ROOT in ms, or the default. */
static int64_t
retry_after_ms(struct json_object *root)
{
	struct json_object *p, *ra;
	double d;
	int64_t s;

	if (root == NULL ||
	    !json_object_object_get_ex(root, "parameters", &p) ||
	    !json_object_is_type(p, json_type_object) ||
	    !json_object_object_get_ex(p, "retry_after", &ra))
		return NOTIFY_RETRY_AFTER_DEFAULT_MS;
	if (json_object_is_type(ra, json_type_int)) {
		s = json_object_get_int64(ra);
		if (s < 1)
			return NOTIFY_RETRY_AFTER_DEFAULT_MS;
		if (s > NOTIFY_RETRY_AFTER_MAX_MS / 1000)
			return NOTIFY_RETRY_AFTER_MAX_MS;
		return s * 1000;
	}
	if (json_object_is_type(ra, json_type_double)) {
		d = json_object_get_double(ra);
		if (!isfinite(d) || d <= 0)
			return NOTIFY_RETRY_AFTER_DEFAULT_MS;
		if (d > NOTIFY_RETRY_AFTER_MAX_MS / 1000)
			return NOTIFY_RETRY_AFTER_MAX_MS;
		s = (int64_t)(d * 1000);
		return (double)s < d * 1000 ? s + 1 : s; /* rounded up */
	}
	return NOTIFY_RETRY_AFTER_DEFAULT_MS;
}

/* 1 if DESC tells of a fault of the message's text. */
static int
text_fault(const char *desc)
{
	size_t i;

	for (i = 0; i < sizeof(text_faults) / sizeof(text_faults[0]); i++)
		if (strcasestr(desc, text_faults[i]) != NULL)
			return 1;
	return 0;
}

void
notify_classify(long status, const char *body, size_t len, const char *neterr,
    struct notify_answer *a)
{
	struct json_tokener *tok;
	struct json_object *root = NULL, *v;
	char desc[200] = "";
	int okay = 0;

	memset(a, 0, sizeof(*a));
	a->verdict = NOTIFY_RETRY_BACKOFF;
	if (status <= 0) {
		snprintf(desc, sizeof(desc), "network: %s",
		    neterr != NULL && *neterr != '\0' ? neterr : "no answer");
		printable(a->error, sizeof(a->error), desc, strlen(desc));
		return;
	}
	if (body != NULL && len > 0 && len < INT_MAX &&
	    (tok = json_tokener_new()) != NULL) {
		root = json_tokener_parse_ex(tok, body, (int)len);
		json_tokener_free(tok);
		if (root != NULL &&
		    !json_object_is_type(root, json_type_object)) {
			json_object_put(root);
			root = NULL;
		}
	}
	if (root != NULL) {
		okay = json_object_object_get_ex(root, "ok", &v) &&
		    json_object_is_type(v, json_type_boolean) &&
		    json_object_get_boolean(v);
		if (json_object_object_get_ex(root, "description", &v) &&
		    json_object_is_type(v, json_type_string))
			printable(desc, sizeof(desc), json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
	}
	if (status == 200 && okay) {
		a->verdict = NOTIFY_SENT;
		goto done;
	}
	if (desc[0] != '\0')
		snprintf(
		    a->error, sizeof(a->error), "HTTP %ld: %s", status, desc);
	else if (status == 200)
		snprintf(a->error, sizeof(a->error),
		    "HTTP 200 without \"ok\": true");
	else
		snprintf(a->error, sizeof(a->error), "HTTP %ld", status);
	if (status == 429) {
		a->verdict = NOTIFY_RETRY_AT;
		a->retry_ms = retry_after_ms(root);
	} else if (status == 400 && text_fault(desc))
		a->verdict = NOTIFY_DROP;
done:
	json_object_put(root);
}

int64_t
notify_backoff_ms(int64_t failures)
{
	int64_t ms = 1000;

	while (--failures > 0 && ms < NOTIFY_BACKOFF_MAX_MS)
		ms *= 2;
	return ms < NOTIFY_BACKOFF_MAX_MS ? ms : NOTIFY_BACKOFF_MAX_MS;
}

void
notify_rate_init(struct notify_rate *r, const char *chat_id)
{
	memset(r, 0, sizeof(*r));
	r->group = chat_id != NULL && chat_id[0] == '-';
}

int64_t
notify_rate_next(const struct notify_rate *r, int64_t now)
{
	int64_t t = now;

	if (r->n > 0 && r->last + NOTIFY_GAP_MS > t)
		t = r->last + NOTIFY_GAP_MS;
	/* The oldest of the last NOTIFY_GROUP_MAX must have left the
	 * window. */
	if (r->group && r->n >= NOTIFY_GROUP_MAX &&
	    r->at[r->head] + NOTIFY_GROUP_WINDOW_MS > t)
		t = r->at[r->head] + NOTIFY_GROUP_WINDOW_MS;
	return t;
}

void
notify_rate_record(struct notify_rate *r, int64_t now)
{
	if (r->n < NOTIFY_GROUP_MAX)
		r->at[r->n++] = now;
	else {
		r->at[r->head] = now;
		r->head = (r->head + 1) % NOTIFY_GROUP_MAX;
	}
	r->last = now;
}
