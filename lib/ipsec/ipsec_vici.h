/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lnsd says to charon over VICI and what it reads back, without I/O:
 * the load-conn / load-shared / terminate / list-sas requests for the L2TP
 * responder of docs/design.md §5.2, the parse of ike-updown, child-updown,
 * child-rekey, ike-update and list-sa event bodies into flat CHILD_SA
 * records, and the table that ties an L2TP peer (address:port) to its
 * CHILD_SA.
 */
#ifndef LNS_IPSEC_VICI_H
#define LNS_IPSEC_VICI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lns_addr.h"
#include "vici.h"

#define IPSEC_CONN_NAME "lnsd-l2tp"    /* the IKE connection lnsd loads */
#define IPSEC_CHILD_NAME "l2tp"        /* its one CHILD_SA config */
#define IPSEC_PSK_ID "lnsd-psk"        /* load-shared id of the PSK */

/* Built-in proposal lists (docs/design.md §5.3), comma-separated. */
extern const char ipsec_ike_default[];
extern const char ipsec_ike_legacy[];
extern const char ipsec_esp_default[];

struct ipsec_conn_params {
	const char *ike_proposals;   /* "" or NULL: ipsec_ike_default */
	const char *esp_proposals;   /* "" or NULL: ipsec_esp_default */
	bool legacy;                 /* append ipsec_ike_legacy to the IKE list */
	unsigned ike_version;        /* 0 any, 1, 2 */
	uint32_t reqid;              /* unused: every child gets its own (§5.5) */
	unsigned dpd_delay_s;        /* dpd_delay; 0: no DPD */
	unsigned dpd_timeout_s;      /* dpd_timeout (IKEv1 only); 0: not sent, charon's default */
};

/*
 * Request packets; each returns vici_b_finish()'s result, *pkt valid until
 * b is reused. load-conn lists are sent as lists (charon drops the config
 * otherwise).
 */
int ipsec_vici_load_conn(struct vici_builder *b, const struct ipsec_conn_params *p,
			 const uint8_t **pkt, size_t *len);
int ipsec_vici_load_shared(struct vici_builder *b, const char *psk, const uint8_t **pkt,
			   size_t *len);
/* terminate {ike-id, timeout=-1}: charon answers at once and deletes in the background. */
int ipsec_vici_terminate(struct vici_builder *b, uint64_t ike_id, const uint8_t **pkt,
			 size_t *len);
/*
 * list-sas {noblock=yes, ike=IPSEC_CONN_NAME[, ike-id]}: streamed as list-sa
 * events; ike_id 0 lists every IKE_SA of the connection.
 */
int ipsec_vici_list_sas(struct vici_builder *b, uint64_t ike_id, const uint8_t **pkt,
			size_t *len);
int ipsec_vici_register(struct vici_builder *b, const char *event, const uint8_t **pkt,
			size_t *len);

/*
 * A command response: 0 if "success" is "yes"; else -EPROTO with charon's
 * "errmsg" (or a placeholder) in err, as charon sent it: whoever shows it
 * escapes it (stresc.h).
 */
int ipsec_vici_result(const struct vici_node *root, char *err, size_t errlen);

/* One CHILD_SA (or, with child_id 0, an IKE_SA without children) of our connection. */
struct ipsec_child {
	uint64_t ike_id;
	uint64_t child_id;            /* 0: the IKE_SA record itself */
	uint32_t reqid;
	uint32_t mark_in;             /* charon's unique inbound mark, also on decrypted datagrams */
	struct lns_addr remote;       /* IKE peer (public address with NAT); port below */
	uint16_t ts_port;             /* the child's remote TS port: 0 any/range */
	bool natt;                    /* UDP-encapsulated (NAT-T) */
	bool installed;               /* state INSTALLED */
	char cipher[48];              /* "AES_CBC-256/HMAC_SHA1_96", "AES_GCM_16-128"; charon's bytes */
};

/*
 * Walks an event or list-sa body: fn is called once per IKE_SA section of
 * IPSEC_CONN_NAME with child_id 0 (key ""), then once per child in its
 * "child-sas" section; key is that child's section name ("old"/"new" in
 * child-rekey). Returns how many IKE_SA sections matched, or -EBADMSG when
 * one lacks a valid uniqueid or remote-host.
 */
typedef void (*ipsec_child_fn)(void *ctx, const char *key, const struct ipsec_child *c);
int ipsec_vici_each(const struct vici_node *root, ipsec_child_fn fn, void *ctx);

/* "10.0.0.1/32[udp/1701]", "[udp/l2f]", "...[udp]" -> port; 0 for any, a range or no port. */
uint16_t ipsec_ts_port(const char *ts);

/* The CHILD_SAs lnsd knows of, keyed by child id. */
struct ipsec_sa_table {
	struct ipsec_child *v;
	size_t n, cap;
};

/* Insert or replace (same child_id); -ENOMEM. child_id 0 is ignored (0). */
int ipsec_sa_put(struct ipsec_sa_table *t, const struct ipsec_child *c);
/* Remove one child; true if it was there (copied to *out if out). */
bool ipsec_sa_del_child(struct ipsec_sa_table *t, uint64_t child_id, struct ipsec_child *out);
/* Remove every child of an IKE_SA; how many. */
size_t ipsec_sa_del_ike(struct ipsec_sa_table *t, uint64_t ike_id);
/*
 * The CHILD_SA that carries an L2TP peer: same address and a TS port equal
 * to the peer's or 0; an exact port wins over 0, then the newest child.
 * A nonzero mark (the datagram's SO_RCVMARK, or the one a tunnel was bound
 * to) admits only the children with that inbound mark: clients behind one
 * NAT share address and port, never a mark.
 */
const struct ipsec_child *ipsec_sa_for_peer(const struct ipsec_sa_table *t,
					    const struct lns_addr *peer, uint32_t mark);
/*
 * The CHILD_SA that carries a datagram from peer with mark 0: the peer's one
 * child without an inbound mark (one made before lnsd set mark_in=%unique,
 * e.g. before an upgrade), or NULL when it has none or several (their
 * datagrams cannot be told apart). Children with a mark do not count: what
 * they decrypt always carries their mark (docs/design.md §5.5).
 */
const struct ipsec_child *ipsec_sa_unmarked(const struct ipsec_sa_table *t,
					    const struct lns_addr *peer);
/*
 * The child that took over from gone: another child of the same IKE_SA with
 * the same inbound mark and TS port (an IKEv1 rekey, where charon announces
 * the new child with no event; docs/design.md §5.5), the newest; or NULL.
 */
const struct ipsec_child *ipsec_sa_successor(const struct ipsec_sa_table *t,
					     const struct ipsec_child *gone);
void ipsec_sa_clear(struct ipsec_sa_table *t);

/*
 * A pseudowire protected by ESP (docs/design.md §5.6): one IKEv2 connection
 * per [pseudowire] section with ipsec = yes, named IPSEC_PW_PREFIX + the
 * section's name, between the two LCCEs' addresses, a transport-mode child
 * whose traffic selectors are L2TP over IP (protocol 115) or UDP 1701 on
 * both ends, start_action = trap with a static reqid: the pseudowire's own
 * socket templates name that reqid, so the kernel's ACQUIRE for its first
 * SCCRQ reaches charon's trap, which negotiates the SA.
 */
#define IPSEC_PW_PREFIX "lnsd-pw-"
#define IPSEC_PW_CHILD "pw"
#define IPSEC_PW_REQID_BASE 0x10000u   /* + the section's index; charon counts from 1 */

struct ipsec_pw_params {
	const char *name;            /* the [pseudowire NAME]'s NAME */
	struct lns_addr local, peer; /* IKE and ESP endpoints (ports ignored) */
	bool udp;                    /* encap = udp: udp/1701 each end; else protocol 115 */
	uint32_t reqid;              /* static, named by the pseudowire's socket templates */
	const char *ike_proposals;   /* "" or NULL: ipsec_ike_default */
	const char *esp_proposals;   /* "" or NULL: ipsec_esp_default */
};

/* load-conn of one pseudowire's connection; as ipsec_vici_load_conn(). */
int ipsec_vici_load_pw(struct vici_builder *b, const struct ipsec_pw_params *p,
		       const uint8_t **pkt, size_t *len);
/* unload-conn {name}: the connection and its trap go (established SAs stay). */
int ipsec_vici_unload_conn(struct vici_builder *b, const char *name, const uint8_t **pkt,
			   size_t *len);
/* terminate {ike=name, timeout=-1}: every IKE_SA of that connection. */
int ipsec_vici_terminate_conn(struct vici_builder *b, const char *name, const uint8_t **pkt,
			      size_t *len);
/*
 * Walks an event body for IKE_SA sections of pseudowire connections: fn is
 * called once per such section with the pseudowire's name (the section name
 * without IPSEC_PW_PREFIX), the IKE_SA's uniqueid (0 when absent) and how
 * many of its CHILD_SAs are INSTALLED. Returns how many sections matched.
 */
typedef void (*ipsec_pw_fn)(void *ctx, const char *pw, uint64_t ike_id, unsigned installed);
int ipsec_vici_pw_each(const struct vici_node *root, ipsec_pw_fn fn, void *ctx);

#endif
