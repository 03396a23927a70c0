/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TPv2 header and control-message codec (RFC 2661 §3, §4). Pure: no I/O.
 * Decoding copies everything it keeps into struct l2tp_msg; no pointer into the
 * packet survives the call. Encoding builds into a caller-owned struct l2tp_mbuf.
 */
#ifndef LNS_L2TP_MSG_H
#define LNS_L2TP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_proto.h"

/* ---- header ---------------------------------------------------------- */

struct l2tp_hdr {
	uint16_t flags;        /* raw first word (T/L/S/O/P bits and version) */
	bool is_ctrl;          /* T */
	bool has_len;          /* L */
	bool has_seq;          /* S */
	bool has_off;          /* O */
	bool prio;             /* P */
	uint8_t version;
	uint16_t length;       /* valid when has_len */
	uint32_t tunnel_id;    /* 16 bits in v2 (l2tp_proto.h: IDs are uint32_t) */
	uint32_t session_id;
	uint16_t ns, nr;       /* valid when has_seq */
	uint16_t offset;       /* valid when has_off: offset size field */
	size_t payload_off;    /* bytes from start of packet to payload/AVPs */
};

/* Why a packet or message was refused; each value is a named drop counter. */
enum l2tp_decode_err {
	L2TP_DEC_OK = 0,
	L2TP_DEC_SHORT,            /* shorter than the header it announces */
	L2TP_DEC_BAD_VERSION,      /* version != 2 (version 3 is not ours yet; 1 is L2F) */
	L2TP_DEC_CTRL_FLAGS,       /* control message without L or S, or with O or P */
	L2TP_DEC_LENGTH_MISMATCH,  /* L bit length disagrees with datagram length */
	L2TP_DEC_AVP_SHORT,        /* AVP length < 6 or beyond the message */
	L2TP_DEC_AVP_RESERVED,     /* reserved AVP bits set with M (§4.1: else skipped as unknown) */
	L2TP_DEC_NO_MSG_TYPE,      /* first AVP is not Message Type (non-ZLB) */
	L2TP_DEC_BAD_AVP_LEN,      /* a known AVP with a length its format forbids */
	L2TP_DEC_HIDDEN_NO_RV,     /* hidden AVP without a preceding Random Vector */
	L2TP_DEC_HIDDEN_NO_SECRET, /* hidden AVP but no secret configured */
	L2TP_DEC_HIDDEN_BAD,       /* hidden AVP whose unhidden length is inconsistent */
	L2TP_DEC_UNKNOWN_MANDATORY,/* unknown AVP (any vendor) with M set: msg->unknown_* say which */
	L2TP_DEC_MISSING_AVP,      /* a mandatory AVP for this message type is absent */
	L2TP_DEC_UNKNOWN_MSG_TYPE, /* Message Type not in RFC 2661; msg->type_mandatory has its M bit */
	L2TP_DEC_ERR_COUNT,
};
const char *l2tp_decode_err_str(enum l2tp_decode_err e);

/*
 * Parse the header of any L2TP datagram (data or control). For control
 * messages also enforces T => L and S, no O or P (RFC 2661 §3.1). A Length
 * beyond the datagram is L2TP_DEC_LENGTH_MISMATCH; bytes after Length are
 * ignored (datagram padding).
 */
enum l2tp_decode_err l2tp_hdr_decode(const uint8_t *pkt, size_t len, struct l2tp_hdr *h);

/* ---- decoded control message ------------------------------------------ */

#define L2TP_NAME_MAX 256       /* strings are NUL-terminated, truncated to fit */
#define L2TP_BLOB_MAX 256
/*
 * RFC 2661 §4.4.3 puts no bound on a Challenge but "one or more octets":
 * any length an AVP can carry is kept, so that any challenge is answered.
 */
#define L2TP_CHALLENGE_MAX (L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN)

struct l2tp_blob {
	uint16_t len;
	uint8_t data[L2TP_BLOB_MAX];
};

struct l2tp_challenge {
	uint16_t len;
	uint8_t data[L2TP_CHALLENGE_MAX];
};

struct l2tp_msg {
	struct l2tp_hdr hdr;
	uint16_t type;               /* enum l2tp_msg_type; L2TP_MSG_ZLB for a ZLB */
	bool type_mandatory;         /* M bit of the Message Type AVP (RFC 2661 §3.2) */
	uint64_t present;            /* bit (1 << avp_type) for each vendor-0 AVP seen, types < 64 */
	uint64_t hidden;             /* same bits, for AVPs that arrived hidden */

	/* Result Code (1): quirky forms accepted; see l2tp_msg_decode(). */
	uint16_t result_code;
	uint16_t error_code;         /* 0 when absent */
	bool has_error_code;
	char error_msg[L2TP_NAME_MAX];

	uint8_t protocol_version, protocol_revision;   /* (2) */
	uint32_t framing_caps, bearer_caps;            /* (3) (4) */
	uint8_t tie_breaker[8];                        /* (5) */
	uint16_t firmware_rev;                         /* (6) */
	char host_name[L2TP_NAME_MAX];                 /* (7) */
	char vendor_name[L2TP_NAME_MAX];               /* (8) */
	uint32_t assigned_tunnel_id;                   /* (9), 16 bits on the wire */
	uint16_t rx_window;                            /* (10) */
	struct l2tp_challenge challenge;               /* (11) */
	uint16_t q931_cause; uint8_t q931_msg;         /* (12) */
	char q931_advisory[L2TP_NAME_MAX];
	uint8_t challenge_response[16];                /* (13) */
	uint32_t assigned_session_id;                  /* (14), 16 bits on the wire */
	uint32_t call_serial;                          /* (15) */
	uint32_t min_bps, max_bps;                     /* (16) (17) */
	uint32_t bearer_type, framing_type;            /* (18) (19) */
	char called_number[L2TP_NAME_MAX];             /* (21) */
	char calling_number[L2TP_NAME_MAX];            /* (22) */
	char sub_address[L2TP_NAME_MAX];               /* (23) */
	uint32_t tx_connect_speed;                     /* (24) */
	uint32_t phys_channel_id;                      /* (25) */
	struct l2tp_blob initial_rcvd_lcp_confreq;     /* (26) */
	struct l2tp_blob last_sent_lcp_confreq;        /* (27) */
	struct l2tp_blob last_rcvd_lcp_confreq;        /* (28) */
	uint16_t proxy_authen_type;                    /* (29) */
	char proxy_authen_name[L2TP_NAME_MAX];         /* (30) */
	struct l2tp_blob proxy_authen_challenge;       /* (31) */
	uint16_t proxy_authen_id;                      /* (32) */
	struct l2tp_blob proxy_authen_response;        /* (33) */
	struct {                                       /* (34) */
		uint32_t crc, framing, hw_overruns, buf_overruns, timeout, alignment;
	} call_errors;
	uint32_t accm_send, accm_recv;                 /* (35) */
	struct l2tp_blob random_vector;                /* (36), the last one seen */
	struct l2tp_blob private_group_id;             /* (37) */
	uint32_t rx_connect_speed;                     /* (38) */
	/* (39) Sequencing Required: present bit only */

	/* Set with L2TP_DEC_UNKNOWN_MANDATORY (and L2TP_DEC_AVP_RESERVED). */
	uint16_t unknown_vendor, unknown_type;
	/* Set with L2TP_DEC_MISSING_AVP: the first absent mandatory AVP type. */
	uint16_t missing_avp;
	/* Count of non-mandatory AVPs skipped (unknown vendor or type). */
	uint16_t skipped_avps;
};

static inline bool l2tp_msg_has(const struct l2tp_msg *m, enum l2tp_avp_type t)
{
	return (m->present >> t) & 1u;
}

/*
 * Decode one control message (header included). secret/secret_len may be
 * NULL/0; then a hidden AVP yields L2TP_DEC_HIDDEN_NO_SECRET.
 *
 * Hidden AVPs (RFC 2661 §4.3) are unhidden with MD5 over (type, secret, RV)
 * with the type in network order as the RFC says; when the unhidden original
 * length does not fit, it retries with the byte-swapped type (peers that hash
 * the type in host order; xl2tpd, measured, does not: docs/design.md §6.1).
 *
 * Result Code: the 2-byte form (no error code, MikroTik) and Apple's form with
 * the error code byte-swapped (an error code >= 256 whose swap is a known
 * code) are accepted and normalised.
 *
 * Checks: mandatory AVPs per message type (RFC 2661 §6); an unknown message
 * type or AVP with M set is reported with the error, and as much of the
 * message as could be decoded (header, type, assigned IDs) is still filled in
 * so that the caller can answer with StopCCN/CDN.
 */
enum l2tp_decode_err l2tp_msg_decode(const uint8_t *pkt, size_t len,
				     const uint8_t *secret, size_t secret_len,
				     struct l2tp_msg *m);

/* Which scope a message belongs to, for the error answer: tunnel (StopCCN) or session (CDN). */
bool l2tp_msg_is_session_scope(uint16_t type);
const char *l2tp_msg_type_str(uint16_t type);
const char *l2tp_avp_type_str(uint16_t type);
const char *l2tp_result_str(uint16_t msg_type, uint16_t result);  /* StopCCN or CDN table */
const char *l2tp_error_str(uint16_t error);

/* ---- encoder --------------------------------------------------------- */

struct l2tp_mbuf {
	uint8_t data[L2TP_MAX_MSG];
	size_t len;
	bool overflow;            /* set when an AVP or an ID did not fit; message is unusable */
	/* hiding state: set by l2tp_mb_hide_begin() */
	const uint8_t *secret;
	size_t secret_len;
	uint8_t rv[16];           /* the Random Vector last put in this message */
	bool have_rv;
};

/*
 * Start a control message: 12-byte header (T, L, S, version 2) with Ns and
 * Nr 0 (l2tp_rel writes bytes 8..11 on each transmission), then the Message
 * Type AVP. The Length field is kept current by every l2tp_mb_* call.
 * type L2TP_MSG_ZLB produces a bare 12-byte header. A Tunnel or Session ID
 * above L2TP_V2_ID_MAX sets overflow: it is never truncated to 16 bits.
 */
void l2tp_mb_begin(struct l2tp_mbuf *b, uint32_t tunnel_id, uint32_t session_id, uint16_t type);
void l2tp_mb_u8(struct l2tp_mbuf *b, bool mand, uint16_t type, uint8_t v);
void l2tp_mb_u16(struct l2tp_mbuf *b, bool mand, uint16_t type, uint16_t v);
void l2tp_mb_u32(struct l2tp_mbuf *b, bool mand, uint16_t type, uint32_t v);
void l2tp_mb_bytes(struct l2tp_mbuf *b, bool mand, uint16_t type, const void *v, size_t len);
void l2tp_mb_str(struct l2tp_mbuf *b, bool mand, uint16_t type, const char *s);
/*
 * Assigned Tunnel ID or Assigned Session ID (RFC 2661 §4.4.3, §4.4.4): a
 * 16-bit value in v2; an id above L2TP_V2_ID_MAX sets overflow instead of
 * going out truncated. l2tp_mb_id_hidden: the same, hidden (see below).
 */
void l2tp_mb_id(struct l2tp_mbuf *b, bool mand, uint16_t type, uint32_t id);
/* Result Code AVP: result, error code, optional message (NULL for none). */
void l2tp_mb_result(struct l2tp_mbuf *b, uint16_t result, uint16_t error, const char *msg);
void l2tp_mb_protocol_version(struct l2tp_mbuf *b);   /* 1.0 */

/*
 * Hiding. l2tp_mb_random_vector() appends a Random Vector AVP with the given
 * 16 random bytes (callers pass bytes from their RNG; lib has none) and arms
 * hiding with secret. The *_hidden variants then hide the value (RFC 2661
 * §4.3, type hashed in network order) with the 2-byte original length and
 * no padding. Calling them before l2tp_mb_random_vector() sets overflow.
 */
void l2tp_mb_random_vector(struct l2tp_mbuf *b, const uint8_t rv[16],
			   const uint8_t *secret, size_t secret_len);
void l2tp_mb_bytes_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type,
			  const void *v, size_t len);
void l2tp_mb_u16_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type, uint16_t v);
void l2tp_mb_id_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type, uint32_t id);
void l2tp_mb_u32_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type, uint32_t v);
void l2tp_mb_str_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type, const char *s);

/* ---- tunnel authentication (RFC 2661 §4.2, §5.1.1) ---------------------- */

/* response = MD5(chap_id || secret || challenge), chap_id = message type of the response. */
void l2tp_challenge_response(uint8_t chap_id, const uint8_t *secret, size_t secret_len,
			     const uint8_t *challenge, size_t challenge_len, uint8_t out[16]);

/*
 * Hidden AVP transforms, exposed for tests (RFC 2661 §4.3). type in host order.
 * unhide: in is the hidden subfield (2-byte original length, value, padding);
 * out (room for in_len bytes) gets the value and *out_len its original length;
 * -EBADMSG when that length does not fit. swap_type hashes the byte-swapped type
 * (xl2tpd). hide: in is the value; out gets in_len + 2 bytes (length, value).
 */
int l2tp_avp_unhide(uint16_t type, bool swap_type, const uint8_t *secret, size_t secret_len,
		    const uint8_t *rv, size_t rv_len, const uint8_t *in, size_t in_len,
		    uint8_t *out, size_t *out_len);
void l2tp_avp_hide(uint16_t type, const uint8_t *secret, size_t secret_len,
		   const uint8_t *rv, size_t rv_len, const uint8_t *in, size_t in_len,
		   uint8_t *out);

#endif
