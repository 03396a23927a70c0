/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TP header and control-message codec: L2TPv2 (RFC 2661 §3, §4) and
 * L2TPv3 (RFC 3931 §3, §4, §5; one AVP walker, parameterised by version).
 * Pure: no I/O.
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

/* How a v3 datagram travels (RFC 3931 §4.1): over UDP, or straight over IP (protocol 115). */
enum l2tp_encap {
	L2TP_ENCAP_UDP = 0,
	L2TP_ENCAP_IP = 1,
};

struct l2tp_hdr {
	size_t ctrl_off;       /* where the flags word starts: 4 for v3 over IP, else 0 */
	uint16_t flags;        /* raw first word (T/L/S/O/P bits and version) */
	bool is_ctrl;          /* T */
	bool has_len;          /* L */
	bool has_seq;          /* S */
	bool has_off;          /* O */
	bool prio;             /* P */
	uint8_t version;
	uint16_t length;       /* valid when has_len */
	uint32_t tunnel_id;    /* 16 bits in v2; v3: the Control Connection ID */
	uint32_t session_id;   /* v3: the data message's Session ID, 0 for control */
	uint16_t ns, nr;       /* valid when has_seq */
	uint16_t offset;       /* valid when has_off: offset size field */
	size_t payload_off;    /* bytes from start of packet to payload/AVPs (v3 data: to the cookie) */
};

/* Why a packet or message was refused; each value is a named drop counter. */
enum l2tp_decode_err {
	L2TP_DEC_OK = 0,
	L2TP_DEC_SHORT,            /* shorter than the header it announces */
	L2TP_DEC_BAD_VERSION,      /* not the version the decoder was called for (1 is L2F) */
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
	/* L2TPv3 (RFC 3931) only. */
	L2TP_DEC_BAD_ID,           /* an ID of 0 where §5.4.3/§5.4.4 forbid it; msg->bad_id_avp says where */
	L2TP_DEC_BAD_COOKIE,       /* Assigned Cookie not 0, 4 or 8 bytes (§5.4.4) */
	L2TP_DEC_NO_DIGEST,        /* authentication on, no Message Digest AVP right after Message Type */
	L2TP_DEC_BAD_DIGEST,       /* Message Digest wrong, of an unknown type or of the wrong length */
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
#define L2TP_PW_CAPS_MAX 32

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
	uint64_t present_hi;         /* bit (1 << (avp_type - 64)), types 64..127 (v3) */
	uint64_t hidden;             /* same bits as present, for AVPs that arrived hidden */

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

	/* L2TPv3 (RFC 3931 §5.4). The v3 decoder also copies (61) into
	 * assigned_tunnel_id and (63) into assigned_session_id, so that code shared
	 * with v2 finds the peer's IDs where it looks for them. */
	uint8_t digest_type;                           /* (59) enum l2tp_digest_type */
	uint8_t digest_len;                            /* 16 or 20 */
	uint8_t digest[L2TP_DIGEST_MAX];
	uint32_t router_id;                            /* (60) */
	uint32_t assigned_ccid;                        /* (61) */
	uint16_t n_pw_caps;                            /* (62): count on the wire */
	uint16_t pw_caps[L2TP_PW_CAPS_MAX];            /*       the first L2TP_PW_CAPS_MAX */
	uint32_t local_session_id;                     /* (63) the sender's */
	uint32_t remote_session_id;                    /* (64) ours as the sender knows it, 0 if not yet */
	uint8_t cookie_len;                            /* (65) 0, 4 or 8 */
	uint8_t cookie[L2TP_V3_COOKIE_MAX];
	struct l2tp_blob remote_end_id;                /* (66) */
	uint16_t pw_type;                              /* (68) enum l2tp_pw_type */
	uint16_t l2_sublayer;                          /* (69) enum l2tp_l2_sublayer */
	uint16_t data_sequencing;                      /* (70) enum l2tp_data_seq */
	uint16_t circuit_status;                       /* (71) enum l2tp_circuit_status_bit */
	char preferred_language[L2TP_NAME_MAX];        /* (72) */
	struct l2tp_blob auth_nonce;                   /* (73) */
	uint64_t tx_speed, rx_speed;                   /* (74) (75) bits per second */
	/* Set with L2TP_DEC_BAD_ID: the AVP (or 0 for the data header) whose ID was 0. */
	uint16_t bad_id_avp;
	/* v3: the Message Digest was checked with a secret and matched. */
	bool digest_ok;

	/* Set with L2TP_DEC_UNKNOWN_MANDATORY (and L2TP_DEC_AVP_RESERVED). */
	uint16_t unknown_vendor, unknown_type;
	/* Set with L2TP_DEC_MISSING_AVP: the first absent mandatory AVP type. */
	uint16_t missing_avp;
	/* Count of non-mandatory AVPs skipped (unknown vendor or type). */
	uint16_t skipped_avps;
};

static inline bool l2tp_msg_has(const struct l2tp_msg *m, enum l2tp_avp_type t)
{
	if (t >= 64)
		return (m->present_hi >> (t - 64)) & 1u;
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

/* ---- L2TPv3 (RFC 3931) ------------------------------------------------- */

/*
 * Control message authentication (§4.3, §5.4.1). secret NULL: no digest is
 * checked (a Message Digest AVP is then only length-checked). Nonces are the
 * Control Message Authentication Nonce values of the two sides: the sender's
 * (the peer's, when decoding) and the receiver's. A NULL peer_nonce is taken
 * from the message itself when it carries one (the SCCRP that brings it).
 * required: a message without a digest is L2TP_DEC_NO_DIGEST.
 */
struct l2tp_v3_auth {
	const uint8_t *secret;
	size_t secret_len;
	const uint8_t *peer_nonce;
	size_t peer_nonce_len;
	const uint8_t *our_nonce;
	size_t our_nonce_len;
	bool required;
};

/*
 * Parse a v3 header (§4.1, §3.2). Over IP: a zero first word is a control
 * message (h->ctrl_off 4, then the UDP layout), anything else is a data
 * message with that Session ID (payload_off 4). Over UDP: T set is a control
 * message (L and S required, version 3), T clear a data message (version 3,
 * reserved word, non-zero Session ID; payload_off 8). The x bits are ignored
 * on receipt (§3.2.1). Length counts from ctrl_off.
 */
enum l2tp_decode_err l2tp_v3_hdr_decode(const uint8_t *pkt, size_t len, enum l2tp_encap encap,
					struct l2tp_hdr *h);

/*
 * Decode one v3 control message (the whole datagram, zero Session ID
 * included over IP). auth may be NULL (no authentication). The checks of
 * l2tp_msg_decode() plus: v3 message types and mandatory AVPs (§6), v3 AVP
 * formats, IDs that must not be 0, cookie lengths, and the Message Digest.
 * AVPs with the M bit clear are accepted as long as they are known (freeRtr
 * clears M on AVPs 60..71, docs/design.md §6.2); an unknown AVP with M set
 * is L2TP_DEC_UNKNOWN_MANDATORY. A v2 Challenge (11) and Challenge Response
 * (13) are decoded as in v2 (freeRtr authenticates v3 that way).
 */
enum l2tp_decode_err l2tp_v3_msg_decode(const uint8_t *pkt, size_t len, enum l2tp_encap encap,
					const struct l2tp_v3_auth *auth, struct l2tp_msg *m);

/*
 * The Message Digest of a v3 control message (§4.3): with Shared-Key =
 * HMAC-MD5(secret, 0x02) for both types (as Wireshark; docs/design.md §10.3),
 *   digest = HMAC_Hash(Shared-Key, [snd_nonce || rcv_nonce ||] message)
 * where message starts at the T bit (not the zero Session ID of IP
 * encapsulation) and its digest bytes, at digest_off, are taken as zero.
 * The nonces are left out of an SCCRQ's digest and whenever one of them is
 * not known (as Wireshark does; docs/design.md §10.3). Returns the digest
 * length (16 or 20), or 0 for an unknown type or a digest_off past the end.
 */
size_t l2tp_v3_digest(enum l2tp_digest_type type, const uint8_t *secret, size_t secret_len,
		      const uint8_t *snd_nonce, size_t snd_nonce_len,
		      const uint8_t *rcv_nonce, size_t rcv_nonce_len,
		      const uint8_t *msg, size_t msg_len, size_t digest_off,
		      uint8_t out[L2TP_DIGEST_MAX]);

/*
 * Quick classification of a datagram on a v3 socket, before any decoding
 * (§4.1): true for a data message, with its Session ID in *session_id (0 when
 * the datagram is too short or, over UDP, not version 3: such a datagram is
 * neither, and l2tp_v3_hdr_decode() says why).
 */
bool l2tp_v3_is_data(const uint8_t *pkt, size_t len, enum l2tp_encap encap,
		     uint32_t *session_id);

/*
 * What to answer a v3 message that failed to decode (RFC 3931 §5.4.2, §4.3):
 * nothing (send false: a header that cannot be trusted, a message that fails
 * authentication other than an SCCRQ, an unknown message type without M), a
 * StopCCN for control-connection messages, a CDN for session messages, with
 * result and error codes. Also defined for L2TP_DEC_OK (send false).
 * auth_on: the control connection authenticates its messages; then a
 * message whose digest was not verified (m->digest_ok) gets no answer but
 * an SCCRQ's StopCCN 4, so that a forged message cannot make us close
 * the connection.
 */
struct l2tp_v3_answer {
	bool send;
	uint16_t msg_type;       /* L2TP_MSG_STOPCCN or L2TP_MSG_CDN */
	uint16_t result, error;
};
void l2tp_v3_answer_for(enum l2tp_decode_err e, const struct l2tp_msg *m, bool auth_on,
			struct l2tp_v3_answer *a);

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
	uint8_t version;          /* 2 or 3: the width of l2tp_mb_id() */
	size_t digest_off;        /* v3: offset of the Message Digest value, 0 for none */
	uint8_t digest_type;
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

/*
 * L2TPv3 (RFC 3931). l2tp_mb_begin_v3(): the 12-byte v3 control header (T, L,
 * S, version 3, Control Connection ID, Ns and Nr 0, written later by
 * l2tp_rel exactly as in v2) and the Message Type AVP. l2tp_mb_id() then
 * writes 32-bit IDs. Every AVP helper above works for v3; 64-bit values
 * (Tx/Rx Connect Speed) go through l2tp_mb_u64().
 *
 * Authentication: l2tp_mb_digest() right after l2tp_mb_begin_v3() reserves a
 * Message Digest AVP of the given type (zeroed); l2tp_mb_sign() fills it in
 * over the message as it is now, so call it after the last AVP and again
 * whenever Ns/Nr change (each transmission). Nonces as in l2tp_v3_digest(),
 * snd = ours. Without a reserved digest l2tp_mb_sign() does nothing.
 */
void l2tp_mb_begin_v3(struct l2tp_mbuf *b, uint32_t ccid, uint16_t type);
void l2tp_mb_u64(struct l2tp_mbuf *b, bool mand, uint16_t type, uint64_t v);
void l2tp_mb_digest(struct l2tp_mbuf *b, enum l2tp_digest_type type);
void l2tp_v3_sign(uint8_t *msg, size_t len, size_t digest_off, enum l2tp_digest_type type,
		  const struct l2tp_v3_auth *auth, uint16_t msg_type);
void l2tp_mb_sign(struct l2tp_mbuf *b, const struct l2tp_v3_auth *auth);

/*
 * The datagram for a v3 control message built in b: over UDP the message
 * itself, over IP the zero Session ID first (§4.1.1.2). Returns its length,
 * 0 when out (cap bytes) is too small or b overflowed.
 */
size_t l2tp_v3_frame(const struct l2tp_mbuf *b, enum l2tp_encap encap, uint8_t *out, size_t cap);

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
