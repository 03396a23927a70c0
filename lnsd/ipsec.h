/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPsec manager ([ipsec] mode = required): two VICI connections to
 * charon on the libev loop, both nonblocking with one outstanding request
 * each. The command connection loads the PSK (load-shared) and the L2TP
 * responder (load-conn, lib/ipsec/ipsec_vici.c) at start and on every reload,
 * and terminates IKE_SAs whose tunnel ended. The event connection
 * subscribes to ike-updown, child-updown, child-rekey and ike-update and
 * reads the existing SAs with list-sas; a CHILD_SA (or its IKE_SA) going
 * down is reported to the owner of the L2TP tunnels (struct ipsec_hooks),
 * which tears down those it carried. When charon is unreachable
 * or refuses, both connections are closed and retried with exponential
 * backoff (1 s doubling to 30 s); every failure and the recovery are logged.
 */
#ifndef LNSD_IPSEC_H
#define LNSD_IPSEC_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "ipsec_vici.h"

struct ipsec_mgr;

/*
 * What the manager asks of whoever owns the L2TP tunnels (the engine); it
 * knows SAs, not tunnels.
 */
struct ipsec_hooks {
	/*
	 * The CHILD_SA gone (on its own or with its IKE_SA) carried the
	 * traffic of gone->remote (and gone->ts_port when not 0): end the live
	 * tunnels to that peer that no other SA carries now (ipsec_sa_of() is
	 * already without gone). Returns how many were torn down.
	 */
	unsigned (*sa_gone)(void *ctx, const struct ipsec_child *gone, const char *why);
	/* Is SA c still needed: does a live tunnel other than except use it? */
	bool (*sa_in_use)(void *ctx, const struct ipsec_child *c, const struct l2tp_tun *except);
	/*
	 * The IKE_SA or CHILD_SA of a protected pseudowire's connection went
	 * (docs/design.md §5.6): close its L2TPv3 connection; the initiator
	 * redials, and its first SCCRQ brings the SA back through the trap.
	 */
	void (*pw_sa_gone)(void *ctx, const char *pw, const char *why);
	/* charon loaded a protected pseudowire's connection (and its trap): it may dial. */
	void (*pw_ready)(void *ctx);
};

struct ipsec_status {
	bool vici_up;              /* both connections open */
	bool conn_loaded;          /* charon accepted load-shared and load-conn */
	const char *socket;        /* the VICI socket path */
	const char *last_error;    /* "" if none since the last success */
	uint64_t connects;         /* successful (re)connections */
	uint64_t failures;         /* failed attempts and lost connections */
	size_t sas;                /* CHILD_SAs of our connection known now */
	uint64_t child_down_teardowns;   /* tunnels torn down because their SA went */
	uint64_t terminates;       /* terminate requests sent for ended tunnels */
	uint64_t bad_events;       /* events that did not parse */
	uint64_t rekey_successors; /* gone CHILD_SAs whose tunnels followed a successor */
};

/* Starts connecting at once (never blocks); NULL only without memory. */
struct ipsec_mgr *ipsec_new(struct ev_loop *loop, const struct lnsd_conf *conf,
			    const struct ipsec_hooks *hooks, void *ctx);
void ipsec_free(struct ipsec_mgr *m);                     /* NULL-safe */
/* New configuration: the PSK and connection are loaded again (reconnecting if needed). */
void ipsec_reload(struct ipsec_mgr *m, const struct lnsd_conf *conf);
/*
 * A tunnel is being freed: terminate the IKE_SA that carried it, unless
 * another live tunnel still uses it (hooks->sa_in_use).
 */
void ipsec_tunnel_ended(struct ipsec_mgr *m, const struct l2tp_tun *ended, uint32_t mark);
/*
 * The CHILD_SA carrying peer with this mark (a datagram's SO_RCVMARK, the
 * one a tunnel is bound to), or NULL: the child with that inbound mark, for
 * mark 0 the peer's one child without a mark (ipsec_sa_unmarked(),
 * docs/design.md §5.5).
 */
const struct ipsec_child *ipsec_sa_of(const struct ipsec_mgr *m, const struct lns_addr *peer,
				      uint32_t mark);
void ipsec_get_status(const struct ipsec_mgr *m, struct ipsec_status *st);
/*
 * Whether conf needs the manager: [ipsec] mode = required, or a
 * [pseudowire] with ipsec = yes (only the latter's connections are loaded
 * then, not the remote-access responder).
 */
bool ipsec_wanted(const struct lnsd_conf *conf);
/* The static reqid of pseudowire i's connection (its group's first section), 0: none. */
uint32_t ipsec_pw_reqid(const struct lnsd_conf *conf, size_t i);

#endif
