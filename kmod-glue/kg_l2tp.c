// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's L2TP genetlink family through libnl-genl-3 (docs/design.md §4.1).
 * Every request goes through kg_l2tp_request(): send, then read replies
 * until the ack (or NLMSG_DONE for a dump), keeping the kernel's errno and
 * extended-ack text rather than libnl's own error codes.
 */
#include "kg_l2tp.h"

#include <netinet/in.h>             /* before linux/l2tp.h, which then skips linux/in.h */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/l2tp.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define KG_L2TP_GENL_VERSION 1      /* L2TP_GENL_VERSION */
#ifndef IPPROTO_L2TP                /* linux/in.h has it, glibc's netinet/in.h does not */
#define IPPROTO_L2TP 115
#endif

typedef int (*kg_reply_fn)(struct nlattr **tb, void *arg);

struct kg_req {
	struct kg_l2tp *kg;
	kg_reply_fn fn;              /* called for every reply message, may be NULL */
	void *arg;
	int err;                     /* 0 or -errno from the kernel (or from fn) */
	int done;
};

/* Attributes of replies we read; the kernel only sends well-formed ones. */
static struct nla_policy kg_l2tp_policy[L2TP_ATTR_MAX + 1] = {
	[L2TP_ATTR_CONN_ID] = { .type = NLA_U32 },
	[L2TP_ATTR_PEER_CONN_ID] = { .type = NLA_U32 },
	[L2TP_ATTR_SESSION_ID] = { .type = NLA_U32 },
	[L2TP_ATTR_PEER_SESSION_ID] = { .type = NLA_U32 },
	[L2TP_ATTR_STATS] = { .type = NLA_NESTED },
	[L2TP_ATTR_PW_TYPE] = { .type = NLA_U16 },
	[L2TP_ATTR_IFNAME] = { .type = NLA_STRING },
	[L2TP_ATTR_SEND_SEQ] = { .type = NLA_U8 },
	[L2TP_ATTR_RECV_SEQ] = { .type = NLA_U8 },
};

static struct nla_policy kg_stats_policy[L2TP_ATTR_STATS_MAX + 1] = {
	[L2TP_ATTR_TX_PACKETS] = { .type = NLA_U64 },
	[L2TP_ATTR_TX_BYTES] = { .type = NLA_U64 },
	[L2TP_ATTR_TX_ERRORS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_PACKETS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_BYTES] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_SEQ_DISCARDS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_OOS_PACKETS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_ERRORS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_COOKIE_DISCARDS] = { .type = NLA_U64 },
	[L2TP_ATTR_RX_INVALID] = { .type = NLA_U64 },
};

/*
 * NLMSGERR_ATTR_MSG of an extended ack. The TLVs follow struct nlmsgerr and,
 * unless the kernel capped the echo (NLM_F_CAPPED), the original request's
 * payload. libnl hands the callback nlmsg_data() of the error message, so
 * its header sits right before it.
 */
static void kg_ext_ack(char *out, size_t outsz, const struct nlmsgerr *e)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	const char *msg;

	out[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (h->nlmsg_len < NLMSG_HDRLEN + off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      (int)(h->nlmsg_len - NLMSG_HDRLEN - off), NULL) < 0 ||
	    !tb[NLMSGERR_ATTR_MSG])
		return;
	msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
	snprintf(out, outsz, "%.*s", (int)strnlen(msg, (size_t)nla_len(tb[NLMSGERR_ATTR_MSG])), msg);
}

static int kg_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct kg_req *r = arg;

	r->err = e->error < 0 ? e->error : -EPROTO;
	kg_ext_ack(r->kg->ext_ack, sizeof(r->kg->ext_ack), e);
	r->done = 1;
	return NL_STOP;
}

static int kg_ack_cb(struct nl_msg *msg, void *arg)
{
	struct kg_req *r = arg;

	r->done = 1;
	return NL_STOP;
}

static int kg_valid_cb(struct nl_msg *msg, void *arg)
{
	struct kg_req *r = arg;
	struct nlattr *tb[L2TP_ATTR_MAX + 1];
	int rc;

	if (!r->fn || r->err)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, L2TP_ATTR_MAX, kg_l2tp_policy) < 0) {
		r->err = -EBADMSG;
		return NL_OK;
	}
	rc = r->fn(tb, r->arg);
	if (rc < 0)
		r->err = rc;
	return NL_OK;
}

/* libnl's own error codes (not errnos) for failures outside the kernel's ack. */
static int kg_nlerr(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_DUMP_INTR:          /* the table changed during a dump: try again */
		return -EAGAIN;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	default:
		return -EIO;
	}
}

/* Sends msg (consumed) and collects replies until the ack or NLMSG_DONE. */
static int kg_l2tp_request(struct kg_l2tp *kg, struct nl_msg *msg, kg_reply_fn fn, void *arg)
{
	struct kg_req r = { .kg = kg, .fn = fn, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int rc;

	kg->ext_ack[0] = '\0';
	if (!cb) {
		rc = -ENOMEM;
		goto out;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, kg_err_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kg_ack_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, kg_ack_cb, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, kg_valid_cb, &r);
	rc = nl_send_auto(kg->sk, msg);
	if (rc < 0) {
		rc = kg_nlerr(rc);
		goto out;
	}
	while (!r.done) {
		rc = nl_recvmsgs(kg->sk, cb);
		if (rc < 0 && !r.done) {
			rc = kg_nlerr(rc);
			goto out;
		}
	}
	rc = r.err;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return rc;
}

static struct nl_msg *kg_msg(struct kg_l2tp *kg, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	/* Ack every request but dumps, which end with NLMSG_DONE instead. */
	if (!(flags & NLM_F_DUMP))
		flags |= NLM_F_ACK;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, kg->family, 0, flags, cmd,
			 KG_L2TP_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int kg_l2tp_open(struct kg_l2tp *kg)
{
	int one = 1;
	int rc;

	memset(kg, 0, sizeof(*kg));
	kg->sk = nl_socket_alloc();
	if (!kg->sk)
		return -ENOMEM;
	if (genl_connect(kg->sk) < 0) {
		rc = -EIO;
		goto fail;
	}
	nl_socket_disable_auto_ack(kg->sk);
	/* Best effort: without it errors just come without text. */
	(void)setsockopt(nl_socket_get_fd(kg->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Dumps of many sessions: don't let replies overrun the default buffer. */
	(void)nl_socket_set_buffer_size(kg->sk, 1 << 20, 1 << 20);
	nl_socket_set_msg_buf_size(kg->sk, 32768);
	kg->family = genl_ctrl_resolve(kg->sk, L2TP_GENL_NAME);
	if (kg->family < 0) {
		rc = -ENOENT;
		goto fail;
	}
	return 0;
fail:
	nl_socket_free(kg->sk);
	kg->sk = NULL;
	kg->family = 0;
	return rc;
}

void kg_l2tp_close(struct kg_l2tp *kg)
{
	if (kg->sk)
		nl_socket_free(kg->sk);
	kg->sk = NULL;
	kg->family = 0;
}

/* One put per line in the callers; nla_put_* fail only when the message is full. */
#define KG_PUT(expr) do { if ((expr) < 0) { rc = -EMSGSIZE; goto out; } } while (0)

int kg_l2tp_tunnel_create_cfg(struct kg_l2tp *kg, const struct kg_l2tp_tunnel_cfg *c)
{
	struct nl_msg *msg;
	int rc;

	if ((c->version != 2 && c->version != 3) ||
	    (c->encap != KG_L2TP_ENCAP_UDP && c->encap != KG_L2TP_ENCAP_IP) ||
	    (c->version == 2 && c->encap != KG_L2TP_ENCAP_UDP) || c->fd < 0)
		return -EINVAL;
	msg = kg_msg(kg, L2TP_CMD_TUNNEL_CREATE, 0);
	if (!msg)
		return -ENOMEM;
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_CONN_ID, c->tid));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_PEER_CONN_ID, c->peer_tid));
	KG_PUT(nla_put_u8(msg, L2TP_ATTR_PROTO_VERSION, c->version));
	KG_PUT(nla_put_u16(msg, L2TP_ATTR_ENCAP_TYPE,
			   c->encap == KG_L2TP_ENCAP_IP ? L2TP_ENCAPTYPE_IP : L2TP_ENCAPTYPE_UDP));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_FD, (uint32_t)c->fd));
	return kg_l2tp_request(kg, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return rc;
}

int kg_l2tp_tunnel_create(struct kg_l2tp *kg, uint32_t tid, uint32_t peer_tid, int fd)
{
	struct kg_l2tp_tunnel_cfg c = { .tid = tid, .peer_tid = peer_tid, .version = 2,
					.encap = KG_L2TP_ENCAP_UDP, .fd = fd };

	return kg_l2tp_tunnel_create_cfg(kg, &c);
}

int kg_l2tp_tunnel_delete(struct kg_l2tp *kg, uint32_t tid)
{
	struct nl_msg *msg = kg_msg(kg, L2TP_CMD_TUNNEL_DELETE, 0);
	int rc;

	if (!msg)
		return -ENOMEM;
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_CONN_ID, tid));
	return kg_l2tp_request(kg, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return rc;
}

int kg_l2tp_session_create(struct kg_l2tp *kg, const struct kg_l2tp_session_cfg *cfg)
{
	struct nl_msg *msg;
	int rc;

	/*
	 * The arrays' bounds only: which settings are valid is lnsd's
	 * dp_session_cfg_check() (dp.h), the one check for every backend.
	 */
	if (cfg->v3 && (cfg->tx_cookie_len > sizeof(cfg->tx_cookie) ||
			cfg->rx_cookie_len > sizeof(cfg->rx_cookie)))
		return -EINVAL;
	msg = kg_msg(kg, L2TP_CMD_SESSION_CREATE, 0);
	if (!msg)
		return -ENOMEM;
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_CONN_ID, cfg->tid));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_PEER_CONN_ID, cfg->peer_tid));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_SESSION_ID, cfg->sid));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_PEER_SESSION_ID, cfg->peer_sid));
	KG_PUT(nla_put_u16(msg, L2TP_ATTR_PW_TYPE, cfg->pw_type ? cfg->pw_type : L2TP_PWTYPE_PPP));
	KG_PUT(nla_put_u8(msg, L2TP_ATTR_LNS_MODE, cfg->lns_mode));
	if (cfg->v3) {
		KG_PUT(nla_put_u8(msg, L2TP_ATTR_L2SPEC_TYPE, cfg->l2spec_type));
		if (cfg->tx_cookie_len)
			KG_PUT(nla_put(msg, L2TP_ATTR_COOKIE, cfg->tx_cookie_len, cfg->tx_cookie));
		if (cfg->rx_cookie_len)
			KG_PUT(nla_put(msg, L2TP_ATTR_PEER_COOKIE, cfg->rx_cookie_len, cfg->rx_cookie));
		if (cfg->ifname)
			KG_PUT(nla_put_string(msg, L2TP_ATTR_IFNAME, cfg->ifname));
	}
	KG_PUT(nla_put_u8(msg, L2TP_ATTR_SEND_SEQ, cfg->send_seq));
	KG_PUT(nla_put_u8(msg, L2TP_ATTR_RECV_SEQ, cfg->recv_seq));
	if (cfg->recv_timeout_ms)
		KG_PUT(nla_put_msecs(msg, L2TP_ATTR_RECV_TIMEOUT, cfg->recv_timeout_ms));
	return kg_l2tp_request(kg, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return rc;
}

int kg_l2tp_session_delete(struct kg_l2tp *kg, uint32_t tid, uint32_t sid)
{
	struct nl_msg *msg = kg_msg(kg, L2TP_CMD_SESSION_DELETE, 0);
	int rc;

	if (!msg)
		return -ENOMEM;
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_CONN_ID, tid));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_SESSION_ID, sid));
	return kg_l2tp_request(kg, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	return rc;
}

static int kg_parse_stats(struct nlattr **tb, struct kg_l2tp_stats *st)
{
	static const struct {
		int attr;
		size_t off;
	} map[] = {
		{ L2TP_ATTR_TX_PACKETS, offsetof(struct kg_l2tp_stats, tx_packets) },
		{ L2TP_ATTR_TX_BYTES, offsetof(struct kg_l2tp_stats, tx_bytes) },
		{ L2TP_ATTR_TX_ERRORS, offsetof(struct kg_l2tp_stats, tx_errors) },
		{ L2TP_ATTR_RX_PACKETS, offsetof(struct kg_l2tp_stats, rx_packets) },
		{ L2TP_ATTR_RX_BYTES, offsetof(struct kg_l2tp_stats, rx_bytes) },
		{ L2TP_ATTR_RX_ERRORS, offsetof(struct kg_l2tp_stats, rx_errors) },
		{ L2TP_ATTR_RX_SEQ_DISCARDS, offsetof(struct kg_l2tp_stats, rx_seq_discards) },
		{ L2TP_ATTR_RX_OOS_PACKETS, offsetof(struct kg_l2tp_stats, rx_oos_packets) },
		{ L2TP_ATTR_RX_COOKIE_DISCARDS, offsetof(struct kg_l2tp_stats, rx_cookie_discards) },
		{ L2TP_ATTR_RX_INVALID, offsetof(struct kg_l2tp_stats, rx_invalid) },
	};
	struct nlattr *sb[L2TP_ATTR_STATS_MAX + 1];
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!tb[L2TP_ATTR_STATS])
		return 0;
	if (nla_parse_nested(sb, L2TP_ATTR_STATS_MAX, tb[L2TP_ATTR_STATS], kg_stats_policy) < 0)
		return -EBADMSG;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sb[map[i].attr])
			*(uint64_t *)((char *)st + map[i].off) = nla_get_u64(sb[map[i].attr]);
	return 0;
}

static uint32_t kg_u32(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u32(tb[attr]) : 0;
}

struct kg_dump_ctx {
	kg_l2tp_tunnel_cb tcb;
	kg_l2tp_session_cb scb;
	void *ctx;
	struct kg_l2tp_stats *single;     /* GET of one object: stats land here */
};

static int kg_tunnel_reply(struct nlattr **tb, void *arg)
{
	struct kg_dump_ctx *d = arg;
	struct kg_l2tp_stats st;
	int rc;

	rc = kg_parse_stats(tb, d->single ? d->single : &st);
	if (rc == 0 && d->tcb)
		d->tcb(d->ctx, kg_u32(tb, L2TP_ATTR_CONN_ID), kg_u32(tb, L2TP_ATTR_PEER_CONN_ID), &st);
	return rc;
}

static int kg_session_reply(struct nlattr **tb, void *arg)
{
	struct kg_dump_ctx *d = arg;
	struct kg_l2tp_stats st;
	int rc;

	rc = kg_parse_stats(tb, d->single ? d->single : &st);
	if (rc == 0 && d->scb)
		d->scb(d->ctx, kg_u32(tb, L2TP_ATTR_CONN_ID), kg_u32(tb, L2TP_ATTR_SESSION_ID),
		       kg_u32(tb, L2TP_ATTR_PEER_SESSION_ID), &st);
	return rc;
}

int kg_l2tp_tunnel_stats(struct kg_l2tp *kg, uint32_t tid, struct kg_l2tp_stats *st)
{
	struct kg_dump_ctx d = { .single = st };
	struct nl_msg *msg = kg_msg(kg, L2TP_CMD_TUNNEL_GET, 0);
	int rc;

	if (!msg)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_CONN_ID, tid));
	return kg_l2tp_request(kg, msg, kg_tunnel_reply, &d);
out:
	nlmsg_free(msg);
	return rc;
}

int kg_l2tp_session_stats(struct kg_l2tp *kg, uint32_t tid, uint32_t sid,
			  struct kg_l2tp_stats *st)
{
	struct kg_dump_ctx d = { .single = st };
	struct nl_msg *msg = kg_msg(kg, L2TP_CMD_SESSION_GET, 0);
	int rc;

	if (!msg)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_CONN_ID, tid));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_SESSION_ID, sid));
	return kg_l2tp_request(kg, msg, kg_session_reply, &d);
out:
	nlmsg_free(msg);
	return rc;
}

static int kg_session_info_reply(struct nlattr **tb, void *arg)
{
	struct kg_l2tp_session_info *in = arg;

	memset(in, 0, sizeof(*in));
	if (tb[L2TP_ATTR_PW_TYPE])
		in->pw_type = nla_get_u16(tb[L2TP_ATTR_PW_TYPE]);
	if (tb[L2TP_ATTR_IFNAME]) {
		const char *n = nla_data(tb[L2TP_ATTR_IFNAME]);

		snprintf(in->ifname, sizeof(in->ifname), "%.*s",
			 (int)strnlen(n, (size_t)nla_len(tb[L2TP_ATTR_IFNAME])), n);
	}
	if (tb[L2TP_ATTR_COOKIE])
		in->tx_cookie_len = (uint8_t)nla_len(tb[L2TP_ATTR_COOKIE]);
	if (tb[L2TP_ATTR_PEER_COOKIE])
		in->rx_cookie_len = (uint8_t)nla_len(tb[L2TP_ATTR_PEER_COOKIE]);
	if (tb[L2TP_ATTR_SEND_SEQ])
		in->send_seq = nla_get_u8(tb[L2TP_ATTR_SEND_SEQ]);
	if (tb[L2TP_ATTR_RECV_SEQ])
		in->recv_seq = nla_get_u8(tb[L2TP_ATTR_RECV_SEQ]);
	return kg_parse_stats(tb, &in->st);
}

int kg_l2tp_session_get(struct kg_l2tp *kg, uint32_t tid, uint32_t sid,
			struct kg_l2tp_session_info *out)
{
	struct nl_msg *msg = kg_msg(kg, L2TP_CMD_SESSION_GET, 0);
	int rc;

	if (!msg)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_CONN_ID, tid));
	KG_PUT(nla_put_u32(msg, L2TP_ATTR_SESSION_ID, sid));
	return kg_l2tp_request(kg, msg, kg_session_info_reply, out);
out:
	nlmsg_free(msg);
	return rc;
}

int kg_l2tp_ip_socket(const struct sockaddr *local, const struct sockaddr *peer, uint32_t conn_id,
		      uint32_t peer_conn_id)
{
	int family = local->sa_family, fd, rc;

	if ((peer && peer->sa_family != family) || (family != AF_INET && family != AF_INET6))
		return -EAFNOSUPPORT;
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_L2TP);
	if (fd < 0)
		return -errno;
	/* bind() first: l2tp_ip refuses connect() on an unbound socket (-EINVAL). */
	if (family == AF_INET) {
		struct sockaddr_l2tpip a = { .l2tp_family = AF_INET, .l2tp_conn_id = conn_id };

		a.l2tp_addr = ((const struct sockaddr_in *)local)->sin_addr;
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
		if (!peer)
			return fd;
		a.l2tp_addr = ((const struct sockaddr_in *)peer)->sin_addr;
		a.l2tp_conn_id = peer_conn_id;
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
	} else {
		const struct sockaddr_in6 *l6 = (const struct sockaddr_in6 *)local;
		const struct sockaddr_in6 *p6 = (const struct sockaddr_in6 *)peer;
		struct sockaddr_l2tpip6 a = { .l2tp_family = AF_INET6, .l2tp_conn_id = conn_id };

		a.l2tp_addr = l6->sin6_addr;
		a.l2tp_scope_id = l6->sin6_scope_id;
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
		if (!p6)
			return fd;
		a.l2tp_addr = p6->sin6_addr;
		a.l2tp_scope_id = p6->sin6_scope_id;
		a.l2tp_conn_id = peer_conn_id;
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
	}
	return fd;
fail:
	rc = -errno;
	close(fd);
	return rc;
}

int kg_l2tp_tunnel_dump(struct kg_l2tp *kg, kg_l2tp_tunnel_cb cb, void *ctx)
{
	struct kg_dump_ctx d = { .tcb = cb, .ctx = ctx };
	struct nl_msg *msg = kg_msg(kg, L2TP_CMD_TUNNEL_GET, NLM_F_DUMP);

	if (!msg)
		return -ENOMEM;
	return kg_l2tp_request(kg, msg, kg_tunnel_reply, &d);
}

int kg_l2tp_session_dump(struct kg_l2tp *kg, kg_l2tp_session_cb cb, void *ctx)
{
	struct kg_dump_ctx d = { .scb = cb, .ctx = ctx };
	struct nl_msg *msg = kg_msg(kg, L2TP_CMD_SESSION_GET, NLM_F_DUMP);

	if (!msg)
		return -ENOMEM;
	return kg_l2tp_request(kg, msg, kg_session_reply, &d);
}

int kg_l2tp_events_open(struct kg_l2tp_events *ev)
{
	int grp, rc;

	ev->fd = -1;
	ev->sk = nl_socket_alloc();
	if (!ev->sk)
		return -ENOMEM;
	if (genl_connect(ev->sk) < 0) {
		rc = -EIO;
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(ev->sk, L2TP_GENL_NAME, L2TP_GENL_MCGROUP);
	if (grp < 0) {
		rc = -ENOENT;
		goto fail;
	}
	if (nl_socket_add_membership(ev->sk, grp) < 0 || nl_socket_set_nonblocking(ev->sk) < 0) {
		rc = -EIO;
		goto fail;
	}
	(void)nl_socket_set_buffer_size(ev->sk, 1 << 20, 0);
	ev->fd = nl_socket_get_fd(ev->sk);
	return 0;
fail:
	nl_socket_free(ev->sk);
	ev->sk = NULL;
	return rc;
}

void kg_l2tp_events_close(struct kg_l2tp_events *ev)
{
	if (ev->sk)
		nl_socket_free(ev->sk);
	ev->sk = NULL;
	ev->fd = -1;
}

struct kg_ev_ctx {
	kg_l2tp_event_cb cb;
	void *ctx;
	int n;
};

/* Notifications carry the sender's sequence numbers, not ours. */
static int kg_no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int kg_event_cb(struct nl_msg *msg, void *arg)
{
	struct kg_ev_ctx *c = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(h);
	struct nlattr *tb[L2TP_ATTR_MAX + 1];

	if (genlmsg_parse(h, 0, tb, L2TP_ATTR_MAX, kg_l2tp_policy) < 0)
		return NL_SKIP;
	c->n++;
	if (c->cb)
		c->cb(c->ctx, g->cmd, kg_u32(tb, L2TP_ATTR_CONN_ID), kg_u32(tb, L2TP_ATTR_SESSION_ID));
	return NL_OK;
}

int kg_l2tp_events_read(struct kg_l2tp_events *ev, kg_l2tp_event_cb cb, void *ctx)
{
	struct kg_ev_ctx c = { .cb = cb, .ctx = ctx };
	struct nl_cb *ncb = nl_cb_alloc(NL_CB_DEFAULT);
	int rc;

	if (!ncb)
		return -ENOMEM;
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, kg_no_seq_check, NULL);
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, kg_event_cb, &c);
	do
		rc = nl_recvmsgs_report(ev->sk, ncb);
	while (rc > 0);
	if (rc == 0 || rc == -NLE_AGAIN)
		rc = c.n;
	else if (rc == -NLE_NOMEM)    /* ENOBUFS from recvmsg: the queue overflowed */
		rc = -ENOBUFS;
	else
		rc = kg_nlerr(rc);
	nl_cb_put(ncb);
	return rc;
}
