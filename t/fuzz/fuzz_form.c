/*
 * libFuzzer target for fcgi/http/form.c.  The input is split at its first byte:
 * the rest is parsed twice into one form (query then body), with small
 * limits on even first bytes and large ones on odd, then looked up and
 * freed.  Invariants of the contract are checked with abort().
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_form(const struct form *f, const struct form_limits *lim)
{
	size_t i, j;

	for (i = 0; i < f->n; i++) {
		if (f->params[i].key == NULL || f->params[i].value == NULL)
			abort();
		if (f->params[i].key[0] == '\0' ||
		    strlen(f->params[i].key) > lim->max_key ||
		    strlen(f->params[i].value) > lim->max_value)
			abort();
		if (form_get(f, f->params[i].key) != f->params[i].value)
			abort();
		for (j = i + 1; j < f->n; j++)
			if (strcmp(f->params[i].key, f->params[j].key) == 0)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct form_limits small = { 32, 64, 1024 };
	static const struct form_limits large = { 4096, 4096, 65536 };
	const struct form_limits *lim;
	struct form f;
	char *bad = NULL, *copy;
	size_t split, n0;
	enum form_err e;

	if (size == 0)
		return 0;
	lim = (data[0] & 1) ? &large : &small;
	data++;
	size--;
	split = size / 2;
	memset(&f, 0, sizeof(f));

	/* Exact-size heap copies so ASan sees any read past LEN. */
	copy = malloc(split ? split : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, split);
	e = form_parse(&f, copy, split, lim, &bad);
	free(copy);
	if (e != FORM_OK && f.n != 0)
		abort();
	if (bad != NULL && strlen(bad) > lim->max_key)
		abort();
	if (form_strerror(e) == NULL)
		abort();
	free(bad);
	bad = NULL;
	check_form(&f, lim);

	n0 = f.n;
	copy = malloc(size - split ? size - split : 1);
	if (copy == NULL) {
		form_free(&f);
		return 0;
	}
	memcpy(copy, data + split, size - split);
	e = form_parse(&f, copy, size - split, lim, &bad);
	free(copy);
	if (e != FORM_OK && f.n != n0)
		abort();
	free(bad);
	check_form(&f, lim);
	(void)form_get(&f, "user");
	(void)form_get(&f, "");
	form_free(&f);
	if (f.n != 0 || f.params != NULL)
		abort();
	return 0;
}
