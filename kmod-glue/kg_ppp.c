// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PPPoL2TP socket plus /dev/ppp channel and unit (docs/design.md §4.3):
 * connect the PPPoX socket to the kernel session, attach a /dev/ppp fd to
 * its channel, create pppN on a second /dev/ppp fd and connect the two.
 */
#include "kg_ppp.h"
#include "kg_rtnl.h"

#include <netinet/in.h>             /* before the UAPI headers, which then skip their copies */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_pppox.h>
#include <linux/ppp-ioctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_PPPOX
#define AF_PPPOX 24
#endif

void kg_ppp_init(struct kg_ppp *p)
{
	memset(p, 0, sizeof(*p));
	p->pppox_fd = -1;
	p->chan_fd = -1;
	p->unit_fd = -1;
	p->unit = -1;
}

void kg_ppp_close(struct kg_ppp *p)
{
	/* Unit first so pppN goes away with its channel, then the session socket. */
	if (p->unit_fd >= 0)
		close(p->unit_fd);
	if (p->chan_fd >= 0)
		close(p->chan_fd);
	if (p->pppox_fd >= 0)
		close(p->pppox_fd);
	kg_ppp_init(p);
}

/* L2TPv2 ids are 16 bits on the wire; the genetlink side carries u32. */
static int kg_ppp_connect(int fd, int tunnel_fd, const struct sockaddr *peer, socklen_t peer_len,
			  uint32_t tid, uint32_t peer_tid, uint32_t sid, uint32_t peer_sid)
{
	union {                      /* the sockaddrs are packed: align them for connect() */
		struct sockaddr sa;
		struct sockaddr_pppol2tp a4;
		struct sockaddr_pppol2tpin6 a6;
	} u;
	socklen_t len;

	if (tid > 0xffff || peer_tid > 0xffff || sid > 0xffff || peer_sid > 0xffff)
		return -ERANGE;
	memset(&u, 0, sizeof(u));
	if (peer->sa_family == AF_INET && peer_len >= sizeof(struct sockaddr_in)) {
		u.a4.sa_family = AF_PPPOX;
		u.a4.sa_protocol = PX_PROTO_OL2TP;
		u.a4.pppol2tp.fd = tunnel_fd;
		memcpy(&u.a4.pppol2tp.addr, peer, sizeof(u.a4.pppol2tp.addr));
		u.a4.pppol2tp.s_tunnel = (uint16_t)tid;
		u.a4.pppol2tp.s_session = (uint16_t)sid;
		u.a4.pppol2tp.d_tunnel = (uint16_t)peer_tid;
		u.a4.pppol2tp.d_session = (uint16_t)peer_sid;
		len = sizeof(u.a4);
	} else if (peer->sa_family == AF_INET6 && peer_len >= sizeof(struct sockaddr_in6)) {
		u.a6.sa_family = AF_PPPOX;
		u.a6.sa_protocol = PX_PROTO_OL2TP;
		u.a6.pppol2tp.fd = tunnel_fd;
		memcpy(&u.a6.pppol2tp.addr, peer, sizeof(u.a6.pppol2tp.addr));
		u.a6.pppol2tp.s_tunnel = (uint16_t)tid;
		u.a6.pppol2tp.s_session = (uint16_t)sid;
		u.a6.pppol2tp.d_tunnel = (uint16_t)peer_tid;
		u.a6.pppol2tp.d_session = (uint16_t)peer_sid;
		len = sizeof(u.a6);
	} else {
		return -EAFNOSUPPORT;
	}
	return connect(fd, &u.sa, len) < 0 ? -errno : 0;
}

static int kg_ppp_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int kg_ppp_open(struct kg_ppp *p, int tunnel_fd, const struct sockaddr *peer,
		socklen_t peer_len, uint32_t tid, uint32_t peer_tid, uint32_t sid,
		uint32_t peer_sid)
{
	return kg_ppp_open_named(p, NULL, NULL, tunnel_fd, peer, peer_len, tid, peer_tid, sid,
				 peer_sid);
}

/* The unit on p->unit_fd, named name by rtnetlink: 0, or -errno with p->unit_fd reopened. */
static int kg_ppp_newlink(struct kg_ppp *p, struct kg_rtnl *rt, const char *name)
{
	int rc = kg_rtnl_ppp_newlink(rt, p->unit_fd, name);

	if (rc == 0) {
		if (ioctl(p->unit_fd, PPPIOCGUNIT, &p->unit) < 0)
			return -errno;     /* a unit we cannot number: fail the call */
		p->named = 1;
		snprintf(p->ifname, sizeof(p->ifname), "%s", name);
		return 0;
	}
	/* refused: a fresh fd for PPPIOCNEWUNIT */
	close(p->unit_fd);
	p->unit_fd = open("/dev/ppp", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	return p->unit_fd < 0 ? -errno : 1;
}

int kg_ppp_open_named(struct kg_ppp *p, struct kg_rtnl *rt, const char *name, int tunnel_fd,
		      const struct sockaddr *peer, socklen_t peer_len, uint32_t tid,
		      uint32_t peer_tid, uint32_t sid, uint32_t peer_sid)
{
	int chan = -1;
	int rc;

	kg_ppp_init(p);
	p->pppox_fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	if (p->pppox_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = kg_ppp_connect(p->pppox_fd, tunnel_fd, peer, peer_len, tid, peer_tid, sid, peer_sid);
	if (rc < 0)
		goto fail;
	rc = kg_ppp_nonblock(p->pppox_fd);
	if (rc < 0)
		goto fail;
	if (ioctl(p->pppox_fd, PPPIOCGCHAN, &chan) < 0) {
		rc = -errno;
		goto fail;
	}
	p->chan_fd = open("/dev/ppp", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (p->chan_fd < 0 || ioctl(p->chan_fd, PPPIOCATTCHAN, &chan) < 0) {
		rc = -errno;
		goto fail;
	}
	p->unit_fd = open("/dev/ppp", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (p->unit_fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = rt && name ? kg_ppp_newlink(p, rt, name) : 1;
	if (rc < 0)
		goto fail;
	if (rc > 0 && ioctl(p->unit_fd, PPPIOCNEWUNIT, &p->unit) < 0) {
		rc = -errno;
		goto fail;
	}
	if (ioctl(p->chan_fd, PPPIOCCONNECT, &p->unit) < 0) {
		rc = -errno;
		goto fail;
	}
	if (!p->named)
		snprintf(p->ifname, sizeof(p->ifname), "ppp%d", p->unit);
	return 0;
fail:
	kg_ppp_close(p);
	return rc;
}
