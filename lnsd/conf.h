/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lnsd.conf: INI (inih) with sections [lnsd], [l2tp], [ppp], [ipsec],
 * [radius], [peer NAME] and [pseudowire NAME]. conf.c, conf_sections.c, conf_files.c and
 * conf_dump.c implement it (their shared parts: conf_int.h).
 * Every error names FILE:LINE, the section and the key. A loaded
 * configuration is one immutable, reference-counted generation: tunnels
 * keep a reference while their peer_cfg points into it, so a reload
 * (SIGHUP) never pulls settings out from under a live tunnel.
 */
#ifndef LNSD_CONF_H
#define LNSD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "l2tp_lns.h"
#include "ppp_sess.h"
#include "rate_limit.h"

#define CONF_DEFAULT_PATH "/etc/lnsd/lnsd.conf"
#define CONF_DEFAULT_SOCKET "/run/lnsd/lnsd.sock"
#define CONF_ERR_LEN 512

enum conf_dataplane {
	CONF_DP_AUTO,    /* kernel when the probe passes, else control plane only */
	CONF_DP_NONE,    /* control plane only */
	CONF_DP_KERNEL,  /* refuse to start unless the kernel data plane is usable */
};

enum conf_ipsec_mode {
	CONF_IPSEC_OFF,       /* no [ipsec] section, or mode = off: lnsd leaves IPsec alone */
	CONF_IPSEC_REQUIRED,  /* charon over VICI + per-socket ESP policies (fail closed) */
};

#define CONF_DEFAULT_VICI_SOCKET "/var/run/charon.vici"
#define CONF_DEFAULT_IPSEC_REQID 1701
#define CONF_PSK_MAX 1024

/* [ipsec]: what lnsd loads into charon and how it guards its L2TP sockets. */
struct conf_ipsec {
	bool present;                /* the file has an [ipsec] section */
	enum conf_ipsec_mode mode;   /* required when present unless mode = off */
	char *vici_socket;
	char *psk;                   /* from psk, or psk-file's first line; "" = none */
	char *psk_file;              /* "" = none */
	char *proposals;             /* "" = built-in list; else "a,b,c" (IKE) */
	char *esp_proposals;         /* "" = built-in list; else "a,b,c" */
	bool legacy_proposals;       /* append the MODP1024/3DES IKE set (docs/design.md §5.3) */
	uint32_t ike_version;        /* 1 (IKEv1), 2 or 0 (any) */
	uint32_t reqid;              /* static reqid of the CHILD_SA, also in socket policies */
	uint32_t dpd_delay_s;        /* DPD interval; 0 = no DPD (docs/design.md §5.2) */
	uint32_t dpd_timeout_s;      /* IKEv1 DPD timeout; 0 = charon's retransmission timeout */
};

struct conf_cidr {
	uint8_t family;  /* 4 or 6 */
	uint8_t prefix;
	uint8_t addr[16];
};

struct conf_peer {
	char *name;                  /* from [peer NAME] */
	int line;                    /* of the section header */
	char **hostnames;            /* match-hostname globs (fnmatch, case-insensitive) */
	size_t n_hostnames;
	struct conf_cidr *cidrs;     /* match-address */
	size_t n_cidrs;
	char *secret;                /* NULL: inherits [l2tp] secret */
	int hide_avps;               /* -1: inherits [l2tp] hide-avps */
	struct l2tp_peer_cfg pc;     /* what the lib sees, filled after parsing */
	int key_line[8];             /* line each key was set at, 0: not set (set twice?) */
};

/* [ppp] rate-profile = NAME DOWN/UP: what a RADIUS Filter-Id NAME selects. */
struct conf_rate_profile {
	char *name;
	struct rate_limit rate;      /* bits/s, 0 = unlimited */
};

/* [radius] server: one authentication/accounting server, in failover order. */
struct conf_radius_server {
	struct lns_addr addr;        /* address; addr.port is the authentication port */
	uint16_t acct_port;          /* accounting port */
	char *secret;                /* shared secret (everything after the first comma) */
};

/* [radius] dae-clients: who may send Disconnect/CoA requests (RFC 5176). */
struct conf_dae_client {
	struct conf_cidr net;        /* source address or prefix */
	char *secret;                /* shared secret for that client */
};

#define CONF_RADIUS_AUTH_PORT 1812
#define CONF_RADIUS_ACCT_PORT 1813
#define CONF_RADIUS_DAE_PORT 3799

/* [radius]: RADIUS authentication, accounting and dynamic authorization. */
struct lnsd_radius_conf {
	bool enabled;                /* a [radius] section is present (it needs a server) */
	int line;                    /* of the [radius] header, for messages */
	struct conf_radius_server *servers;  /* "server", repeatable, in failover order */
	size_t n_servers;
	char *nas_identifier;        /* NAS-Identifier; "" = the [lnsd] hostname */
	struct lns_addr nas_ip;      /* NAS-IP-Address (family 4) or NAS-IPv6-Address
					(family 6); family 0: not sent */
	uint32_t timeout_s;          /* wait per try, before a retry or the next server
					(whole seconds) */
	uint32_t retries;            /* resends to a server before failing over */
	bool require_msg_auth;       /* drop an Access-Accept/Reject/Challenge without
					a Message-Authenticator (RFC 3579 §3.2) */
	bool accounting;             /* send Accounting-Request Start/Interim/Stop */
	uint32_t interim_interval_s; /* Interim-Update period; 0 = none (Access-Accept's
					Acct-Interim-Interval overrides) */
	struct lns_addr dae_listen;  /* Disconnect/CoA listener; family 0: off */
	struct conf_dae_client *dae_clients;  /* "dae-clients", repeatable */
	size_t n_dae_clients;
	bool dae_require_event_timestamp;    /* drop requests without one (RFC 5176 §6.3) */
};

/*
 * [pseudowire NAME]: one L2TPv3 Ethernet pseudowire (RFC 3931, RFC 4719)
 * to a configured peer, through the kernel's l2tp_eth (docs/design.md §4.8).
 * The enums' values are indexes into lnsd.conf's words for them, not wire
 * values: the engine maps CONF_PW_ETHERNET to Pseudowire Type 5 and
 * CONF_PW_ETHERNET_VLAN to 4.
 */
enum conf_pw_encap { CONF_PW_ENCAP_UDP, CONF_PW_ENCAP_IP };        /* udp, ip (protocol 115) */
enum conf_pw_type { CONF_PW_ETHERNET, CONF_PW_ETHERNET_VLAN };     /* ethernet, ethernet-vlan */
enum conf_pw_l2spec { CONF_PW_L2SPEC_NONE, CONF_PW_L2SPEC_DEFAULT };
/* Control-connection authentication: Message Digest (RFC 3931 §4.3) or the
 * v2-style Challenge/Response some peers use with v3 (docs/design.md §10.4). */
enum conf_pw_auth { CONF_PW_AUTH_NONE, CONF_PW_AUTH_DIGEST, CONF_PW_AUTH_CHALLENGE };
enum conf_pw_digest { CONF_PW_DIGEST_MD5, CONF_PW_DIGEST_SHA1 };
/* Who sends SCCRQ/ICRQ: lnsd dials (initiator), waits (responder), or both
 * (it dials, and a simultaneous open is settled by the Tie Breaker). */
enum conf_pw_role { CONF_PW_ROLE_BOTH, CONF_PW_ROLE_INITIATOR, CONF_PW_ROLE_RESPONDER };

/* lnsd.conf's words for them, indexed by the enums, NULL-terminated (for the dump too). */
extern const char *const conf_pw_encaps[], *const conf_pw_types[], *const conf_pw_l2specs[],
	*const conf_pw_auths[], *const conf_pw_digests[], *const conf_pw_roles[];

#define CONF_PW_END_ID_MAX 64        /* Remote End ID text, bytes */
#define CONF_PW_SECRET_MAX 1024

struct conf_pw {
	char *name;                  /* from [pseudowire NAME] */
	int line;                    /* of the section header */
	struct lns_addr peer;        /* the other LCCE; port 1701 unless given (udp only) */
	bool peer_port_set;          /* peer named a port */
	struct lns_addr local;       /* our address, port 0; family 0: unset */
	enum conf_pw_encap encap;
	enum conf_pw_type type;
	char *remote_end_id;         /* the Remote End ID AVP's bytes (text, like a VC id) */
	uint8_t cookie_len;          /* the cookie we assign: 0, 4 or 8 bytes */
	enum conf_pw_l2spec l2spec;
	bool sequencing;             /* ask for sequence numbers (needs l2spec = default) */
	char ifname[16];             /* "" = the kernel's l2tpethN */
	char bridge[16];             /* "" = none */
	struct conf_cidr address;    /* IPv4 address/prefix on the interface; family 0: none */
	uint32_t mtu;                /* 0 = auto (path MTU minus the overhead) */
	char *secret;                /* from secret, or secret-file's first line; "" = none */
	char *secret_file;           /* "" = none */
	enum conf_pw_auth auth;      /* unset: digest with a secret, else none */
	enum conf_pw_digest digest;
	enum conf_pw_role role;
	uint32_t hello_interval_ms;  /* unset: [l2tp] hello-interval */
	uint32_t retry_min_ms;       /* an initiator's redial backoff: first wait ... */
	uint32_t retry_max_ms;       /* ... doubling up to this */
	bool ipsec;                  /* ESP between the LCCEs, fail closed (docs/design.md §5.6) */
	int key_line[24];            /* line each key was set at, 0: not set (set twice?) */
};

struct lnsd_conf {
	char *path;                  /* file name used in messages ("(embedded)" for the default) */
	/* [lnsd] */
	struct lns_addr *listen;
	size_t n_listen;
	char *control_socket;
	char hostname[64];
	enum conf_dataplane dataplane;
	int log_level;               /* enum log_level */
	struct lns_addr metrics;     /* Prometheus /metrics listener; family 0: off */
	bool metrics_sessions;       /* per-session series too (one set per session) */
	uint32_t listen_rcvbuf;      /* SO_RCVBUF(FORCE) of listeners, bytes; 0: kernel's */
	uint32_t tunnel_rcvbuf;      /* the same for tunnel sockets */
	/* [l2tp] */
	char *secret;                /* "" = no tunnel authentication */
	bool hide_avps;
	uint32_t hello_interval_ms;
	uint32_t retransmit_timeout_ms;
	uint32_t retransmit_cap_ms;
	uint32_t retransmit_retries;
	uint32_t receive_window;
	uint32_t max_tunnels;
	uint32_t max_sessions;
	uint32_t max_half_open;
	uint32_t max_half_open_per_peer;
	uint32_t max_sessions_per_tunnel;
	uint32_t setup_timeout_ms;
	uint32_t stopccn_hold_ms;
	uint32_t max_starting;       /* calls between ICRQ and PPP up at once; 0 = unlimited */
	/* [ppp] */
	enum ppp_auth_method ppp_auth[PPP_AUTH_METHOD_COUNT];   /* preference order */
	uint8_t ppp_n_auth;
	uint32_t ppp_local_ip;       /* host order; 0: unset */
	char *ppp_pool;              /* validated range list; "" = no pool */
	uint32_t ppp_dns[2];         /* host order; 0: unset */
	char *ppp_users_file;        /* "" = none (every authentication fails) */
	uint32_t ppp_mru;            /* [ppp] mtu (or its older name mru); 0: auto, per tunnel */
	bool ppp_mss_clamp;          /* [ppp] mss-clamp: TCP MSS on pppN to the route MTU */
	uint32_t lcp_echo_interval_ms;
	uint32_t lcp_echo_failures;
	char ppp_ifname[16];         /* "" = keep the kernel's pppN; else a template with %d */
	bool ppp_ipv6;               /* run IPV6CP: link-local addresses on pppN */
	struct rate_limit ppp_rate;  /* rate-limit-down/-up: every session's default */
	struct conf_rate_profile *rate_profiles;   /* rate-profile, repeatable */
	size_t n_rate_profiles;
	/* IPv6 for subscribers (lnsd/ipv6.c): "" = no pool; validated prefix lists */
	char ppp_ipv6_pool[256];     /* ipv6-prefix-pool: a /64 per session for the RA */
	char ppp_ipv6_pd_pool[256];  /* ipv6-delegation-pool: DHCPv6 IA_PD */
	uint32_t ppp_ipv6_pd_len;    /* ipv6-delegation-length (default 56) */
	uint8_t ppp_dns6[3][16];     /* ipv6-dns: RDNSS and DHCPv6 DNS servers */
	uint8_t ppp_n_dns6;
	char ppp_ipv6_domains[256];  /* ipv6-domain: "a.net,b.org" (up to 4), DNSSL */
	uint32_t ppp_ipv6_valid_s, ppp_ipv6_preferred_s;   /* prefix lifetimes */
	uint32_t ppp_ipv6_ra_interval_s;                   /* periodic RAs */
	struct conf_ipsec ipsec;
	/* [peer NAME], in file order: the first match wins */
	struct conf_peer *peers;
	size_t n_peers;
	struct l2tp_peer_cfg default_peer;
	/* [radius] */
	struct lnsd_radius_conf radius;
	/* [pseudowire NAME], in file order; names, ifnames and (peer, remote-end-id) unique */
	struct conf_pw *pws;
	size_t n_pws;
	/* private */
	unsigned refs;
	int ipsec_line;              /* of the first [ipsec] header */
	int key_line[128];           /* per key of the table, 0: not set (set twice?) */
};

/* The [ppp] rate-profile of that name: true with its limits (a rate_profile_fn). */
bool conf_rate_profile(void *conf, const char *name, struct rate_limit *out);

/*
 * Read a file that holds secrets ([ppp] users-file, [ipsec] psk-file) into
 * a NUL-terminated malloc'd *out of *len bytes. Refused (-EINVAL, err says
 * why, naming the file) unless it is a regular file that others can neither
 * read nor write (ppp_users_mode_ok()) and at most max bytes; -ENOMEM.
 * The one check for every such file (conf_load_*(), conf_check_files(),
 * the engine's users file).
 */
#define CONF_SECRET_FILE_MAX (64u << 20)
int conf_read_secret_file(const char *path, size_t max, char **out, size_t *len, char *err,
			  size_t errlen);

/* Used when lnsd runs without -c and CONF_DEFAULT_PATH does not exist. */
extern const char conf_embedded_default[];

/*
 * Parse; on failure NULL and err holds one line
 * ("FILE:LINE: [l2tp] retransmit-retries: \"abc\" is not a number").
 * The result has one reference.
 */
struct lnsd_conf *conf_load_file(const char *path, char *err, size_t errlen);
struct lnsd_conf *conf_load_string(const char *text, const char *name, char *err, size_t errlen);
/*
 * The files the configuration names but does not hold: the [ppp]
 * users-file must pass conf_read_secret_file() and parse (the psk-file is
 * read while loading). 0, or an error naming FILE:LINE and the key. Every
 * start (lnsd -t included) and reload calls it, whatever the data plane.
 */
int conf_check_files(const struct lnsd_conf *c, char *err, size_t errlen);
struct lnsd_conf *conf_ref(struct lnsd_conf *c);
void conf_unref(struct lnsd_conf *c);          /* NULL-safe; frees at zero */

/* Settings for the lib (everything but rand_bytes), peer_lookup over c. */
void conf_to_lns_cfg(const struct lnsd_conf *c, struct l2tp_lns_cfg *out);
/*
 * PPP settings for every session (everything but the pool, rand_bytes and
 * auth.name's lifetime: it points into c, which must outlive the sessions).
 */
void conf_to_ppp_cfg(const struct lnsd_conf *c, struct ppp_cfg *out);
/* l2tp_peer_lookup_fn: ctx is the struct lnsd_conf. Never NULL. */
const struct l2tp_peer_cfg *conf_peer_lookup(void *ctx, const struct lns_addr *peer,
					     const char *hostname);
bool conf_cidr_match(const struct conf_cidr *c, const struct lns_addr *a);
/* The peer_cfg of the same name in c (re-resolve after reload), else default. */
const struct l2tp_peer_cfg *conf_peer_by_name(const struct lnsd_conf *c, const char *name);

/* The [pseudowire NAME] section of that name in c, or NULL. */
const struct conf_pw *conf_pw_by_name(const struct lnsd_conf *c, const char *name);
/*
 * Whether two pseudowires (of two generations) have the same settings,
 * name included (line numbers aside): on SIGHUP an unchanged one keeps
 * running, a changed one is restarted (lnsd.conf(5), RELOAD).
 */
bool conf_pw_same(const struct conf_pw *a, const struct conf_pw *b);
/* The first pseudowire sharing pws[i]'s L2TPv3 connection (same encap, peer and local). */
size_t conf_pw_group(const struct lnsd_conf *c, size_t i);

/*
 * Canonical text of the effective configuration (every key, defaults
 * included). CONF_DUMP_REDACT prints every secret (tunnel secrets, PSKs,
 * RADIUS secrets) as CONF_REDACTED.
 */
#define CONF_DUMP_REDACT 1u
#define CONF_REDACTED "<redacted>"
void conf_dump(const struct lnsd_conf *c, FILE *f, unsigned flags);

#endif
