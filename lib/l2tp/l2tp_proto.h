/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TP protocol numbers: L2TPv2 (RFC 2661) and L2TPv3 (RFC 3931, Ethernet
 * pseudowires RFC 4719). Named here once; never bare literals elsewhere.
 */
#ifndef LNS_L2TP_PROTO_H
#define LNS_L2TP_PROTO_H

#include <stdint.h>

#define L2TP_UDP_PORT 1701
#define L2TP_VERSION 2
#define L2TP_CTRL_HDR_LEN 12      /* T,L,S set, no offset: flags, len, tid, sid, ns, nr */
#define L2TP_MAX_MSG 4096         /* largest control message we build or accept */
#define L2TP_AVP_HDR_LEN 6
#define L2TP_AVP_MAX_LEN 1023     /* 10-bit length field */
#define L2TP_DEFAULT_RWS 4        /* RFC 2661 §5.8: peer window when the AVP is absent */

/*
 * L2TPv3 (RFC 3931 §4.1). Over UDP the control header is the v2 layout with a
 * 32-bit Control Connection ID in place of Tunnel and Session ID: 12 bytes,
 * Ns/Nr at bytes 8..11 as in v2. Over IP (protocol 115) a control message is
 * a 32-bit zero Session ID followed by the same header; Length counts from
 * the T bit, not the zero word. A data message over IP starts with its
 * non-zero Session ID; over UDP with a flags word (T clear), 2 reserved
 * bytes and the Session ID.
 */
#define L2TP_VERSION3 3
#define L2TP_IPPROTO 115
#define L2TP_V3_IP_CTRL_PREFIX 4  /* the zero Session ID before an IP control message */
#define L2TP_V3_UDP_DATA_HDR_LEN 8
#define L2TP_V3_COOKIE_MAX 8      /* §5.4.4: 0, 4 or 8 bytes */

/*
 * Tunnel and Session IDs are uint32_t everywhere above the wire: RFC 3931
 * makes Control Connection and Session IDs 32 bits, and genetlink carries
 * u32 for both versions (docs/design.md §4.1, §9.5). The L2TPv2 header and
 * its Assigned Tunnel/Session ID AVPs have 16 bits: the v2 encoder refuses a
 * wider ID instead of truncating it, and v2 IDs are drawn from 1..L2TP_V2_ID_MAX.
 */
#define L2TP_V2_ID_MAX 0xffffu
#define L2TP_ID_MAX 0xffffffffu   /* the widest (RFC 3931) */

/* Header flag bits (RFC 2661 §3.1), in the first 16-bit word. */
enum l2tp_hdr_flag {
	L2TP_HDR_T = 0x8000,
	L2TP_HDR_L = 0x4000,
	L2TP_HDR_S = 0x0800,
	L2TP_HDR_O = 0x0200,
	L2TP_HDR_P = 0x0100,
	L2TP_HDR_VER_MASK = 0x000f,
};

/* AVP flag bits (RFC 2661 §4.1). */
enum l2tp_avp_flag {
	L2TP_AVP_M = 0x8000,
	L2TP_AVP_H = 0x4000,
	L2TP_AVP_RSVD = 0x3c00,
	L2TP_AVP_LEN_MASK = 0x03ff,
};

/* Control message types (RFC 2661 §3.2). 0 is used internally for a ZLB. */
enum l2tp_msg_type {
	L2TP_MSG_ZLB = 0,
	L2TP_MSG_SCCRQ = 1,
	L2TP_MSG_SCCRP = 2,
	L2TP_MSG_SCCCN = 3,
	L2TP_MSG_STOPCCN = 4,
	L2TP_MSG_RESERVED5 = 5,
	L2TP_MSG_HELLO = 6,
	L2TP_MSG_OCRQ = 7,
	L2TP_MSG_OCRP = 8,
	L2TP_MSG_OCCN = 9,
	L2TP_MSG_ICRQ = 10,
	L2TP_MSG_ICRP = 11,
	L2TP_MSG_ICCN = 12,
	L2TP_MSG_RESERVED13 = 13,
	L2TP_MSG_CDN = 14,
	L2TP_MSG_WEN = 15,
	L2TP_MSG_SLI = 16,
	L2TP_MSG_TYPE_COUNT = 17,     /* v2 types, and the bound of the per-type counters */
	/* RFC 3931 §3.1: v3 only. */
	L2TP_MSG_ACK = 20,            /* explicit acknowledgement (§4.2) */
	L2TP_MSG_V3_TYPE_COUNT = 21,
};

/* AVP attribute types, vendor 0 (RFC 2661 §4.4). */
enum l2tp_avp_type {
	L2TP_AVP_MESSAGE_TYPE = 0,
	L2TP_AVP_RESULT_CODE = 1,
	L2TP_AVP_PROTOCOL_VERSION = 2,
	L2TP_AVP_FRAMING_CAPS = 3,
	L2TP_AVP_BEARER_CAPS = 4,
	L2TP_AVP_TIE_BREAKER = 5,
	L2TP_AVP_FIRMWARE_REV = 6,
	L2TP_AVP_HOST_NAME = 7,
	L2TP_AVP_VENDOR_NAME = 8,
	L2TP_AVP_ASSIGNED_TUNNEL_ID = 9,
	L2TP_AVP_RECV_WINDOW_SIZE = 10,
	L2TP_AVP_CHALLENGE = 11,
	L2TP_AVP_Q931_CAUSE = 12,
	L2TP_AVP_CHALLENGE_RESPONSE = 13,
	L2TP_AVP_ASSIGNED_SESSION_ID = 14,
	L2TP_AVP_CALL_SERIAL = 15,
	L2TP_AVP_MIN_BPS = 16,
	L2TP_AVP_MAX_BPS = 17,
	L2TP_AVP_BEARER_TYPE = 18,
	L2TP_AVP_FRAMING_TYPE = 19,
	L2TP_AVP_RESERVED20 = 20,
	L2TP_AVP_CALLED_NUMBER = 21,
	L2TP_AVP_CALLING_NUMBER = 22,
	L2TP_AVP_SUB_ADDRESS = 23,
	L2TP_AVP_TX_CONNECT_SPEED = 24,
	L2TP_AVP_PHYS_CHANNEL_ID = 25,
	L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ = 26,
	L2TP_AVP_LAST_SENT_LCP_CONFREQ = 27,
	L2TP_AVP_LAST_RCVD_LCP_CONFREQ = 28,
	L2TP_AVP_PROXY_AUTHEN_TYPE = 29,
	L2TP_AVP_PROXY_AUTHEN_NAME = 30,
	L2TP_AVP_PROXY_AUTHEN_CHALLENGE = 31,
	L2TP_AVP_PROXY_AUTHEN_ID = 32,
	L2TP_AVP_PROXY_AUTHEN_RESPONSE = 33,
	L2TP_AVP_CALL_ERRORS = 34,
	L2TP_AVP_ACCM = 35,
	L2TP_AVP_RANDOM_VECTOR = 36,
	L2TP_AVP_PRIVATE_GROUP_ID = 37,
	L2TP_AVP_RX_CONNECT_SPEED = 38,
	L2TP_AVP_SEQUENCING_REQUIRED = 39,
	L2TP_AVP_V2_TYPE_COUNT = 40,       /* types 0..39 are RFC 2661's */
	/* RFC 3931 §5.4 (v3); 34 is "Circuit Errors" there, 24 and 38 give way to 74, 75. */
	L2TP_AVP_EXTENDED_VENDOR_ID = 58,
	L2TP_AVP_MESSAGE_DIGEST = 59,
	L2TP_AVP_ROUTER_ID = 60,
	L2TP_AVP_ASSIGNED_CCID = 61,       /* Assigned Control Connection ID */
	L2TP_AVP_PW_CAPS = 62,             /* Pseudowire Capabilities List */
	L2TP_AVP_LOCAL_SESSION_ID = 63,
	L2TP_AVP_REMOTE_SESSION_ID = 64,
	L2TP_AVP_ASSIGNED_COOKIE = 65,
	L2TP_AVP_REMOTE_END_ID = 66,
	L2TP_AVP_RESERVED67 = 67,
	L2TP_AVP_PW_TYPE = 68,
	L2TP_AVP_L2_SUBLAYER = 69,         /* L2-Specific Sublayer */
	L2TP_AVP_DATA_SEQUENCING = 70,
	L2TP_AVP_CIRCUIT_STATUS = 71,
	L2TP_AVP_PREFERRED_LANGUAGE = 72,
	L2TP_AVP_AUTH_NONCE = 73,          /* Control Message Authentication Nonce */
	L2TP_AVP_TX_CONNECT_SPEED_V3 = 74, /* 64 bits */
	L2TP_AVP_RX_CONNECT_SPEED_V3 = 75,
	L2TP_AVP_TYPE_COUNT = 76,
};

/* StopCCN Result Codes (RFC 2661 §4.4.2). */
enum l2tp_stopccn_result {
	L2TP_STOPCCN_RESERVED = 0,
	L2TP_STOPCCN_CLEAR = 1,          /* general request to clear control connection */
	L2TP_STOPCCN_GENERAL_ERROR = 2,  /* see error code */
	L2TP_STOPCCN_ALREADY_EXISTS = 3,
	L2TP_STOPCCN_NOT_AUTHORIZED = 4,
	L2TP_STOPCCN_BAD_VERSION = 5,    /* error code carries our highest version */
	L2TP_STOPCCN_SHUTTING_DOWN = 6,
	L2TP_STOPCCN_FSM_ERROR = 7,
};

/* CDN Result Codes (RFC 2661 §4.4.2). */
enum l2tp_cdn_result {
	L2TP_CDN_RESERVED = 0,
	L2TP_CDN_LOST_CARRIER = 1,
	L2TP_CDN_GENERAL_ERROR = 2,      /* see error code */
	L2TP_CDN_ADMIN = 3,              /* administrative reasons */
	L2TP_CDN_NO_FACILITIES_TEMP = 4,
	L2TP_CDN_NO_FACILITIES_PERM = 5,
	L2TP_CDN_INVALID_DEST = 6,
	L2TP_CDN_NO_CARRIER = 7,
	L2TP_CDN_BUSY = 8,
	L2TP_CDN_NO_DIAL_TONE = 9,
	L2TP_CDN_TIMEOUT = 10,
	L2TP_CDN_NO_FRAMING = 11,
	L2TP_CDN_RESERVED12 = 12,
	/* RFC 3931 §5.4.2 (v3). */
	L2TP_CDN_TIE_BREAKER_LOST = 13,
	L2TP_CDN_PW_TYPE_UNSUPPORTED = 14,
	L2TP_CDN_SEQ_WITHOUT_SUBLAYER = 15,  /* sequencing required without a valid L2-Specific Sublayer */
	L2TP_CDN_FSM_ERROR = 16,
};

/* General Error Codes (RFC 2661 §4.4.2). */
enum l2tp_error_code {
	L2TP_ERR_NONE = 0,
	L2TP_ERR_NO_CONTROL_CONNECTION = 1,
	L2TP_ERR_BAD_LENGTH = 2,
	L2TP_ERR_BAD_VALUE = 3,          /* a field out of range or reserved field non-zero */
	L2TP_ERR_NO_RESOURCES = 4,
	L2TP_ERR_INVALID_SESSION_ID = 5,
	L2TP_ERR_VENDOR_SPECIFIC = 6,
	L2TP_ERR_TRY_ANOTHER = 7,
	L2TP_ERR_UNKNOWN_MANDATORY_AVP = 8,
};

/* Framing and Bearer Capabilities / Type bits (RFC 2661 §4.4.3, §4.4.5). */
enum l2tp_framing_bit {
	L2TP_FRAMING_SYNC = 0x1,
	L2TP_FRAMING_ASYNC = 0x2,
};
enum l2tp_bearer_bit {
	L2TP_BEARER_DIGITAL = 0x1,
	L2TP_BEARER_ANALOG = 0x2,
};

/* Proxy Authen Type values (RFC 2661 §4.4.5). */
enum l2tp_proxy_authen_type {
	L2TP_PROXY_AUTH_RESERVED = 0,
	L2TP_PROXY_AUTH_TEXTUAL = 1,
	L2TP_PROXY_AUTH_CHAP = 2,
	L2TP_PROXY_AUTH_PAP = 3,
	L2TP_PROXY_AUTH_NONE = 4,
	L2TP_PROXY_AUTH_MSCHAPV1 = 5,
};

/* CHAP-style ID used in Challenge Response (RFC 2661 §4.2): MD5(type || secret || challenge). */
enum l2tp_chap_id {
	L2TP_CHAPID_SCCRP = 2,
	L2TP_CHAPID_SCCCN = 3,
};

/* Pseudowire Types (RFC 3931 §5.4.4 and IANA; RFC 4719 for Ethernet). */
enum l2tp_pw_type {
	L2TP_PW_ETH_VLAN = 0x0004,
	L2TP_PW_ETH = 0x0005,
	L2TP_PW_PPP = 0x0007,
};

/* L2-Specific Sublayer AVP values (RFC 3931 §5.4.4). */
enum l2tp_l2_sublayer {
	L2TP_L2SUB_NONE = 0,
	L2TP_L2SUB_DEFAULT = 1,
};

/* Data Sequencing AVP values (RFC 3931 §5.4.4). */
enum l2tp_data_seq {
	L2TP_DATASEQ_NONE = 0,
	L2TP_DATASEQ_NON_IP = 1,
	L2TP_DATASEQ_ALL = 2,
};

/* Circuit Status bits (RFC 3931 §5.4.5). */
enum l2tp_circuit_status_bit {
	L2TP_CIRCUIT_ACTIVE = 0x1,   /* A: up */
	L2TP_CIRCUIT_NEW = 0x2,      /* N: new circuit or new settings */
};

/* Message Digest types (RFC 3931 §5.4.1). */
enum l2tp_digest_type {
	L2TP_DIGEST_HMAC_MD5 = 0,
	L2TP_DIGEST_HMAC_SHA1 = 1,
};
#define L2TP_DIGEST_MAX 20

#endif
