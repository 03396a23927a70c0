// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Several L2TP/IPsec clients behind one NAT (docs/design.md §5.5): every
 * CHILD_SA has its own inbound mark, which charon puts on the datagrams it
 * decrypted (set_mark_in) and lnsd reads with SO_RCVMARK. A tunnel is bound
 * to the CHILD_SA whose mark its SCCRQ carried; its socket sends through that
 * SA only (outbound template with the SA's reqid), and control datagrams of
 * the tunnel are taken only with that mark.
 */
#include "engine_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dp.h"
#include "ipsec.h"
#include "log.h"

#ifndef SO_RCVMARK
#define SO_RCVMARK 75    /* Linux 5.19 */
#endif

static bool per_sa(const struct lnsd_conf *conf)
{
	return conf->ipsec.mode == CONF_IPSEC_REQUIRED;
}

uint32_t eng_ipsec_reqid_in(bool tid_demux, uint32_t reqid_out)
{
	/*
	 * 6.10+: the clients behind one NAT share the 4-tuple, the UDP lookup
	 * hands all their datagrams to one of their sockets and the L2TP layer
	 * routes data by ID after this socket's check: any ESP SA (never
	 * cleartext). Before 6.10 a 4-tuple has one tunnel (eng_ipsec_admit())
	 * and its socket gets every datagram of it: only its own SA, so another
	 * client's data cannot reach its sessions (design.md §5.5).
	 */
	return tid_demux ? 0 : reqid_out;
}

int eng_ipsec_socket(const struct lnsd_conf *conf, int fd, uint8_t family, uint32_t reqid_out)
{
	int one = 1, rc;

	if (!per_sa(conf))
		return 0;
	/* Outbound only the tunnel's own SA (0 on a listener: it sends nothing under IPsec). */
	rc = dp_xfrm_require_esp_split(fd, family == 4 ? AF_INET : AF_INET6,
				       eng_ipsec_reqid_in(dp_l2tp_v2_tid_demux(), reqid_out),
				       reqid_out);
	if (rc < 0)
		return rc;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVMARK, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

int eng_ipsec_reload_check(const struct lnsd_conf *old, const struct lnsd_conf *nc, char *err,
			   size_t errlen)
{
	/* Sockets keep the policies they were opened with: no half-protected mix. */
	if (nc->ipsec.mode != old->ipsec.mode) {
		snprintf(err, errlen, "%s: [ipsec] mode cannot change on reload (restart lnsd)",
			 nc->path);
		return -1;
	}
	return 0;
}

uint32_t eng_ipsec_cmsg_mark(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		uint32_t v;

		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_MARK &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(cm), sizeof(v));
			return v;
		}
	}
	return 0;
}

uint32_t eng_ipsec_bind(struct engine *e, struct eng_tunnel *et, const char *pfx)
{
	const struct ipsec_child *c;

	if (!e->ipsec || !per_sa(e->conf))
		return 0;
	c = ipsec_sa_of(e->ipsec, &et->peer, e->rx_mark);
	if (!c) {
		log_err("%s: no CHILD_SA with mark %#x carries it; it cannot send", pfx,
			e->rx_mark);
		return 0;
	}
	et->ipsec_mark = e->rx_mark;
	log_info("%s: bound to CHILD_SA %llu (IKE_SA %llu, reqid %u, mark %#x)", pfx,
		 (unsigned long long)c->child_id, (unsigned long long)c->ike_id, c->reqid,
		 c->mark_in);
	return c->reqid;
}

/* The Tunnel ID of an L2TPv2 control message, or 0 (an SCCRQ, not control, too short). */
static uint32_t control_tid(const uint8_t *p, size_t len)
{
	size_t off = 2;

	if (len < 6 || !(p[0] & 0x80) || (p[1] & 0x0f) != 2)
		return 0;
	if (p[0] & 0x40)
		off += 2;
	if (len < off + 2)
		return 0;
	return (uint32_t)p[off] << 8 | p[off + 1];
}

/* A live tunnel of another CHILD_SA on the same 4-tuple (local and peer address:port). */
static bool other_on_4tuple(struct engine *e, const struct lns_addr *peer,
			    const struct lns_addr *local, uint32_t mark)
{
	struct l2tp_tun *t;

	L2TP_LNS_FOREACH_TUNNEL(e->lns, t) {
		const struct eng_tunnel *et = t->user;

		if (!et || et->fd < 0 || t->state == L2TP_TUN_DEAD || et->ipsec_mark == mark)
			continue;
		if (lns_addr_eq(&et->peer, peer) && lns_addr_eq(&et->local, local))
			return true;
	}
	return false;
}

bool eng_ipsec_admit(struct engine *e, const struct lns_addr *peer, const struct lns_addr *local,
		     const uint8_t *buf, size_t len)
{
	uint32_t mark = e->rx_mark, tid;
	const struct eng_tunnel *et;
	const struct l2tp_tun *t;
	char as[LNS_ADDR_STRLEN];

	if (!e->ipsec || !per_sa(e->conf))
		return true;
	/*
	 * Mark 0 comes from an SA without a mark: taken only when the peer has
	 * exactly one such child of ours (one from before an upgrade), never
	 * as "any child".
	 */
	if (!ipsec_sa_of(e->ipsec, peer, mark)) {
		e->drops[ENG_DROP_IPSEC_SA]++;
		log_ratelimited(engine_now_ms(), eng_drop_str(ENG_DROP_IPSEC_SA),
				"peer %s: no CHILD_SA with mark %#x known for it; dropped",
				lns_addr_str(peer, as, sizeof(as)), mark);
		return false;
	}
	tid = control_tid(buf, len);
	if (tid) {
		t = l2tp_lns_tunnel(e->lns, tid);
		et = t ? t->user : NULL;
		/* A tunnel bound to the unmarked child takes mark 0 only. */
		if (et && et->ipsec_mark != mark) {
			e->drops[ENG_DROP_IPSEC_SA]++;
			log_ratelimited(engine_now_ms(), eng_drop_str(ENG_DROP_IPSEC_SA),
					"peer %s: tunnel %u belongs to the CHILD_SA with mark %#x, "
					"the datagram came with %#x; dropped",
					lns_addr_str(peer, as, sizeof(as)), tid, et->ipsec_mark,
					mark);
			return false;
		}
		return true;
	}
	if (len >= 2 && (buf[0] & 0x80) && !dp_l2tp_v2_tid_demux() &&
	    other_on_4tuple(e, peer, local, mark)) {
		/* Before Linux 6.10 the second tunnel would take the first one's data. */
		e->drops[ENG_DROP_IPSEC_SA]++;
		log_ratelimited(engine_now_ms(), "ipsec_same_4tuple",
				"peer %s: another client behind the same NAT already has a tunnel "
				"on the same 4-tuple, and this kernel delivers by socket (before "
				"6.10); new tunnel refused", lns_addr_str(peer, as, sizeof(as)));
		return false;
	}
	return true;
}
