/*
 * noop-milter: the libmilter baseline for bench/milter-direct.sh. It negotiates every event with
 * replies, keeps nothing, and accepts each message at end of message; with -H it also adds one
 * header, so the header-adding path of libmilter is measured too.
 *
 *   noop-milter -p PORT [-H]      listens on inet:PORT@127.0.0.1; SIGTERM stops it
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmilter/mfapi.h>

static int add_header;

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3,
		unsigned long *pf0, unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void) ctx; (void) f1; (void) f2; (void) f3;
	*pf0 = add_header ? (f0 & SMFIF_ADDHDRS) : 0;   /* the only action it may take */
	*pf1 = 0;                                        /* every event, every reply */
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat on_eom(SMFICTX *ctx)
{
	if (add_header && smfi_addheader(ctx, "X-Noop-Milter", "seen") != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_ACCEPT;
}

int main(int argc, char **argv)
{
	const char *port = "8891";
	char spec[64];
	int c;
	while ((c = getopt(argc, argv, "p:H")) != -1) {
		if (c == 'p')
			port = optarg;
		else if (c == 'H')
			add_header = 1;
		else {
			fprintf(stderr, "usage: %s -p PORT [-H]\n", argv[0]);
			return 2;
		}
	}
	struct smfiDesc desc;
	memset(&desc, 0, sizeof desc);
	desc.xxfi_name = "portcullis-bench-noop";
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_flags = add_header ? SMFIF_ADDHDRS : 0;
	desc.xxfi_eom = on_eom;
	desc.xxfi_negotiate = on_negotiate;
	snprintf(spec, sizeof spec, "inet:%s@127.0.0.1", port);
	if (smfi_setconn(spec) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) {
		fprintf(stderr, "noop-milter: cannot set up %s\n", spec);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
