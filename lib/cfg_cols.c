/*
 * stats_columns: the columns of the server and client tables and the
 * column they are sorted by.  A column that cannot be used is a warning.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg_int.h"
#include "statcol.h"
#include "xmalloc.h"

void
cfg_apply_columns(
    struct loader *ld, const struct key *k, const struct ynode *v, size_t kline)
{
	struct statcols *sc;
	const struct ynode *it;
	char e[CFG_ESC];
	size_t i;
	int c, j, dup;

	sc = (struct statcols *)(void *)((char *)ld->cfg + k->off);
	if (cfg_want_seq(ld, k, v, kline) != 1)
		return;
	sc->ncols = 0;
	for (i = 0; i < v->nkids; i++) {
		it = v->kids[i];
		if (!cfg_seq_item(ld, k, it, i))
			continue;
		if ((c = statcol_lookup(k->section, it->str)) == -1) {
			cfg_wmsg(ld, it->line,
			    "%s: unknown column '%s' ignored", k->path,
			    cfg_esc(it->str, it->len, e));
			continue;
		}
		for (dup = 0, j = 0; j < sc->ncols; j++)
			if ((int)sc->cols[j] == c)
				dup = 1;
		if (dup) {
			cfg_wmsg(ld, it->line,
			    "%s: duplicate column '%s' ignored", k->path,
			    it->str);
			continue;
		}
		if (sc->ncols == STATCOL_MAX_COLS) {
			cfg_wmsg(ld, it->line,
			    "%s: too many columns, '%s' ignored", k->path,
			    it->str);
			continue;
		}
		sc->cols[sc->ncols++] = (enum statcol)c;
	}
}

void
cfg_apply_sort(struct loader *ld, const struct key *k, const struct ynode *v)
{
	struct statcols *sc;
	char *copy, *tok[3], *save, *t, e[CFG_ESC];
	int ntok, c;

	sc = (struct statcols *)(void *)((char *)ld->cfg + k->off);
	copy = xstrdup(v->str);
	ntok = 0;
	for (t = strtok_r(copy, " \t", &save); t != NULL;
	     t = strtok_r(NULL, " \t", &save)) {
		if (ntok == 3)
			break;
		tok[ntok++] = t;
	}
	if (ntok == 0)
		goto out;
	if (ntok > 2) {
		cfg_wmsg(ld, v->line,
		    "%s: '%s' is not '<column> [ASC|DESC]', keeping '%s %s'",
		    k->path, cfg_esc(v->str, v->len, e), statcol_name(sc->sort),
		    sc->sort_desc ? "DESC" : "ASC");
		goto out;
	}
	if ((c = statcol_lookup(k->section, tok[0])) == -1) {
		cfg_wmsg(ld, v->line,
		    "%s: unknown column '%s', keeping '%s %s'", k->path,
		    cfg_esc(tok[0], strlen(tok[0]), e), statcol_name(sc->sort),
		    sc->sort_desc ? "DESC" : "ASC");
		goto out;
	}
	sc->sort = (enum statcol)c;
	sc->sort_desc = 0;
	if (ntok == 2) {
		if (strcasecmp(tok[1], "DESC") == 0)
			sc->sort_desc = 1;
		else if (strcasecmp(tok[1], "ASC") != 0)
			cfg_wmsg(ld, v->line,
			    "%s: unknown order '%s', using ASC", k->path,
			    cfg_esc(tok[1], strlen(tok[1]), e));
	}
out:
	free(copy);
}
