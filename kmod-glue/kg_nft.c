// SPDX-License-Identifier: GPL-2.0-or-later
/* lnsd's nftables table: the TCP MSS clamp on PPP interfaces (kg_nft.h). */
#include "kg_nft.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

/*
 * "table ... {}" first makes the delete that follows valid when there is
 * no table yet; the whole buffer is one transaction, so the rule is never
 * missing or doubled in between. "meta oifkind" is the interface's rtnl
 * kind: "ppp" for every ppp_generic unit, whatever [ppp] ifname renamed it
 * to. Priority mangle: before the filter chains of the host's own ruleset.
 */
static const char clamp_on[] =
	"table inet " KG_NFT_TABLE " {}\n"
	"delete table inet " KG_NFT_TABLE "\n"
	"table inet " KG_NFT_TABLE " {\n"
	"	chain mss-clamp {\n"
	"		type filter hook forward priority mangle; policy accept;\n"
	"		meta oifkind \"ppp\" tcp flags syn tcp option maxseg size set rt mtu\n"
	"	}\n"
	"}\n";
static const char clamp_off[] =
	"table inet " KG_NFT_TABLE " {}\n"
	"delete table inet " KG_NFT_TABLE "\n";

int kg_nft_mss_clamp(bool on, char *err, size_t errlen)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *msg;
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	if (!ctx)
		return -ENOMEM;
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		nft_ctx_free(ctx);
		return -ENOMEM;
	}
	if (nft_run_cmd_from_buffer(ctx, on ? clamp_on : clamp_off) != 0) {
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
