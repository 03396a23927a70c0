/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Private to l2tp_msg.c and l2tp_v3.c: the v3 checks the decoder runs after the AVP walk. */
#ifndef LNS_L2TP_MSG_INT_H
#define LNS_L2TP_MSG_INT_H

#include "l2tp_msg.h"

/*
 * The Message Digest of a decoded v3 message against auth (RFC 3931 §4.3):
 * digest_off is where its value starts in pkt. Sets m->digest_ok on a match.
 */
enum l2tp_decode_err l2tp_v3_check_digest(const uint8_t *pkt, size_t digest_off,
					  const struct l2tp_v3_auth *auth, struct l2tp_msg *m);
/* IDs that must not be 0 (§5.4.3, §5.4.4): L2TP_DEC_BAD_ID with m->bad_id_avp. */
enum l2tp_decode_err l2tp_v3_check_ids(struct l2tp_msg *m);

#endif
