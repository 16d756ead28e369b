/*
 * The YAML tree: libyaml's events built into a tree of struct ynode, at
 * most one document and CFG_MAX_DEPTH levels, with a line number on every
 * node; syntax errors are reported with their line.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cfg_int.h"
#include "xmalloc.h"

#define CFG_MAX_DEPTH 64 /* YAML nesting we accept */

void
ynode_free(struct ynode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

const char *
ynode_type_name(const struct ynode *n)
{
	switch (n->type) {
	case YN_MAP:
		return "mapping";
	case YN_SEQ:
		return "sequence";
	default:
		return "scalar";
	}
}

static void
ynode_add(struct ynode *parent, struct ynode *kid)
{
	parent->kids = xreallocarray(
	    parent->kids, parent->nkids + 1, sizeof(*parent->kids));
	parent->kids[parent->nkids++] = kid;
}

static size_t
offset_line(const struct loader *ld, size_t off)
{
	size_t i, line;

	line = 1;
	for (i = 0; i < off && i < ld->textlen; i++)
		if (ld->text[i] == '\n')
			line++;
	return line;
}

static void
syntax_error(struct loader *ld)
{
	yaml_parser_t *p;
	size_t line;

	p = &ld->parser;
	if (p->error == YAML_READER_ERROR)
		line = offset_line(ld, p->problem_offset);
	else
		line = p->problem_mark.line + 1;
	cfg_emsg(ld, line, "syntax error: %s%s%s%s",
	    p->problem != NULL ? p->problem : "cannot parse",
	    p->context != NULL ? " (" : "",
	    p->context != NULL ? p->context : "",
	    p->context != NULL ? ")" : "");
}

static int
next_event(struct loader *ld, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ld->parser, ev)) {
		syntax_error(ld);
		return -1;
	}
	return 0;
}

static int
is_null_scalar(const yaml_event_t *ev)
{
	const char *v;
	size_t n;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)ev->data.scalar.value;
	n = ev->data.scalar.length;
	return n == 0 || (n == 1 && v[0] == '~') ||
	    (n == 4 &&
		(strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
		    strcmp(v, "NULL") == 0));
}

/*
 * Builds the node that starts with EV, reading the events of its children.
 * Deletes EV.  Returns NULL after an error (already reported).
 */
static struct ynode *
build(struct loader *ld, yaml_event_t *ev, int depth)
{
	struct ynode *n, *kid;
	yaml_event_t kev;
	yaml_event_type_t end;

	n = NULL;
	if (depth > CFG_MAX_DEPTH) {
		cfg_emsg(ld, ev->start_mark.line + 1,
		    "nesting deeper than %d levels", CFG_MAX_DEPTH);
		goto fail;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = xcalloc(1, sizeof(*n));
		n->type = YN_SCALAR;
		n->line = ev->start_mark.line + 1;
		n->len = ev->data.scalar.length;
		n->str = xmalloc(n->len + 1);
		memcpy(n->str, ev->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		n->null = is_null_scalar(ev);
		yaml_event_delete(ev);
		return n;
	case YAML_ALIAS_EVENT:
		cfg_emsg(ld, ev->start_mark.line + 1,
		    "YAML aliases are not supported");
		goto fail;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		break;
	default:
		cfg_emsg(ld, ev->start_mark.line + 1, "unexpected YAML event");
		goto fail;
	}
	n = xcalloc(1, sizeof(*n));
	n->line = ev->start_mark.line + 1;
	if (ev->type == YAML_SEQUENCE_START_EVENT) {
		n->type = YN_SEQ;
		end = YAML_SEQUENCE_END_EVENT;
	} else {
		n->type = YN_MAP;
		end = YAML_MAPPING_END_EVENT;
	}
	yaml_event_delete(ev);
	for (;;) {
		if (next_event(ld, &kev) == -1)
			goto fail;
		if (kev.type == end) {
			yaml_event_delete(&kev);
			break;
		}
		if ((kid = build(ld, &kev, depth + 1)) == NULL)
			goto fail;
		ynode_add(n, kid);
	}
	return n;
fail:
	yaml_event_delete(ev);
	ynode_free(n);
	return NULL;
}

/*
 * Parses the whole stream: at most one document.  *ROOT is NULL for an
 * empty file.  Returns -1 after an error.
 */
static int
parse_stream(struct loader *ld, struct ynode **root)
{
	yaml_event_t ev;
	int ndocs, rc;

	*root = NULL;
	ndocs = 0;
	rc = -1;
	for (;;) {
		if (next_event(ld, &ev) == -1)
			goto out;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			rc = 0;
			goto out;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				cfg_emsg(ld, ev.start_mark.line + 1,
				    "only one YAML document is allowed");
				yaml_event_delete(&ev);
				goto out;
			}
			yaml_event_delete(&ev);
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if ((*root = build(ld, &ev, 0)) == NULL)
				goto out;
			break;
		default:
			yaml_event_delete(&ev);
			break;
		}
	}
out:
	return rc;
}

int
ynode_parse(struct loader *ld, struct ynode **root)
{
	int rc;

	*root = NULL;
	if (!yaml_parser_initialize(&ld->parser)) {
		cfg_emsg(ld, 0, "cannot initialise the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(
	    &ld->parser, (const unsigned char *)ld->text, ld->textlen);
	rc = parse_stream(ld, root);
	yaml_parser_delete(&ld->parser);
	return rc;
}
