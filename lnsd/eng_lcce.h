/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's L2TPv3 side (docs/design.md §10.6): one lib/l2tp LCCE built
 * from the [pseudowire NAME] sections, fed by the shared UDP listener (v3
 * control messages, told apart by the header's version) and by an L2TP/IP
 * (protocol 115) listener per local address of an encap = ip pseudowire;
 * its actions go to the data plane (dp.h: v3 tunnels, l2tp_eth sessions
 * and their interfaces). Owned by the engine (engine_int.h: e->lcce).
 */
#ifndef LNSD_ENG_LCCE_H
#define LNSD_ENG_LCCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "lns_addr.h"

struct engine;
struct lnsd_conf;
struct eng_lcce;

/*
 * The LCCE for conf's pseudowires (conf->n_pws > 0), listeners opened and
 * the initiators' dialling started; NULL with err on failure.
 */
struct eng_lcce *eng_lcce_new(struct engine *e, struct lnsd_conf *conf, char *err,
			      size_t errlen);
/* StopCCN to every peer (sent once), kernel objects deleted, sockets closed; NULL-safe. */
void eng_lcce_free(struct eng_lcce *l);
/* A v3 datagram read on a UDP listener of the engine. */
void eng_lcce_input_udp(struct eng_lcce *l, const struct lns_addr *peer,
			const struct lns_addr *local, const uint8_t *pkt, size_t len);
/*
 * The SA of the protected pseudowire named pw (or of its connection's first
 * section) went: its L2TPv3 connection is closed (docs/design.md §5.6). NULL-safe.
 */
void eng_lcce_ipsec_down(struct eng_lcce *l, const char *pw, const char *why);
/*
 * charon has the protected pseudowires' connections and traps: the dialling
 * held since eng_lcce_new() starts (docs/design.md §5.6). NULL-safe.
 */
void eng_lcce_ipsec_ready(struct eng_lcce *l);
/* Whether conf's pseudowires differ from those l runs (reload restarts them then). */
bool eng_lcce_conf_changed(const struct eng_lcce *l, const struct lnsd_conf *conf);

/* One pseudowire as lnsctl show pseudowires and /metrics see it. */
struct eng_pw_info {
	const char *name;
	struct lns_addr peer;
	const char *encap;            /* "udp", "ip" */
	uint16_t pw_type;             /* RFC 3931 Pseudowire Type: 5 Ethernet, 4 Ethernet VLAN */
	const char *state;            /* "idle", "connecting", "calling", "up", "closing" */
	const char *remote_end_id;
	const char *ifname;           /* "" until the kernel session exists */
	int ifindex;                  /* 0 until then */
	uint8_t cookie_len;           /* ours (required on receipt) */
	uint8_t peer_cookie_len;      /* the peer's (sent) */
	uint32_t ccid, peer_ccid, sid, peer_sid;   /* 0: none */
	bool local_up, remote_up;     /* circuit status */
	uint64_t ups;                 /* times it was established */
	uint64_t kernel_failures;     /* kernel session or tunnel creations that failed */
	uint64_t up_since_ms;         /* engine_now_ms() when it came up; 0 when not up */
	struct dp_stats st;           /* kernel counters (zeros without the kernel data plane) */
};
size_t eng_lcce_n_pws(const struct eng_lcce *l);   /* NULL-safe: 0 */
/* i < eng_lcce_n_pws(); the counters read from the data plane now. */
void eng_lcce_pw_info(struct eng_lcce *l, size_t i, struct eng_pw_info *out);
/*
 * One v3 control connection as lnsctl show tunnels sees it, beside the v2
 * tunnels: the one with the lowest Control Connection ID >= from (a cursor
 * that survives connections coming and going), closing ones only if asked.
 * false when there is none; NULL-safe.
 */
struct eng_cc_info {
	uint32_t ccid, peer_ccid;
	const char *state;            /* l2tp_cc_state_str() */
	const char *phase;            /* "starting", "established", "finishing" */
	const char *encap;            /* "udp", "ip" */
	const char *name;             /* the first [pseudowire] section to that peer */
	struct lns_addr peer, local;  /* port 0 over IP */
	const char *peer_hostname;
	size_t pws, pws_up;           /* calls on it, established calls */
	uint64_t created_ms;          /* engine_now_ms() at its first message; 0: unknown */
	struct dp_stats st;           /* its pseudowires' kernel counters, summed */
};
bool eng_lcce_cc_info(struct eng_lcce *l, uint64_t from, bool closing, struct eng_cc_info *out);
/* Connections not closing (the shutdown's count); NULL-safe: 0. */
size_t eng_lcce_n_ccs(const struct eng_lcce *l);
/* The lib's counters (l2tp_lcce.h), NULL without pseudowires. */
const struct l2tp_lcce_stats *eng_lcce_stats(const struct eng_lcce *l);

#endif
