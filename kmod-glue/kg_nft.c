// SPDX-License-Identifier: GPL-2.0-or-later
/* lnsd's nftables table: a set of rules on PPP interfaces (kg_nft.h). */
#include "kg_nft.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

/*
 * "table ... {}" first makes the delete that follows valid when there is
 * no table yet; the whole buffer is one transaction, so a rule is never
 * missing or doubled in between.
 */
static const char reset[] =
	"table inet " KG_NFT_TABLE " {}\n"
	"delete table inet " KG_NFT_TABLE "\n";

/*
 * "meta oifkind"/"iifkind" is the interface's rtnl kind: "ppp" for every
 * ppp_generic unit, whatever [ppp] ifname renamed it to.
 */
static const struct {
	unsigned bit;
	const char *chain;
} chains[] = {
	/* Priority mangle: before the filter chains of the host's own ruleset. */
	{ KG_NFT_MSS_CLAMP,
	  "	chain mss-clamp {\n"
	  "		type filter hook forward priority mangle; policy accept;\n"
	  "		meta oifkind \"ppp\" tcp flags syn tcp option maxseg size set rt mtu\n"
	  "	}\n" },
	/*
	 * raw - 10: before every chain at raw or later (conntrack's lookup
	 * at -200, the host's raw and mangle chains), and so before routing.
	 */
	{ KG_NFT_UNMARK,
	  "	chain unmark {\n"
	  "		type filter hook prerouting priority raw - 10; policy accept;\n"
	  "		meta iifkind \"ppp\" meta mark != 0 counter meta mark set 0\n"
	  "	}\n" },
};

int kg_nft_script(unsigned rules, char *buf, size_t len)
{
	size_t n = 0;
	int w;

#define PUT(s)                                                  \
	do {                                                    \
		w = snprintf(buf + n, len > n ? len - n : 0, "%s", (s)); \
		n += (size_t)w;                                 \
	} while (0)
	PUT(reset);
	if (rules) {
		PUT("table inet " KG_NFT_TABLE " {\n");
		for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
			if (rules & chains[i].bit)
				PUT(chains[i].chain);
		PUT("}\n");
	}
#undef PUT
	return n < len ? (int)n : -ENOSPC;
}

int kg_nft_rules(unsigned rules, char *err, size_t errlen)
{
	struct nft_ctx *ctx;
	const char *msg;
	char buf[1024];
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	if (kg_nft_script(rules, buf, sizeof(buf)) < 0)
		return -ENOSPC;
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return -ENOMEM;
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		nft_ctx_free(ctx);
		return -ENOMEM;
	}
	if (nft_run_cmd_from_buffer(ctx, buf) != 0) {
		rc = -EIO;
		msg = nft_ctx_get_error_buffer(ctx);
		if (errlen && msg) {
			snprintf(err, errlen, "%s", msg);
			err[strcspn(err, "\n")] = '\0';   /* the first line: the error itself */
		}
	}
	nft_ctx_free(ctx);
	return rc;
}
