// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz harness for the L2TPv2 codec: header, message decode with and without a secret. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "l2tp_msg.h"

/* Invariants a decoded message must hold whatever the input was. */
static void check_msg(const struct l2tp_msg *m, enum l2tp_decode_err e, size_t size)
{
	if ((unsigned)e >= L2TP_DEC_ERR_COUNT)
		abort();
	if (e != L2TP_DEC_OK)
		return;
	if (m->hdr.payload_off > size || m->hdr.length > size)
		abort();
	if (strlen(m->host_name) >= L2TP_NAME_MAX || strlen(m->error_msg) >= L2TP_NAME_MAX ||
	    strlen(m->proxy_authen_name) >= L2TP_NAME_MAX)
		abort();
	if (m->challenge.len > L2TP_CHALLENGE_MAX || m->random_vector.len > L2TP_BLOB_MAX ||
	    m->proxy_authen_response.len > L2TP_BLOB_MAX)
		abort();
	if ((m->present & ~((UINT64_C(1) << L2TP_AVP_V2_TYPE_COUNT) - 1)) || m->present_hi)
		abort();
	if ((m->hidden & ~m->present) != 0)
		abort();
	if (m->type != L2TP_MSG_ZLB && !(m->present & 1))
		abort();
	/* Names must exist for whatever was decoded. */
	if (!l2tp_msg_type_str(m->type) || !l2tp_result_str(m->type, m->result_code) ||
	    !l2tp_error_str(m->error_code))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[] = FUZZ_MSG_SECRET;
	static struct l2tp_msg m;     /* large: keep it off the stack */
	struct l2tp_hdr h;
	enum l2tp_decode_err e;

	e = l2tp_hdr_decode(data, size, &h);
	if (e == L2TP_DEC_OK && h.payload_off > size)
		abort();
	e = l2tp_msg_decode(data, size, NULL, 0, &m);
	check_msg(&m, e, size);
	e = l2tp_msg_decode(data, size, secret, sizeof(secret) - 1, &m);
	check_msg(&m, e, size);
	if (!l2tp_decode_err_str(e))
		abort();
	return 0;
}
