// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for a PPP session (lib/ppp/ppp_*.c): the input is a script of
 * frames, timer ticks and administrative events fed to one ppp_sess; every
 * AUTH_REQUEST is answered at once. Checks the invariants of the action list
 * and that the pool address comes back.
 *
 * Input: byte 0 selects the config (bit 0: PAP only, bit 1: no auth, bit 2:
 * CHAP only, bit 3: MS-CHAPv2 then CHAP then PAP, bit 4: IPV6CP enabled).
 * Then records: op, len, len bytes.
 *   op & 3 == 0: frame from the channel fd; 1: from the unit fd;
 *            2: advance time by len * 250 ms and tick; 3: close (len even) or lower down.
 *   op & 4: the next verdict is positive.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ppp_sess.h"

static void rand_counter(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf, *c = ctx;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(++*c * 37);
}

static bool ok_verdict;
static int downs;

/* Invariants of what one call produced; answers auth requests. */
static void check(struct ppp_sess *s, struct ppp_actions *out, uint64_t now)
{
	size_t i;

	if (out->oom)
		abort();
	for (i = 0; i < out->n; i++) {
		const struct ppp_action *a = &out->v[i];
		const uint8_t *f;

		if (downs)
			abort();                /* nothing after DOWN */
		switch (a->type) {
		case PPP_ACT_SEND:
			f = out->buf + a->off;
			if (a->off + a->len > out->blen || a->len < 6 || a->len > PPP_MAX_FRAME)
				abort();
			if ((size_t)(f[4] << 8 | f[5]) != a->len - 2)
				abort();
			if ((uint16_t)(f[0] << 8 | f[1]) != a->proto)
				abort();
			if ((a->chan == PPP_CHAN_CHANNEL) != (a->proto >= 0xc000))
				abort();
			break;
		case PPP_ACT_AUTH_REQUEST:
			if (a->off + a->len > out->blen || a->a_off + a->a_len > out->blen ||
			    a->b_off + a->b_len > out->blen)
				abort();
			if (a->method == PPP_AUTH_MSCHAPV2 &&
			    (a->a_len != MSCHAPV2_RESPONSE_LEN || a->b_len != MSCHAPV2_CHALLENGE_LEN))
				abort();
			break;
		case PPP_ACT_UP:
			if (a->up.ncp == PPP_NCP_IPV6CP) {
				static const uint8_t zero[8];

				if (!a->up.ipv6 || s->ipv6cp.fsm.state != PPP_FSM_OPENED ||
				    memcmp(a->up.local_ifid, zero, 8) == 0)
					abort();
				break;
			}
			if (a->up.peer_ip == 0 || s->ipcp.fsm.state != PPP_FSM_OPENED)
				abort();
			break;
		case PPP_ACT_DOWN:
			if (a->reason == PPP_DOWN_NONE || a->reason >= PPP_DOWN_REASON_COUNT)
				abort();
			downs++;
			break;
		}
	}
	for (i = 0; i < out->n; i++) {
		if (out->v[i].type == PPP_ACT_AUTH_REQUEST && !downs) {
			struct ppp_auth_attrs attrs = { 0 };
			struct ppp_actions more;

			/* MS-CHAPv2: a positive verdict comes with its Authenticator Response */
			attrs.has_auth_resp = true;
			memset(attrs.auth_resp, 0x5a, sizeof(attrs.auth_resp));

			ppp_actions_init(&more);
			ppp_sess_auth_result(s, ok_verdict, "m", &attrs, now, &more);
			check(s, &more, now);
			ppp_actions_free(&more);
			break;
		}
	}
	if (ppp_sess_next_deadline(s) < now)
		abort();                        /* a timer in the past was not run */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ppp_cfg cfg;
	struct ppp_sess s;
	struct ppp_actions out;
	uint8_t rnd = 0;
	uint64_t now = 1000;
	size_t off = 1;

	if (size < 1)
		return 0;
	ppp_cfg_default(&cfg);
	cfg.lcp.rand_bytes = rand_counter;
	cfg.lcp.rand_ctx = &rnd;
	cfg.lcp.echo_interval_ms = 5000;
	cfg.auth.name = "fuzz";
	cfg.ipcp.local_ip = 0x0a000001;
	cfg.ipcp.dns1 = 0x08080808;
	if (data[0] & 1) {
		cfg.lcp.auth[0] = PPP_AUTH_PAP;
		cfg.lcp.n_auth = 1;
	}
	if (data[0] & 2)
		cfg.lcp.n_auth = 0;
	if (data[0] & 4) {
		cfg.lcp.auth[0] = PPP_AUTH_CHAP_MD5;
		cfg.lcp.n_auth = 1;
	}
	if (data[0] & 8) {
		cfg.lcp.auth[0] = PPP_AUTH_MSCHAPV2;
		cfg.lcp.auth[1] = PPP_AUTH_CHAP_MD5;
		cfg.lcp.auth[2] = PPP_AUTH_PAP;
		cfg.lcp.n_auth = 3;
	}
	cfg.ipv6cp.enabled = data[0] & 16;
	cfg.pool = ip_pool_new();
	if (!cfg.pool || ip_pool_add_range(cfg.pool, 0x0a000064, 0x0a000065) != 0)
		abort();
	downs = 0;
	ok_verdict = true;
	ppp_actions_init(&out);
	ppp_sess_init(&s, &cfg);
	ppp_sess_start(&s, now, &out);
	check(&s, &out, now);

	while (off + 2 <= size) {
		uint8_t op = data[off], len = data[off + 1];

		off += 2;
		ok_verdict = op & 4;
		ppp_actions_reset(&out);
		switch (op & 3) {
		case 0:
		case 1:
			if (len > size - off)
				len = (uint8_t)(size - off);
			{
				/* an exact-size copy so ASan sees overreads */
				uint8_t *frame = malloc(len ? len : 1);

				if (!frame)
					abort();
				memcpy(frame, data + off, len);
				ppp_sess_input(&s, frame, len, op & 1, now, &out);
				free(frame);
			}
			off += len;
			break;
		case 2:
			now += (uint64_t)len * 250;
			ppp_sess_tick(&s, now, &out);
			break;
		case 3:
			if (len & 1)
				ppp_sess_lower_down(&s, now, &out);
			else
				ppp_sess_close(&s, PPP_DOWN_ADMIN, now, &out);
			break;
		}
		check(&s, &out, now);
	}
	ppp_sess_fini(&s);
	if (ip_pool_used(cfg.pool) != 0)
		abort();
	ppp_actions_free(&out);
	ip_pool_free(cfg.pool);
	return 0;
}
