/* Placeholder until access-log ingestion lands: ingestion is off. */
#include "config.h"

#include <stdio.h>

#include "ingest.h"

struct ingest *
ingest_new(struct worker *w)
{
	(void)w;
	return NULL;
}

void
ingest_tick(struct ingest *ig)
{
	(void)ig;
}

void
ingest_free(struct ingest *ig)
{
	(void)ig;
}

int
ingest_check_log(const struct cfg *cfg, const char *file, FILE *out)
{
	(void)cfg;
	(void)file;
	fprintf(out, "--check-log is not available yet\n");
	return 1;
}
