// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-session rate limits (lnsd.conf(5) "RATE LIMITS"): which limits a
 * session gets (lib/aaa/rate_limit.h's precedence over [ppp] defaults,
 * profiles and the Access-Accept), putting them on pppN once it is up
 * (dp_rate_set), and a CoA changing them live. The kernel's qdiscs go with
 * pppN when the session ends: nothing to undo.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "log.h"

static void rate_text(const struct rate_limit *r, char *buf, size_t len)
{
	char d[RATE_STRLEN], u[RATE_STRLEN];

	snprintf(buf, len, "down %s up %s", r->down_bps ? rate_format(r->down_bps, d, sizeof(d))
		 : "unlimited", r->up_bps ? rate_format(r->up_bps, u, sizeof(u)) : "unlimited");
}

/* rate_resolve with this configuration's defaults and profiles. */
static enum rate_src resolve(struct engine *e, const struct rate_radius *r,
			     struct rate_limit *out, unsigned *bad)
{
	return rate_resolve(r, &e->conf->ppp_rate, conf_rate_profile, e->conf, out, bad);
}

/* Onto pppN; a kernel that refuses is logged and counted, the session goes on. */
static int rate_apply(struct engine *e, struct eng_session *es, const char *why)
{
	char pfx[ENG_PREFIX_LEN], txt[64], eb[320];
	int rc;

	if (!es->ifindex || (!es->rate_applied && !es->rate.down_bps && !es->rate.up_bps))
		return 0;      /* nothing there yet, or nothing to set or remove */
	eng_sess_prefix(es->sess, pfx, sizeof(pfx));
	rate_text(&es->rate, txt, sizeof(txt));
	rc = dp_rate_set(e->dp, es->ifindex, es->rate.down_bps, es->rate.up_bps);
	if (rc < 0) {
		e->ctr.rate_kernel_failed++;
		log_warn("%s: rate limit %s on %s (%s): %s", pfx, txt, es->ifname, why,
			 eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
		return rc;
	}
	es->rate_applied = es->rate.down_bps || es->rate.up_bps;
	log_info("%s: rate limit %s on %s (%s)", pfx, txt, es->ifname, why);
	return 0;
}

void eng_rate_accept(struct engine *e, struct eng_session *es, const struct rate_radius *r,
		     const char *pfx)
{
	unsigned bad = r->bad;

	es->rate_src = (uint8_t)resolve(e, r, &es->rate, &bad);
	es->rate_decided = true;
	if (bad) {
		e->ctr.rate_bad_attr += bad;
		log_warn("%s: %u rate attribute(s) ignored (Mikrotik-Rate-Limit not \"rx[/tx]\", "
			 "or Filter-Id%s%s%s neither a rate-profile nor \"down/up\" in kbit/s); "
			 "using %s", pfx, bad, r->filter_id_len ? " " : "",
			 r->filter_id_len ? LOG_STR(r->filter_id) : "", r->filter_id_len ? " is" : "",
			 rate_src_str((enum rate_src)es->rate_src));
	}
}

void eng_rate_up(struct engine *e, struct eng_session *es)
{
	if (!es->rate_decided) {
		es->rate_src = (uint8_t)resolve(e, NULL, &es->rate, NULL);
		es->rate_decided = true;
	}
	(void)rate_apply(e, es, rate_src_str((enum rate_src)es->rate_src));
}

int engine_session_set_rate(struct engine *e, uint32_t tid, uint32_t sid,
			    const struct rate_radius *r, bool apply)
{
	struct l2tp_sess *s = l2tp_lns_session(e->lns, tid, sid);
	struct eng_session *es = s ? s->user : NULL;
	struct rate_limit want, old;
	uint8_t old_src;
	unsigned bad = r->bad;
	enum rate_src src;
	int rc;

	if (!es || es->dead)
		return -ENOENT;
	src = resolve(e, r, &want, &bad);
	if (bad)
		return -EINVAL;   /* a CoA is all or nothing: a value we cannot read is refused */
	if (!apply)
		return 0;
	old = es->rate;
	old_src = es->rate_src;
	es->rate = want;
	es->rate_src = (uint8_t)src;
	es->rate_decided = true;
	if (!es->link_up)
		return 0;         /* eng_rate_up() applies it */
	rc = rate_apply(e, es, "CoA");
	if (rc < 0) {
		es->rate = old;   /* what the kernel still has, as far as we know */
		es->rate_src = old_src;
	}
	return rc;
}
