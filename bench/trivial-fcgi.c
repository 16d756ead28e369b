/*
 * trivial-fcgi: the smallest FastCGI responder (libfcgi, one fixed reply),
 * run the same way as v2ray-stat.fcgi, as the baseline of bench/run-http.
 */
#include "config.h"

#include <fcgiapp.h>

int
main(void)
{
	FCGX_Request fr;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		FCGX_FPrintF(fr.out,
		    "Status: 200 OK\r\nContent-Type: "
		    "text/plain; charset=utf-8\r\n\r\nok\n");
		FCGX_Finish_r(&fr);
	}
	return 0;
}
