/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lnsbench: an L2TPv2 load generator. One process acts as many LACs, each
 * tunnel on its own UDP socket bound to its own source address (127.A.B.C by
 * default), and opens tunnels (SCCRQ/SCCRP/SCCCN, Challenge and hidden AVPs
 * with --secret/--hidden) and incoming calls (ICRQ/ICRP/ICCN) against an LNS.
 * Messages are built and parsed by lib/l2tp (l2tp_msg) and delivered by
 * lib/l2tp/l2tp_rel (Ns/Nr, windows, ZLB acks, retransmission backoff), so
 * the encoding and the reliability are the project's; what is here is the
 * LAC side's state and the measurement.
 *
 * The loop is epoll over every tunnel socket plus an indexed min-heap of
 * tunnel deadlines: a datagram costs one socket lookup (epoll's data
 * pointer) and one session lookup (our Session ID is the index + 1);
 * per-packet work is never proportional to the number of tunnels or calls.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "l2tp_msg.h"
#include "l2tp_proto.h"
#include "l2tp_rel.h"
#include "lns_grow.h"
#include "ppp_peer.h"
#include "ppp_proto.h"

/* ------------------------------------------------------------------ options */

struct opts {
	struct sockaddr_in server;
	unsigned tunnels, sessions;
	struct in_addr src_base;     /* first source address; tunnel i uses the i-th after it */
	struct in_addr *src_list;    /* --src-list: used round-robin instead */
	unsigned n_src_list;
	uint16_t src_port;           /* 0: ephemeral */
	const char *secret;
	size_t secret_len;
	bool hidden;
	double rate;                 /* new tunnels per second, 0 = unlimited */
	unsigned max_pending;        /* tunnels in setup at once, 0 = unlimited */
	unsigned call_window;        /* calls in setup at once per tunnel, 0 = unlimited */
	unsigned busy_retry_ms;      /* redial a call refused busy (CDN result 4) after this; 0 = fail */
	unsigned hold_s;
	unsigned hello_s;            /* own HELLO after this long without a message */
	unsigned churn;
	unsigned burst;
	unsigned timeout_s;          /* deadline of each setup phase */
	unsigned rws;
	unsigned rto_ms, rto_cap_ms, retries;
	unsigned sockbuf;
	bool json;
	bool verbose;
	const char *ready_file;
	const char *hostname;
	bool ppp;                    /* PPP inside every call (lib/ppp/ppp_peer) */
	const char *user, *password;
	const char *addr_file;       /* --ppp: the addresses obtained, written with --ready-file */
};

static struct opts O = {
	.tunnels = 1,
	.sessions = 1,
	.hello_s = 60,
	.timeout_s = 120,
	.rws = 64,
	.rto_ms = 1000,
	.rto_cap_ms = 8000,
	.retries = 5,
	.sockbuf = 256 * 1024,
	.hostname = "lnsbench",
	.user = "lnsbench",
	.password = "",
};

/* ------------------------------------------------------------------ clock */

static uint64_t now_us;

static void clock_update(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t now_ms(void) { return now_us / 1000u; }

/* xorshift64*: challenges and random vectors; seeded from getrandom(). */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static void rng_bytes(uint8_t *p, size_t n)
{
	while (n > 0) {
		uint64_t v = rng_next();
		size_t k = n < 8 ? n : 8;
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

/* ------------------------------------------------------------------ stats */

/* Latencies in microseconds; percentiles by sorting once at report time. */
struct lat {
	uint32_t *v;
	size_t n, cap;
};

/* lns_grow(), or the run ends: a queue or table that cannot grow is a lost run. */
static void grow_or_exit(void **arr, size_t *cap, size_t need, size_t elem_size, size_t first_cap)
{
	int rc = lns_grow(arr, cap, need, elem_size, first_cap);

	if (rc < 0) {
		errno = -rc;
		perror("lnsbench: realloc");
		exit(3);
	}
}

static void lat_add(struct lat *l, uint64_t us)
{
	if (lns_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), 1024))
		return;   /* a lost sample, not a lost run */
	l->v[l->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static double lat_pct(const struct lat *l, double p)
{
	if (l->n == 0)
		return 0;
	size_t i = (size_t)(p / 100.0 * (double)(l->n - 1) + 0.5);
	return l->v[i] / 1000.0;
}

/* Failure reasons, each counted; few distinct ones, found by a short scan. */
#define REASON_MAX 64
struct reasons {
	char name[REASON_MAX][96];
	uint64_t count[REASON_MAX];
	unsigned n;
	uint64_t other;
};

static void reason_add(struct reasons *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason_add(struct reasons *r, const char *fmt, ...)
{
	char buf[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (unsigned i = 0; i < r->n; i++) {
		if (strcmp(r->name[i], buf) == 0) {
			r->count[i]++;
			return;
		}
	}
	if (r->n == REASON_MAX) {
		r->other++;
		return;
	}
	memcpy(r->name[r->n], buf, sizeof(buf));
	r->count[r->n++] = 1;
}

/* One measured phase: the first setup, a churn round, a burst redial. */
struct phase {
	char name[32];
	uint64_t start_us, t_last_us, s_last_us, end_us;
	unsigned want_t, want_s;
	unsigned t_up, t_fail, s_up, s_fail;
	struct lat t_lat, s_lat;
	struct reasons fail;
	unsigned busy;                /* --busy-retry: CDNs result 4 taken as "busy, redial" */
	unsigned p_up, p_fail;        /* --ppp: calls whose IPCP opened / that never will */
	uint64_t p_last_us;
	struct lat p_lat;             /* ICCN sent -> IPCP opened */
};

/* ------------------------------------------------------------------ objects */

enum t_state {
	T_IDLE,        /* not started (or closed, to be restarted) */
	T_WAIT_SCCRP,
	T_WAIT_ACK,    /* SCCCN sent, waiting for its ack */
	T_UP,
	T_CLOSING,     /* our StopCCN sent, waiting for its ack */
	T_DONE,        /* closed or failed; socket closed */
};

enum s_state {
	S_IDLE,
	S_WAIT_ICRP,
	S_WAIT_ACK,    /* ICCN sent */
	S_UP,
	S_DOWN,
	S_RETRY,       /* refused busy, to be redialled (--busy-retry); keeps its call-window slot */
};

/* --ppp: the PPP link of a call, next to its struct sess (only allocated with --ppp). */
struct sppp {
	struct ppp_peer p;
	uint64_t t1_us;       /* ICCN queued */
	bool counted;         /* its PPP outcome (up or failed) is counted in a phase */
	bool was_up;          /* IPCP opened once */
	bool started;
};

static const char *t_state_str(enum t_state s)
{
	switch (s) {
	case T_IDLE: return "idle";
	case T_WAIT_SCCRP: return "wait-sccrp";
	case T_WAIT_ACK: return "wait-scccn-ack";
	case T_UP: return "up";
	case T_CLOSING: return "closing";
	case T_DONE: return "done";
	}
	return "?";
}

static const char *s_state_str(enum s_state s)
{
	switch (s) {
	case S_IDLE: return "idle";
	case S_WAIT_ICRP: return "wait-icrp";
	case S_WAIT_ACK: return "wait-iccn-ack";
	case S_UP: return "up";
	case S_DOWN: return "down";
	case S_RETRY: return "busy-retry";
	}
	return "?";
}

struct sess {
	uint16_t psid;
	uint8_t state;        /* enum s_state */
	uint16_t ack_ns;      /* Ns of our ICCN, while in S_WAIT_ACK */
	uint32_t next_ack;    /* index + 1 of the next session waiting for an ack; 0 = none */
	uint64_t t0_us;       /* ICRQ queued */
};

struct tun {
	unsigned idx;
	int fd;
	enum t_state state;
	struct sockaddr_in local, peer;
	uint16_t ltid, ptid;
	unsigned gen;         /* starts so far: a redial gets a new Tunnel ID */
	struct l2tp_rel rel;
	bool rel_live;
	uint8_t chal[16];
	uint16_t ack_ns;      /* Ns of SCCCN (T_WAIT_ACK) or StopCCN (T_CLOSING) */
	uint64_t t0_us;       /* SCCRQ queued */
	uint64_t last_rx_ms;
	uint64_t deadline;    /* heap key, ms; UINT64_MAX = not in heap */
	size_t hidx;          /* heap index + 1; 0 = not in heap */
	struct sess *s;       /* O.sessions calls */
	struct sppp *pp;      /* --ppp: O.sessions PPP links, else NULL */
	unsigned s_next;      /* next call to open */
	unsigned s_setup;     /* calls between ICRQ and ICCN-acked */
	unsigned s_up;
	uint32_t ack_head, ack_tail;   /* FIFO of calls whose ICCN awaits its ack */
	bool in_burst;
	struct phase *ph;     /* the phase this tunnel's setup counts in */
};

static struct tun *T;
static int epfd;
static volatile sig_atomic_t got_signal;

/* Totals over the run (rel stats summed when a tunnel's rel is freed). */
static struct {
	uint64_t sent, retransmits, zlb_sent, zlb_rcvd, duplicates, out_of_window;
	uint64_t rx_pkts, tx_pkts, rx_data, rx_decode_err, rx_foreign;
	uint64_t hello_rcvd, hello_sent;
	uint64_t cdn_rcvd, stopccn_rcvd, lost_t, lost_s;
	struct reasons hold_fail;
	uint64_t tx_errors;
	uint64_t ppp_tx, ppp_rx, ppp_drop, ppp_lost, ppp_echo;
	uint64_t busy, busy_redials;
} G;

static unsigned pending_tunnels;   /* tunnels between SCCRQ and SCCCN-acked */

/* ------------------------------------------------------------------ heap */

static struct tun **heap;
static size_t heap_n;

static bool heap_less(size_t a, size_t b) { return heap[a]->deadline < heap[b]->deadline; }

static void heap_swap(size_t a, size_t b)
{
	struct tun *x = heap[a];
	heap[a] = heap[b];
	heap[b] = x;
	heap[a]->hidx = a + 1;
	heap[b]->hidx = b + 1;
}

static void heap_up(size_t i)
{
	while (i > 0 && heap_less(i, (i - 1) / 2)) {
		heap_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < heap_n && heap_less(l, m))
			m = l;
		if (r < heap_n && heap_less(r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(i, m);
		i = m;
	}
}

static void heap_remove(struct tun *t)
{
	if (t->hidx == 0)
		return;
	size_t i = t->hidx - 1;
	t->hidx = 0;
	heap_n--;
	if (i != heap_n) {
		heap[i] = heap[heap_n];
		heap[i]->hidx = i + 1;
		heap_up(i);
		heap_down(i);
	}
}

static void heap_set(struct tun *t, uint64_t deadline)
{
	t->deadline = deadline;
	if (deadline == UINT64_MAX) {
		heap_remove(t);
		return;
	}
	if (t->hidx == 0) {
		heap[heap_n] = t;
		t->hidx = ++heap_n;
		heap_up(heap_n - 1);
	} else {
		heap_up(t->hidx - 1);
		heap_down(t->hidx - 1);
	}
}

/* ------------------------------------------------------------------ output */

static void emit(void *ctx, const uint8_t *pkt, size_t len)
{
	struct tun *t = ctx;
	if (sendto(t->fd, pkt, len, 0, (const struct sockaddr *)&t->peer, sizeof(t->peer)) < 0)
		G.tx_errors++;
	else
		G.tx_pkts++;
}

static void t_close(struct tun *t);
static void t_fail(struct tun *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Put out what l2tp_rel has due and recompute this tunnel's deadline. */
static void t_flush(struct tun *t)
{
	if (!t->rel_live) {
		heap_set(t, UINT64_MAX);
		return;
	}
	if (l2tp_rel_output(&t->rel, now_ms(), emit, t) == -ETIMEDOUT) {
		t_fail(t, "timeout: no ack after %u retransmissions (%s)", O.retries,
		       t_state_str(t->state));
		return;
	}
	uint64_t d = l2tp_rel_next_deadline(&t->rel);
	if (t->state == T_UP && O.hello_s > 0) {
		uint64_t h = t->last_rx_ms + (uint64_t)O.hello_s * 1000u;
		if (h < d)
			d = h;
	}
	heap_set(t, d);
}

static void t_queue(struct tun *t, struct l2tp_mbuf *b)
{
	if (b->overflow || l2tp_rel_queue(&t->rel, b->data, b->len) < 0) {
		fprintf(stderr, "lnsbench: tunnel %u: message could not be queued\n", t->idx);
		return;
	}
}

static void mb_hide_begin(struct l2tp_mbuf *b)
{
	uint8_t rv[16];
	rng_bytes(rv, sizeof(rv));
	l2tp_mb_random_vector(b, rv, (const uint8_t *)O.secret, O.secret_len);
}

/* ------------------------------------------------------------------ phases */

static struct phase *phases;
static unsigned n_phases;
static size_t cap_phases;
static struct phase *cur;      /* the phase whose setups are counted */

static struct phase *phase_new(const char *name, unsigned want_t, unsigned want_s)
{
	grow_or_exit((void **)&phases, &cap_phases, (size_t)n_phases + 1, sizeof(*phases), 8);
	struct phase *p = &phases[n_phases++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->start_us = now_us;
	p->want_t = want_t;
	p->want_s = want_s;
	return p;
}

static bool phase_done(const struct phase *p)
{
	if (p->t_up + p->t_fail < p->want_t || p->s_up + p->s_fail < p->want_s)
		return false;
	/* --ppp: every call that came up also has its IPCP up or given up */
	return !O.ppp || p->p_up + p->p_fail + p->s_fail >= p->want_s;
}

/* ------------------------------------------------------------------ sessions */

static void s_icrq(struct tun *t, unsigned i)
{
	struct sess *s = &t->s[i];
	struct l2tp_mbuf b;
	uint16_t lsid = (uint16_t)(i + 1);

	l2tp_mb_begin(&b, t->ptid, 0, L2TP_MSG_ICRQ);
	if (O.hidden) {
		mb_hide_begin(&b);
		l2tp_mb_id_hidden(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, lsid);
		l2tp_mb_u32_hidden(&b, true, L2TP_AVP_CALL_SERIAL, (uint32_t)t->idx << 16 | lsid);
	} else {
		l2tp_mb_id(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, lsid);
		l2tp_mb_u32(&b, true, L2TP_AVP_CALL_SERIAL, (uint32_t)t->idx << 16 | lsid);
	}
	l2tp_mb_u32(&b, true, L2TP_AVP_BEARER_TYPE, L2TP_BEARER_DIGITAL);
	s->state = S_WAIT_ICRP;
	s->t0_us = now_us;
	t->s_setup++;
	t_queue(t, &b);
}

/* Open further calls as the per-tunnel call window allows. */
static void t_open_calls(struct tun *t)
{
	while (t->s_next < O.sessions &&
	       (O.call_window == 0 || t->s_setup < O.call_window))
		s_icrq(t, t->s_next++);
}

/*
 * --busy-retry: calls refused busy wait in a min-heap by due time (MS plus
 * up to MS/2 of jitter, so that refused calls do not come back in step).
 */
struct retry {
	uint64_t due_ms;
	uint32_t t, i, gen;
};
static struct retry *rq;
static size_t rq_n, rq_cap;

static void rq_swap(size_t a, size_t b)
{
	struct retry x = rq[a];
	rq[a] = rq[b];
	rq[b] = x;
}

static void rq_push(struct tun *t, unsigned i)
{
	grow_or_exit((void **)&rq, &rq_cap, rq_n + 1, sizeof(*rq), 1024);
	uint64_t jitter = O.busy_retry_ms / 2 ? rng_next() % (O.busy_retry_ms / 2 + 1) : 0;
	size_t k = rq_n++;
	rq[k] = (struct retry){ now_ms() + O.busy_retry_ms + jitter, t->idx, i, t->gen };
	while (k > 0 && rq[k].due_ms < rq[(k - 1) / 2].due_ms) {
		rq_swap(k, (k - 1) / 2);
		k = (k - 1) / 2;
	}
}

static void rq_pop(void)
{
	size_t k = 0;
	rq[0] = rq[--rq_n];
	for (;;) {
		size_t l = 2 * k + 1, r = l + 1, m = k;
		if (l < rq_n && rq[l].due_ms < rq[m].due_ms)
			m = l;
		if (r < rq_n && rq[r].due_ms < rq[m].due_ms)
			m = r;
		if (m == k)
			return;
		rq_swap(k, m);
		k = m;
	}
}

/* Redial the calls whose busy wait is over (ICRQ again, same call number). */
static void rq_run(void)
{
	while (rq_n > 0 && rq[0].due_ms <= now_ms()) {
		struct retry r = rq[0];
		rq_pop();
		struct tun *t = &T[r.t];
		if (t->gen != r.gen || t->state != T_UP || t->s[r.i].state != S_RETRY)
			continue;   /* the tunnel went or restarted meanwhile */
		t->s_setup--;   /* s_icrq counts it again */
		G.busy_redials++;
		s_icrq(t, r.i);
		t_flush(t);
	}
}

/* A CDN result 4 to our ICRQ: wait, keep the window slot, redial. */
static bool s_busy(struct tun *t, unsigned i)
{
	struct sess *s = &t->s[i];
	if (O.busy_retry_ms == 0 || t->state != T_UP || s->state != S_WAIT_ICRP)
		return false;
	s->state = S_RETRY;
	G.busy++;
	if (t->ph != NULL)
		t->ph->busy++;
	rq_push(t, i);
	return true;
}

/* ------------------------------------------------------------------ ppp */

static struct ppp_peer_cfg PC;
static struct ppp_actions pact;     /* one list, drained after every call into ppp_peer */
static uint64_t next_sweep_ms;      /* PPP restart timers are looked at this often */
#define PPP_SWEEP_MS 100

static void ppp_rand(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	rng_bytes(buf, len);
}

/* --user: "%d" becomes the call's number (1, 2, ... over all tunnels). */
static size_t ppp_user_name(void *ctx, const struct ppp_peer *p, char *buf, size_t cap)
{
	char tmp[512];
	const char *pc = strstr(O.user, "%d");
	int n;

	(void)ctx;
	if (pc == NULL)
		n = snprintf(tmp, sizeof(tmp), "%s", O.user);
	else
		n = snprintf(tmp, sizeof(tmp), "%.*s%" PRIu32 "%s", (int)(pc - O.user), O.user,
			     p->tag, pc + 2);
	size_t len = n < 0 ? 0 : (size_t)n >= sizeof(tmp) ? sizeof(tmp) - 1 : (size_t)n;
	if (len > cap)
		len = cap;
	memcpy(buf, tmp, len);
	return len;
}

static void ppp_setup_cfg(void)
{
	ppp_peer_cfg_default(&PC);
	PC.user = O.user;
	PC.password = O.password;
	PC.user_name = ppp_user_name;
	PC.rand_bytes = ppp_rand;
	ppp_actions_init(&pact);
}

/* A PPP frame (protocol + packet) in an L2TP data message (RFC 2661 §3.1: no L, S, O). */
static void ppp_send(struct tun *t, unsigned i, const uint8_t *frame, size_t len)
{
	uint8_t buf[8 + PPP_MAX_FRAME];
	uint16_t psid = t->s[i].psid;

	if (len > PPP_MAX_FRAME)
		return;
	buf[0] = 0x00;
	buf[1] = L2TP_VERSION;
	buf[2] = (uint8_t)(t->ptid >> 8);
	buf[3] = (uint8_t)t->ptid;
	buf[4] = (uint8_t)(psid >> 8);
	buf[5] = (uint8_t)psid;
	buf[6] = 0xff;      /* RFC 1662 address and control, as pppd over L2TP sends them */
	buf[7] = 0x03;
	memcpy(buf + 8, frame, len);
	if (sendto(t->fd, buf, 8 + len, 0, (const struct sockaddr *)&t->peer, sizeof(t->peer)) < 0)
		G.tx_errors++;
	else
		G.ppp_tx++;
}

static void ppp_counted(struct tun *t, struct sppp *sp, bool up, const char *why)
{
	if (up)
		sp->was_up = true;
	if (sp->counted)
		return;
	sp->counted = true;
	if (t->ph == NULL)
		return;
	if (up) {
		t->ph->p_up++;
		t->ph->p_last_us = now_us;
		lat_add(&t->ph->p_lat, now_us - sp->t1_us);
	} else {
		t->ph->p_fail++;
		reason_add(&t->ph->fail, "ppp: %s", why);
	}
}

/* Put out and account for what ppp_peer asked for. */
static void ppp_actions_run(struct tun *t, unsigned i)
{
	struct sppp *sp = &t->pp[i];

	for (size_t k = 0; k < pact.n; k++) {
		const struct ppp_action *a = &pact.v[k];
		const uint8_t *f = ppp_action_data(&pact, a);
		switch (a->type) {
		case PPP_ACT_SEND:
			if (a->proto == PPP_PROTO_LCP && a->len > 2 && f[2] == PPP_ECHO_REPLY)
				G.ppp_echo++;
			ppp_send(t, i, f, a->len);
			break;
		case PPP_ACT_UP:
			ppp_counted(t, sp, true, NULL);
			break;
		case PPP_ACT_DOWN:
			if (sp->was_up && t->s[i].state == S_UP) {
				G.ppp_lost++;
				reason_add(&G.hold_fail, "ppp lost: %s", ppp_down_reason_str(a->reason));
			}
			ppp_counted(t, sp, false, ppp_down_reason_str(a->reason));
			break;
		case PPP_ACT_AUTH_REQUEST:
			break;      /* the LNS side's; a peer never asks */
		}
	}
	ppp_actions_reset(&pact);
}

static void ppp_start(struct tun *t, unsigned i)
{
	struct sppp *sp = &t->pp[i];
	if (sp->started)
		return;
	sp->started = true;
	ppp_peer_start(&sp->p, now_ms(), &pact);
	ppp_actions_run(t, i);
}

/* An L2TP data message on a tunnel that is up: PPP of one of our calls. */
static void ppp_data(struct tun *t, const uint8_t *pkt, size_t len, const struct l2tp_hdr *h)
{
	size_t end = h->has_len ? h->length : len;
	if (h->tunnel_id != t->ltid || h->session_id == 0 || h->session_id > O.sessions ||
	    end > len || end < h->payload_off) {
		G.ppp_drop++;
		return;
	}
	unsigned i = h->session_id - 1;
	if (t->s[i].state != S_WAIT_ACK && t->s[i].state != S_UP) {
		G.ppp_drop++;
		return;
	}
	G.ppp_rx++;
	/* the LNS's Configure-Request can beat the ack of our ICCN: start now */
	ppp_start(t, i);
	if (ppp_peer_input(&t->pp[i].p, pkt + h->payload_off, end - h->payload_off, now_ms(),
			   &pact) < 0)
		G.ppp_drop++;
	ppp_actions_run(t, i);
}

static bool ppp_negotiating(const struct sppp *sp)
{
	return sp->started && sp->p.phase >= PPP_PEER_ESTABLISH && sp->p.phase <= PPP_PEER_NETWORK;
}

/* Restart timers of links still negotiating; a walk every PPP_SWEEP_MS, not per packet. */
static void ppp_sweep(void)
{
	uint64_t now = now_ms();
	for (unsigned k = 0; k < O.tunnels; k++) {
		struct tun *t = &T[k];
		if (t->state != T_UP || t->pp == NULL)
			continue;
		for (unsigned i = 0; i < t->s_next; i++) {
			struct sppp *sp = &t->pp[i];
			if (!ppp_negotiating(sp) || ppp_peer_next_deadline(&sp->p) > now)
				continue;
			ppp_peer_tick(&sp->p, now, &pact);
			ppp_actions_run(t, i);
		}
	}
	next_sweep_ms = now + PPP_SWEEP_MS;
}

static void s_fail(struct tun *t, unsigned i, const char *reason)
{
	struct sess *s = &t->s[i];
	if (t->pp != NULL) {
		/* a call lost after its ICCN was acked never gets its PPP: count it there */
		if (s->state == S_UP)
			ppp_counted(t, &t->pp[i], false, "call lost before IPCP opened");
		t->pp[i].counted = true;
		t->pp[i].started = false;
	}
	if (s->state == S_WAIT_ICRP || s->state == S_WAIT_ACK || s->state == S_RETRY) {
		t->s_setup--;
		if (t->ph != NULL) {
			t->ph->s_fail++;
			reason_add(&t->ph->fail, "session: %s", reason);
		}
	} else if (s->state == S_UP) {
		t->s_up--;
		G.lost_s++;
		reason_add(&G.hold_fail, "session lost: %s", reason);
	}
	s->state = S_DOWN;
}

static void s_up(struct tun *t, unsigned i)
{
	struct sess *s = &t->s[i];
	s->state = S_UP;
	t->s_setup--;
	t->s_up++;
	if (t->ph != NULL) {
		t->ph->s_up++;
		t->ph->s_last_us = now_us;
		lat_add(&t->ph->s_lat, now_us - s->t0_us);
	}
	if (t->pp != NULL)
		ppp_start(t, i);
}

/* Calls whose ICCN the LNS has now acknowledged are up. */
static void t_acks(struct tun *t)
{
	while (t->ack_head != 0) {
		unsigned i = t->ack_head - 1;
		struct sess *s = &t->s[i];
		if (!l2tp_seq_before(s->ack_ns, t->rel.una))
			break;
		t->ack_head = s->next_ack;
		if (t->ack_head == 0)
			t->ack_tail = 0;
		s->next_ack = 0;
		if (s->state == S_WAIT_ACK)
			s_up(t, i);
	}
}

/* ------------------------------------------------------------------ tunnels */

static void t_sum_rel(struct tun *t)
{
	if (!t->rel_live)
		return;
	const struct l2tp_rel_stats *st = &t->rel.stats;
	G.sent += st->sent;
	G.retransmits += st->retransmits;
	G.zlb_sent += st->zlb_sent;
	G.zlb_rcvd += st->zlb_rcvd;
	G.duplicates += st->duplicates;
	G.out_of_window += st->out_of_window;
	l2tp_rel_free(&t->rel);
	t->rel_live = false;
}

/* Close the socket and forget the tunnel's calls (no message sent). */
static void t_close(struct tun *t)
{
	if (t->state == T_WAIT_SCCRP || t->state == T_WAIT_ACK)
		pending_tunnels--;
	t_sum_rel(t);
	heap_set(t, UINT64_MAX);
	if (t->fd >= 0) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, t->fd, NULL);
		close(t->fd);
		t->fd = -1;
	}
	t->state = T_DONE;
}

static void t_fail_calls(struct tun *t, const char *reason)
{
	for (unsigned i = 0; i < O.sessions; i++) {
		if (i >= t->s_next && t->ph != NULL) {
			t->ph->s_fail++;
			reason_add(&t->ph->fail, "session: %s", reason);
			continue;
		}
		s_fail(t, i, reason);
	}
	t->s_next = O.sessions;
}

static void t_fail(struct tun *t, const char *fmt, ...)
{
	char why[80];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (O.verbose)
		fprintf(stderr, "lnsbench: tunnel %u (%s:%u) %s: %s\n", t->idx,
			inet_ntoa(t->local.sin_addr), ntohs(t->local.sin_port),
			t_state_str(t->state), why);
	if (t->state == T_WAIT_SCCRP || t->state == T_WAIT_ACK) {
		if (t->ph != NULL) {
			t->ph->t_fail++;
			reason_add(&t->ph->fail, "tunnel: %s", why);
		}
	} else if (t->state == T_UP) {
		G.lost_t++;
		reason_add(&G.hold_fail, "tunnel lost: %s", why);
	}
	char sr[96];
	snprintf(sr, sizeof(sr), "tunnel %s", why);
	if (t->state != T_CLOSING)
		t_fail_calls(t, sr);
	t_close(t);
}

static struct in_addr src_addr(unsigned i)
{
	struct in_addr a;
	if (O.n_src_list > 0)
		return O.src_list[i % O.n_src_list];
	/* base + i, skipping host parts .0 and .255 of every /24 */
	uint32_t b = ntohl(O.src_base.s_addr);
	uint32_t host = (b & 0xff) - 1 + i;       /* index among .1-.254 slots */
	uint32_t net = (b >> 8) + host / 254;
	a.s_addr = htonl(net << 8 | (host % 254 + 1));
	return a;
}

static int t_socket(struct tun *t)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1, sz = (int)O.sockbuf;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sz > 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	memset(&t->local, 0, sizeof(t->local));
	t->local.sin_family = AF_INET;
	t->local.sin_addr = src_addr(t->idx);
	t->local.sin_port = htons(O.src_port);
	if (bind(fd, (struct sockaddr *)&t->local, sizeof(t->local)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	socklen_t sl = sizeof(t->local);
	getsockname(fd, (struct sockaddr *)&t->local, &sl);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = t };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	t->fd = fd;
	return 0;
}

static void t_start(struct tun *t, struct phase *ph)
{
	struct l2tp_rel_cfg cfg;

	t->ph = ph;
	t->ltid = (uint16_t)((t->idx + (uint64_t)t->gen++ * 4099u) % L2TP_V2_ID_MAX + 1);
	t->state = T_WAIT_SCCRP;
	pending_tunnels++;
	t->ptid = 0;
	t->peer = O.server;
	t->s_next = t->s_setup = t->s_up = 0;
	t->ack_head = t->ack_tail = 0;
	memset(t->s, 0, O.sessions * sizeof(*t->s));
	if (t->pp != NULL)
		memset(t->pp, 0, O.sessions * sizeof(*t->pp));
	t->t0_us = now_us;
	t->last_rx_ms = now_ms();
	int e = t_socket(t);
	if (e < 0) {
		char a[INET_ADDRSTRLEN];
		struct in_addr s = src_addr(t->idx);
		inet_ntop(AF_INET, &s, a, sizeof(a));
		t_fail(t, "socket/bind %s: %s", a, strerror(-e));
		return;
	}
	l2tp_rel_cfg_default(&cfg);
	cfg.our_rws = (uint16_t)O.rws;
	cfg.rto_initial_ms = O.rto_ms;
	cfg.rto_cap_ms = O.rto_cap_ms;
	cfg.max_retries = O.retries;
	if (l2tp_rel_init(&t->rel, &cfg) < 0) {
		t_fail(t, "out of memory");
		return;
	}
	t->rel_live = true;

	struct l2tp_mbuf b;
	l2tp_mb_begin(&b, 0, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_protocol_version(&b);
	l2tp_mb_str(&b, true, L2TP_AVP_HOST_NAME, O.hostname);
	l2tp_mb_u32(&b, true, L2TP_AVP_FRAMING_CAPS, L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC);
	l2tp_mb_u32(&b, false, L2TP_AVP_BEARER_CAPS, L2TP_BEARER_DIGITAL | L2TP_BEARER_ANALOG);
	l2tp_mb_u16(&b, false, L2TP_AVP_FIRMWARE_REV, 1);
	l2tp_mb_str(&b, false, L2TP_AVP_VENDOR_NAME, "lnsd lnsbench");
	l2tp_mb_u16(&b, true, L2TP_AVP_RECV_WINDOW_SIZE, (uint16_t)O.rws);
	if (O.secret != NULL) {
		rng_bytes(t->chal, sizeof(t->chal));
		l2tp_mb_bytes(&b, true, L2TP_AVP_CHALLENGE, t->chal, sizeof(t->chal));
	}
	if (O.hidden) {
		mb_hide_begin(&b);
		l2tp_mb_id_hidden(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, t->ltid);
	} else {
		l2tp_mb_id(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, t->ltid);
	}
	t_queue(t, &b);
	t_flush(t);
}

/* Our StopCCN (result 1, general request); the tunnel closes when it is acked. */
static void t_stop(struct tun *t)
{
	if (t->state != T_UP && t->state != T_WAIT_ACK && t->state != T_WAIT_SCCRP)
		return;
	if (t->state == T_WAIT_SCCRP || t->state == T_WAIT_ACK) {
		t_fail(t, "stopped before setup completed");
		return;
	}
	struct l2tp_mbuf b;
	l2tp_mb_begin(&b, t->ptid, 0, L2TP_MSG_STOPCCN);
	l2tp_mb_id(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, t->ltid);
	l2tp_mb_result(&b, L2TP_STOPCCN_CLEAR, 0, NULL);
	t->ack_ns = t->rel.ns;
	t_queue(t, &b);
	for (unsigned i = 0; i < O.sessions; i++)
		t->s[i].state = S_DOWN;
	t->s_up = t->s_setup = 0;
	t->state = T_CLOSING;
	t_flush(t);
}

/* Refuse the LNS (RFC 2661 §5.1.1): StopCCN with result 4 sent once, then the tunnel fails. */
static void t_refuse(struct tun *t, const char *why)
{
	struct l2tp_mbuf s;
	l2tp_mb_begin(&s, t->ptid, 0, L2TP_MSG_STOPCCN);
	l2tp_mb_id(&s, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, t->ltid);
	l2tp_mb_result(&s, L2TP_STOPCCN_NOT_AUTHORIZED, 0, NULL);
	t_queue(t, &s);
	l2tp_rel_output(&t->rel, now_ms(), emit, t);
	t_fail(t, "%s", why);
}

static void on_sccrp(struct tun *t, const struct l2tp_msg *m, const struct sockaddr_in *from)
{
	uint8_t want[16];

	if (t->state != T_WAIT_SCCRP)
		return;
	if (m->assigned_tunnel_id == 0 || m->assigned_tunnel_id > L2TP_V2_ID_MAX) {
		t_fail(t, "SCCRP with a bad Assigned Tunnel ID");
		return;
	}
	t->ptid = (uint16_t)m->assigned_tunnel_id;
	t->rel.peer_tunnel_id = t->ptid;
	t->peer = *from;   /* the LNS may answer from another port (RFC 2661 §8.1) */
	if (l2tp_msg_has(m, L2TP_AVP_RECV_WINDOW_SIZE))
		l2tp_rel_set_peer_rws(&t->rel, m->rx_window);

	struct l2tp_mbuf b;
	l2tp_mb_begin(&b, t->ptid, 0, L2TP_MSG_SCCCN);
	if (O.secret != NULL) {
		if (!l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE)) {
			t_refuse(t, "SCCRP without Challenge Response");
			return;
		}
		l2tp_challenge_response(L2TP_CHAPID_SCCRP, (const uint8_t *)O.secret, O.secret_len,
					t->chal, sizeof(t->chal), want);
		if (memcmp(want, m->challenge_response, 16) != 0) {
			t_refuse(t, "LNS's Challenge Response is wrong (secret mismatch)");
			return;
		}
	}
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE)) {
		if (O.secret == NULL) {
			t_refuse(t, "LNS sent a Challenge and we have no --secret");
			return;
		}
		uint8_t resp[16];
		l2tp_challenge_response(L2TP_CHAPID_SCCCN, (const uint8_t *)O.secret, O.secret_len,
					m->challenge.data, m->challenge.len, resp);
		if (O.hidden) {
			mb_hide_begin(&b);
			l2tp_mb_bytes_hidden(&b, true, L2TP_AVP_CHALLENGE_RESPONSE, resp, 16);
		} else {
			l2tp_mb_bytes(&b, true, L2TP_AVP_CHALLENGE_RESPONSE, resp, 16);
		}
	}
	t->ack_ns = t->rel.ns;
	t_queue(t, &b);
	t->state = T_WAIT_ACK;
}

static void t_established(struct tun *t)
{
	t->state = T_UP;
	pending_tunnels--;
	if (t->ph != NULL) {
		t->ph->t_up++;
		t->ph->t_last_us = now_us;
		lat_add(&t->ph->t_lat, now_us - t->t0_us);
	}
	t_open_calls(t);
}

static void on_icrp(struct tun *t, const struct l2tp_msg *m)
{
	uint32_t lsid = m->hdr.session_id;
	if (lsid == 0 || lsid > O.sessions)
		return;
	unsigned i = lsid - 1;
	struct sess *s = &t->s[i];
	if (s->state != S_WAIT_ICRP)
		return;
	if (m->assigned_session_id == 0 || m->assigned_session_id > L2TP_V2_ID_MAX) {
		s_fail(t, i, "ICRP with a bad Assigned Session ID");
		return;
	}
	s->psid = (uint16_t)m->assigned_session_id;

	struct l2tp_mbuf b;
	l2tp_mb_begin(&b, t->ptid, s->psid, L2TP_MSG_ICCN);
	if (O.hidden) {
		mb_hide_begin(&b);
		l2tp_mb_u32_hidden(&b, true, L2TP_AVP_TX_CONNECT_SPEED, 100000000);
	} else {
		l2tp_mb_u32(&b, true, L2TP_AVP_TX_CONNECT_SPEED, 100000000);
	}
	l2tp_mb_u32(&b, true, L2TP_AVP_FRAMING_TYPE, L2TP_FRAMING_SYNC);
	s->ack_ns = t->rel.ns;
	t_queue(t, &b);
	s->state = S_WAIT_ACK;
	if (t->pp != NULL) {
		struct sppp *sp = &t->pp[i];
		ppp_peer_init(&sp->p, &PC, t->idx * O.sessions + i + 1);
		sp->t1_us = now_us;
		sp->counted = sp->started = sp->was_up = false;
	}
	if (t->ack_tail != 0)
		t->s[t->ack_tail - 1].next_ack = i + 1;
	else
		t->ack_head = i + 1;
	t->ack_tail = i + 1;
}

static void on_cdn(struct tun *t, const struct l2tp_msg *m)
{
	uint32_t lsid = m->hdr.session_id;
	char why[64];
	G.cdn_rcvd++;
	if (lsid == 0 || lsid > O.sessions)
		return;
	if (m->result_code == L2TP_CDN_NO_FACILITIES_TEMP && s_busy(t, lsid - 1))
		return;
	snprintf(why, sizeof(why), "CDN result %u error %u", m->result_code, m->error_code);
	s_fail(t, lsid - 1, why);
	t_open_calls(t);
}

static void on_stopccn(struct tun *t, const struct l2tp_msg *m)
{
	G.stopccn_rcvd++;
	/* ack it now (the ZLB is due at once), then close */
	t->rel.ack_pending = true;
	t->rel.ack_deadline = 0;
	l2tp_rel_output(&t->rel, now_ms(), emit, t);
	if (t->state == T_CLOSING) {
		t_close(t);
		return;
	}
	t_fail(t, "StopCCN result %u error %u", m->result_code, m->error_code);
}

/* One in-order control message from the LNS. */
static void t_deliver(struct tun *t, const uint8_t *pkt, size_t len, const struct sockaddr_in *from)
{
	static struct l2tp_msg m;   /* large (challenge, blobs): not on the stack */
	enum l2tp_decode_err e = l2tp_msg_decode(pkt, len, (const uint8_t *)O.secret,
						 O.secret_len, &m);
	if (e != L2TP_DEC_OK) {
		G.rx_decode_err++;
		/* m.type means something only if the Message Type AVP was read */
		if (l2tp_msg_has(&m, L2TP_AVP_MESSAGE_TYPE) &&
		    (m.type == L2TP_MSG_STOPCCN || (m.type == L2TP_MSG_SCCRP && t->state == T_WAIT_SCCRP))) {
			t_fail(t, "undecodable %s: %s", l2tp_msg_type_str(m.type),
			       l2tp_decode_err_str(e));
		}
		return;
	}
	switch ((enum l2tp_msg_type)m.type) {
	case L2TP_MSG_SCCRP: on_sccrp(t, &m, from); break;
	case L2TP_MSG_STOPCCN: on_stopccn(t, &m); break;
	case L2TP_MSG_HELLO: G.hello_rcvd++; break;    /* l2tp_rel acks it */
	case L2TP_MSG_ICRP: on_icrp(t, &m); break;
	case L2TP_MSG_CDN: on_cdn(t, &m); break;
	case L2TP_MSG_ZLB:
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCCN:
	case L2TP_MSG_RESERVED5:
	case L2TP_MSG_OCRQ:
	case L2TP_MSG_OCRP:
	case L2TP_MSG_OCCN:
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_ICCN:
	case L2TP_MSG_RESERVED13:
	case L2TP_MSG_WEN:
	case L2TP_MSG_SLI:
	case L2TP_MSG_TYPE_COUNT:
	case L2TP_MSG_ACK:              /* v3 only: the v2 decoder never gives these */
	case L2TP_MSG_V3_TYPE_COUNT:
		break;
	}
}

static void t_input(struct tun *t, const uint8_t *pkt, size_t len, const struct sockaddr_in *from)
{
	struct l2tp_hdr h;
	static uint8_t buf[L2TP_MAX_MSG];

	if (from->sin_addr.s_addr != O.server.sin_addr.s_addr) {
		G.rx_foreign++;
		return;
	}
	if (l2tp_hdr_decode(pkt, len, &h) != L2TP_DEC_OK) {
		G.rx_decode_err++;
		return;
	}
	if (!h.is_ctrl) {
		if (t->pp != NULL && t->state == T_UP)
			ppp_data(t, pkt, len, &h);
		else
			G.rx_data++;
		return;
	}
	if (t->state == T_DONE || t->state == T_IDLE || !t->rel_live)
		return;
	t->last_rx_ms = now_ms();
	bool zlb = h.length == L2TP_CTRL_HDR_LEN;
	enum l2tp_rel_verdict v = l2tp_rel_input(&t->rel, pkt, len, h.ns, h.nr, zlb, now_ms());
	/* acks first: SCCCN, StopCCN, ICCNs */
	if (t->state == T_WAIT_ACK && l2tp_seq_before(t->ack_ns, t->rel.una))
		t_established(t);
	else if (t->state == T_CLOSING && l2tp_seq_before(t->ack_ns, t->rel.una)) {
		t_close(t);
		return;
	}
	if (t->state == T_UP)
		t_acks(t);
	if (v == L2TP_REL_DELIVER) {
		t_deliver(t, pkt, h.length, from);
		size_t n;
		while (t->rel_live && (n = l2tp_rel_pop_ready(&t->rel, buf, sizeof(buf), now_ms())) > 0)
			t_deliver(t, buf, n, from);
	}
	if (t->state == T_UP)
		t_open_calls(t);
	if (t->rel_live)
		t_flush(t);
}

static void t_timer(struct tun *t)
{
	if (t->state == T_UP && O.hello_s > 0 &&
	    now_ms() >= t->last_rx_ms + (uint64_t)O.hello_s * 1000u) {
		struct l2tp_mbuf b;
		l2tp_mb_begin(&b, t->ptid, 0, L2TP_MSG_HELLO);
		t_queue(t, &b);
		G.hello_sent++;
		t->last_rx_ms = now_ms();   /* next HELLO one interval later */
	}
	t_flush(t);
}

/* ------------------------------------------------------------------ loop */

static uint32_t *start_q;          /* tunnel indexes waiting to start */
static size_t start_head, start_n;
static uint64_t next_start_us;
static struct phase *start_phase;

static void start_enqueue(unsigned idx)
{
	start_q[(start_head + start_n++) % O.tunnels] = idx;
}

static void starter(void)
{
	while (start_n > 0) {
		if (O.max_pending > 0 && pending_tunnels >= O.max_pending)
			return;
		if (O.rate > 0) {
			if (now_us < next_start_us)
				return;
			next_start_us += (uint64_t)(1e6 / O.rate);
			if (next_start_us + 1000000u < now_us)  /* do not catch up a stall in one go */
				next_start_us = now_us;
		}
		unsigned idx = start_q[start_head];
		start_head = (start_head + 1) % O.tunnels;
		start_n--;
		t_start(&T[idx], start_phase);
	}
}

/* One turn of the loop: wait at most until the earliest deadline or until_us. */
static void loop_once(uint64_t until_us)
{
	static struct epoll_event ev[256];
	static uint8_t pkt[65536];
	uint64_t wake = until_us;

	if (heap_n > 0 && heap[0]->deadline * 1000u < wake)
		wake = heap[0]->deadline * 1000u;
	if (start_n > 0 && O.rate > 0 && next_start_us < wake)
		wake = next_start_us;
	if (O.ppp && next_sweep_ms * 1000u < wake)
		wake = next_sweep_ms * 1000u;
	if (rq_n > 0 && rq[0].due_ms * 1000u < wake)
		wake = rq[0].due_ms * 1000u;
	if (start_n > 0 && O.rate == 0 && (O.max_pending == 0 || pending_tunnels < O.max_pending))
		wake = now_us;
	int timeout = 0;
	if (wake > now_us) {
		uint64_t ms = (wake - now_us + 999) / 1000;
		timeout = ms > 1000 ? 1000 : (int)ms;
	}
	int n = epoll_wait(epfd, ev, 256, timeout);
	clock_update();
	for (int k = 0; k < n; k++) {
		struct tun *t = ev[k].data.ptr;
		/* a bounded batch per socket per turn, so no socket starves the rest */
		for (int j = 0; j < 64 && t->fd >= 0; j++) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t r = recvfrom(t->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fl);
			if (r < 0)
				break;
			G.rx_pkts++;
			t_input(t, pkt, (size_t)r, &from);
		}
	}
	/* bounded: a deadline that does not move cannot spin the loop */
	for (size_t k = heap_n * 2 + 1; k > 0 && heap_n > 0 && heap[0]->deadline <= now_ms(); k--)
		t_timer(heap[0]);
	if (O.ppp && now_ms() >= next_sweep_ms)
		ppp_sweep();
	rq_run();
	starter();
}

static void on_signal(int sig)
{
	(void)sig;
	if (got_signal < 2)
		got_signal++;
}

/* Run a setup phase: start the given tunnels, wait until each is up or failed. */
static void run_setup(struct phase *ph, const uint32_t *idx, unsigned n)
{
	start_phase = ph;
	cur = ph;
	next_start_us = now_us;
	for (unsigned i = 0; i < n; i++)
		start_enqueue(idx[i]);
	starter();
	uint64_t deadline = now_us + (uint64_t)O.timeout_s * 1000000u;
	while (!phase_done(ph) && !got_signal && now_us < deadline)
		loop_once(deadline);
	/* whatever is still setting up now has timed out */
	while (start_n > 0) {
		struct tun *t = &T[start_q[start_head]];
		start_head = (start_head + 1) % O.tunnels;
		start_n--;
		t->ph = ph;
		ph->t_fail++;
		ph->s_fail += O.sessions;
		reason_add(&ph->fail, got_signal ? "tunnel: interrupted before start"
						 : "tunnel: phase deadline before start");
	}
	for (unsigned i = 0; i < n; i++) {
		struct tun *t = &T[idx[i]];
		if (t->state == T_WAIT_SCCRP || t->state == T_WAIT_ACK) {
			t_fail(t, got_signal ? "interrupted" : "phase deadline (--timeout)");
		} else if (t->state == T_UP && t->s_up < O.sessions) {
			for (unsigned j = 0; j < O.sessions; j++) {
				if (j >= t->s_next) {
					ph->s_fail++;
					reason_add(&ph->fail, "session: not opened before the phase deadline");
				} else if (t->s[j].state == S_WAIT_ICRP || t->s[j].state == S_WAIT_ACK ||
					   t->s[j].state == S_RETRY) {
					char why[64];
					snprintf(why, sizeof(why), "phase deadline in %s",
						 s_state_str(t->s[j].state));
					s_fail(t, j, why);
				}
			}
			t->s_next = O.sessions;
		}
		if (t->state == T_UP && t->pp != NULL) {
			for (unsigned j = 0; j < O.sessions; j++) {
				struct sppp *sp = &t->pp[j];
				if (t->s[j].state != S_UP || sp->counted)
					continue;
				char why[64];
				snprintf(why, sizeof(why), "phase deadline in %s",
					 sp->started ? ppp_peer_phase_str(sp->p.phase) : "not started");
				ppp_counted(t, sp, false, why);
			}
		}
	}
	ph->end_us = now_us;
	cur = NULL;
}

/* StopCCN every live tunnel; wait for the acks (bounded by the retransmission limit). */
static void run_teardown(void)
{
	for (unsigned i = 0; i < O.tunnels; i++) {
		struct tun *t = &T[i];
		t->ph = NULL;
		if (t->state == T_UP)
			t_stop(t);
		else if (t->state != T_CLOSING)
			t_close(t);
	}
	uint64_t deadline = now_us + 60000000u;
	while (heap_n > 0 && now_us < deadline && got_signal < 2)
		loop_once(deadline);
	for (unsigned i = 0; i < O.tunnels; i++)
		t_close(&T[i]);
}

static void run_hold(unsigned secs)
{
	uint64_t end = now_us + (uint64_t)secs * 1000000u;
	while (!got_signal && now_us < end)
		loop_once(end);
}

/* ------------------------------------------------------------------ report */

static double secs(uint64_t us) { return (double)us / 1e6; }

static void phase_finish(struct phase *p)
{
	/* qsort's array must not be NULL even when empty (no tunnel came up) */
	if (p->t_lat.n > 1)
		qsort(p->t_lat.v, p->t_lat.n, sizeof(uint32_t), cmp_u32);
	if (p->s_lat.n > 1)
		qsort(p->s_lat.v, p->s_lat.n, sizeof(uint32_t), cmp_u32);
	if (p->p_lat.n > 1)
		qsort(p->p_lat.v, p->p_lat.n, sizeof(uint32_t), cmp_u32);
}

/* --ppp: addresses the calls hold now (IPCP up), and how many are distinct. */
static size_t ppp_addrs(uint32_t **out, size_t *distinct)
{
	size_t n = 0, d = 0;
	uint32_t *v = NULL;
	*distinct = 0;
	*out = NULL;
	if (!O.ppp)
		return 0;
	for (unsigned k = 0; k < O.tunnels; k++)
		for (unsigned i = 0; T[k].pp != NULL && i < O.sessions; i++)
			n += T[k].pp[i].started && T[k].pp[i].p.phase == PPP_PEER_UP;
	if (n == 0 || (v = malloc(n * sizeof(*v))) == NULL)
		return 0;
	n = 0;
	for (unsigned k = 0; k < O.tunnels; k++)
		for (unsigned i = 0; T[k].pp != NULL && i < O.sessions; i++)
			if (T[k].pp[i].started && T[k].pp[i].p.phase == PPP_PEER_UP)
				v[n++] = T[k].pp[i].p.addr;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		d += i == 0 || v[i] != v[i - 1];
	*distinct = d;
	*out = v;
	return n;
}

static size_t n_addrs, n_distinct;   /* at the end of the first setup phase */

static double rate_of(unsigned n, uint64_t start, uint64_t last)
{
	return n > 0 && last > start ? n / secs(last - start) : 0;
}

static void text_lat(const char *what, const struct lat *l)
{
	printf("  %-24s n=%zu p50=%.1f p90=%.1f p99=%.1f max=%.1f ms\n", what, l->n,
	       lat_pct(l, 50), lat_pct(l, 90), lat_pct(l, 99), lat_pct(l, 100));
}

static void text_reasons(const struct reasons *r, const char *indent)
{
	for (unsigned i = 0; i < r->n; i++)
		printf("%s%8" PRIu64 "  %s\n", indent, r->count[i], r->name[i]);
	if (r->other)
		printf("%s%8" PRIu64 "  (other reasons)\n", indent, r->other);
}

static void report_text(void)
{
	char srv[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &O.server.sin_addr, srv, sizeof(srv));
	printf("lnsbench: LNS %s:%u, %u tunnels x %u sessions%s%s\n", srv,
	       ntohs(O.server.sin_port), O.tunnels, O.sessions,
	       O.secret ? ", challenge" : "", O.hidden ? ", hidden AVPs" : "");
	for (unsigned i = 0; i < n_phases; i++) {
		struct phase *p = &phases[i];
		printf("%s: tunnels %u/%u up, sessions %u/%u up in %.3f s\n", p->name, p->t_up,
		       p->want_t, p->s_up, p->want_s, secs(p->end_us - p->start_us));
		printf("  rate: %.1f tunnels/s, %.1f sessions/s\n",
		       rate_of(p->t_up, p->start_us, p->t_last_us),
		       rate_of(p->s_up, p->start_us, p->s_last_us));
		text_lat("SCCRQ->SCCCN-acked", &p->t_lat);
		text_lat("ICRQ->ICCN-acked", &p->s_lat);
		if (O.busy_retry_ms)
			printf("  busy: %u ICRQs refused with CDN result 4 and redialled\n", p->busy);
		if (O.ppp) {
			printf("  ppp: %u/%u IPCP up, %u failed, %.1f/s\n", p->p_up, p->want_s,
			       p->p_fail, rate_of(p->p_up, p->start_us, p->p_last_us));
			text_lat("ICCN->IPCP-up", &p->p_lat);
		}
		if (p->t_fail || p->s_fail || p->p_fail) {
			printf("  failures: %u tunnels, %u sessions\n", p->t_fail, p->s_fail);
			text_reasons(&p->fail, "  ");
		}
	}
	printf("messages: sent %" PRIu64 ", retransmitted %" PRIu64 ", ZLB sent %" PRIu64
	       ", received %" PRIu64 " datagrams, duplicates %" PRIu64 ", out of window %" PRIu64
	       ", undecodable %" PRIu64 "\n",
	       G.sent, G.retransmits, G.zlb_sent, G.rx_pkts, G.duplicates, G.out_of_window,
	       G.rx_decode_err);
	printf("HELLO: received %" PRIu64 ", sent %" PRIu64 "; StopCCN received %" PRIu64
	       ", CDN received %" PRIu64 "\n", G.hello_rcvd, G.hello_sent, G.stopccn_rcvd,
	       G.cdn_rcvd);
	if (O.busy_retry_ms)
		printf("busy: %" PRIu64 " calls refused with CDN result 4, %" PRIu64
		       " redialled after --busy-retry %u ms\n", G.busy, G.busy_redials,
		       O.busy_retry_ms);
	if (O.ppp)
		printf("PPP: frames sent %" PRIu64 ", received %" PRIu64 ", dropped %" PRIu64
		       ", echo replies %" PRIu64 "; addresses after setup %zu (%zu distinct)\n",
		       G.ppp_tx, G.ppp_rx, G.ppp_drop, G.ppp_echo, n_addrs, n_distinct);
	if (G.lost_t || G.lost_s || G.ppp_lost) {
		printf("lost after setup: %" PRIu64 " tunnels, %" PRIu64 " sessions, %" PRIu64
		       " PPP links\n", G.lost_t, G.lost_s, G.ppp_lost);
		text_reasons(&G.hold_fail, "  ");
	}
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_lat(const char *key, const struct lat *l)
{
	printf("\"%s\":{\"n\":%zu,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}",
	       key, l->n, lat_pct(l, 50), lat_pct(l, 90), lat_pct(l, 99), lat_pct(l, 100));
}

static void json_reasons(const struct reasons *r)
{
	putchar('{');
	for (unsigned i = 0; i < r->n; i++) {
		if (i)
			putchar(',');
		json_str(r->name[i]);
		printf(":%" PRIu64, r->count[i]);
	}
	if (r->other)
		printf("%s\"other\":%" PRIu64, r->n ? "," : "", r->other);
	putchar('}');
}

static void report_json(void)
{
	char srv[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &O.server.sin_addr, srv, sizeof(srv));
	printf("{\"server\":\"%s:%u\",\"tunnels\":%u,\"sessions_per_tunnel\":%u,"
	       "\"challenge\":%s,\"hidden\":%s,\"phases\":[", srv, ntohs(O.server.sin_port),
	       O.tunnels, O.sessions, O.secret ? "true" : "false", O.hidden ? "true" : "false");
	for (unsigned i = 0; i < n_phases; i++) {
		struct phase *p = &phases[i];
		if (i)
			putchar(',');
		printf("{\"name\":");
		json_str(p->name);
		printf(",\"tunnels_wanted\":%u,\"tunnels_up\":%u,\"tunnels_failed\":%u,"
		       "\"sessions_wanted\":%u,\"sessions_up\":%u,\"sessions_failed\":%u,"
		       "\"duration_s\":%.6f,\"tunnels_per_s\":%.3f,\"sessions_per_s\":%.3f,",
		       p->want_t, p->t_up, p->t_fail, p->want_s, p->s_up, p->s_fail,
		       secs(p->end_us - p->start_us), rate_of(p->t_up, p->start_us, p->t_last_us),
		       rate_of(p->s_up, p->start_us, p->s_last_us));
		json_lat("tunnel_setup", &p->t_lat);
		putchar(',');
		json_lat("session_setup", &p->s_lat);
		if (O.busy_retry_ms)
			printf(",\"busy_refused\":%u", p->busy);
		if (O.ppp) {
			printf(",\"ppp_up\":%u,\"ppp_failed\":%u,\"ppp_per_s\":%.3f,", p->p_up,
			       p->p_fail, rate_of(p->p_up, p->start_us, p->p_last_us));
			json_lat("ppp_setup", &p->p_lat);
		}
		printf(",\"failures\":");
		json_reasons(&p->fail);
		putchar('}');
	}
	printf("],\"messages\":{\"sent\":%" PRIu64 ",\"retransmitted\":%" PRIu64
	       ",\"zlb_sent\":%" PRIu64 ",\"zlb_received\":%" PRIu64 ",\"datagrams_received\":%" PRIu64
	       ",\"duplicates_received\":%" PRIu64 ",\"out_of_window\":%" PRIu64
	       ",\"undecodable\":%" PRIu64 ",\"data_received\":%" PRIu64
	       ",\"send_errors\":%" PRIu64 ",\"hello_received\":%" PRIu64 ",\"hello_sent\":%" PRIu64
	       ",\"stopccn_received\":%" PRIu64 ",\"cdn_received\":%" PRIu64 "},",
	       G.sent, G.retransmits, G.zlb_sent, G.zlb_rcvd, G.rx_pkts, G.duplicates,
	       G.out_of_window, G.rx_decode_err, G.rx_data, G.tx_errors, G.hello_rcvd,
	       G.hello_sent, G.stopccn_rcvd, G.cdn_rcvd);
	if (O.busy_retry_ms)
		printf("\"busy\":{\"refused\":%" PRIu64 ",\"redialled\":%" PRIu64
		       ",\"retry_ms\":%u},", G.busy, G.busy_redials, O.busy_retry_ms);
	if (O.ppp)
		printf("\"ppp\":{\"frames_sent\":%" PRIu64 ",\"frames_received\":%" PRIu64
		       ",\"frames_dropped\":%" PRIu64 ",\"echo_replies\":%" PRIu64
		       ",\"addresses\":%zu,\"distinct_addresses\":%zu},",
		       G.ppp_tx, G.ppp_rx, G.ppp_drop, G.ppp_echo, n_addrs, n_distinct);
	printf("\"lost_after_setup\":{\"tunnels\":%" PRIu64 ",\"sessions\":%" PRIu64
	       ",\"ppp\":%" PRIu64 ",\"reasons\":", G.lost_t, G.lost_s, G.ppp_lost);
	json_reasons(&G.hold_fail);
	printf("}}\n");
}

/* ------------------------------------------------------------------ main */

static const char usage_text[] =
"NAME\n"
"    lnsbench - L2TPv2 LAC load generator for measuring an LNS\n"
"\n"
"SYNOPSIS\n"
"    lnsbench [OPTIONS] HOST[:PORT]\n"
"\n"
"DESCRIPTION\n"
"    Acts as many LACs against the LNS at HOST:PORT (port 1701 by default):\n"
"    every tunnel has its own UDP socket bound to its own source address\n"
"    (127.1.0.1, 127.1.0.2, ... by default; the whole of 127.0.0.0/8 is local\n"
"    on Linux), opens a control connection (SCCRQ, SCCRP, SCCCN) and then\n"
"    its incoming calls (ICRQ, ICRP, ICCN), with RFC 2661 reliable delivery\n"
"    (Ns/Nr, windows, ZLB acks, retransmission with backoff). A tunnel is up\n"
"    when the LNS acknowledges its SCCCN, a call when it acknowledges its ICCN.\n"
"    Then it reports setup rates, latency percentiles, retransmissions,\n"
"    duplicates and failures with their reasons, and closes every tunnel with\n"
"    StopCCN.\n"
"\n"
"OPTIONS\n"
"    -t, --tunnels N            tunnels (LACs) to open (default 1)\n"
"    -s, --sessions-per-tunnel N  calls per tunnel, 1-65535 (default 1)\n"
"        --src ADDR             first source address (default 127.1.0.1);\n"
"                               tunnel i uses the i-th address after it,\n"
"                               skipping .0 and .255\n"
"        --src-list A,B,...     source addresses to use round-robin instead\n"
"        --src-port PORT        bind this port (default: an ephemeral one)\n"
"        --secret TEXT          tunnel secret: send a Challenge, check the\n"
"                               LNS's response, answer its Challenge\n"
"        --hidden               hide Assigned Tunnel/Session ID, Call Serial\n"
"                               Number, Challenge Response and Tx Connect\n"
"                               Speed (RFC 2661 4.3; needs --secret)\n"
"        --rate R               start at most R new tunnels per second\n"
"        --max-pending N        at most N tunnels waiting for setup at once\n"
"        --call-window N        at most N calls in setup at once per tunnel\n"
"        --busy-retry MS        a call refused busy (CDN result 4, e.g. lnsd's\n"
"                               max-starting) is redialled after MS ms plus up\n"
"                               to MS/2 of jitter instead of failing; counted\n"
"                               apart (\"busy\"); the call keeps its\n"
"                               --call-window slot meanwhile (default 0: fail)\n"
"        --hold SECONDS         keep everything up this long after setup,\n"
"                               answering HELLOs and sending our own\n"
"        --hello SECONDS        send HELLO after this long without a message\n"
"                               from the LNS (default 60, 0 = never)\n"
"        --burst N              after setup, drop N tunnels without StopCCN\n"
"                               (sockets closed) and redial them all at once\n"
"        --churn ROUNDS         after setup, ROUNDS times: StopCCN every\n"
"                               tunnel, then set everything up again\n"
"        --timeout SECONDS      deadline of each setup phase (default 120)\n"
"        --rws N                our Receive Window Size (default 64)\n"
"        --rto MS               first retransmission timeout (default 1000)\n"
"        --rto-cap MS           backoff cap (default 8000)\n"
"        --retries N            retransmissions before a tunnel is given up\n"
"                               (default 5)\n"
"        --sockbuf BYTES        SO_RCVBUF/SO_SNDBUF per socket (default 262144)\n"
"        --hostname NAME        Host Name AVP (default lnsbench)\n"
"        --ready-file PATH      write PATH once the first setup phase is over\n"
"        --json                 report as one JSON object on stdout\n"
"        --ppp                  PPP inside every call over the L2TP data\n"
"                               channel: LCP (MRU, Magic-Number; PAP or\n"
"                               CHAP-MD5 as the LNS asks; Echo-Requests and\n"
"                               Terminate-Requests answered), PAP/CHAP-MD5\n"
"                               with --user/--password, IPCP asking for\n"
"                               0.0.0.0 and taking the address the LNS Naks.\n"
"                               A phase then waits for every call's IPCP.\n"
"        --user NAME            PPP user name (default lnsbench); %d is the\n"
"                               call's number, 1, 2, ... over all tunnels\n"
"        --password TEXT        PPP password / CHAP secret (default empty)\n"
"        --addr-file PATH       with --ppp: write the address of every call\n"
"                               whose IPCP is up, one a line, when the first\n"
"                               setup phase is over (with --ready-file's)\n"
"    -v, --verbose              a line on stderr per failed tunnel\n"
"    -h, --help                 this text\n"
"\n"
"    SIGINT or SIGTERM ends the current phase (a --hold early); a second one\n"
"    skips waiting for StopCCN acks.\n"
"\n"
"REPORT\n"
"    Per phase (setup, burst, churn-N): tunnels and sessions up, failed and\n"
"    wanted; tunnels/s and sessions/s (from the phase's start to its last\n"
"    tunnel or call up); percentiles p50/p90/p99/max of SCCRQ->SCCCN-acked\n"
"    and ICRQ->ICCN-acked (ms); failures by reason (StopCCN/CDN result and\n"
"    error codes, retransmission timeouts, the phase deadline). Totals:\n"
"    messages sent, retransmitted, duplicates received, HELLOs, and tunnels\n"
"    or sessions lost after setup (during --hold).\n"
"    With --ppp also per phase calls with IPCP up and failed (by reason),\n"
"    IPCP-up/s and ICCN->IPCP-up percentiles (from sending the ICCN to our\n"
"    IPCP Opened); PPP frames sent, received and dropped, Echo-Replies sent,\n"
"    addresses held after the first setup phase (and how many distinct).\n"
"\n"
"EXIT STATUS\n"
"    0 every tunnel and call (with --ppp: and its IPCP) came up in every\n"
"    phase and none was lost;\n"
"    1 some did not; 2 usage error; 3 setup error.\n"
"\n"
"EXAMPLES\n"
"    lnsbench -t 100 -s 1000 127.0.0.1\n"
"    lnsbench -t 5 -s 20 --secret s3cret --hidden --json 127.0.0.1:1701\n"
"    lnsbench -t 1000 -s 10 --rate 200 --hold 120 --hello 30 192.0.2.1\n";

static void usage_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("lnsbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (lnsbench --help)\n", stderr);
	exit(2);
}

static unsigned parse_uint(const char *opt, const char *s, unsigned lo, unsigned hi)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < lo || v > hi)
		usage_fail("%s: want a number %u-%u, got '%s'", opt, lo, hi, s);
	return (unsigned)v;
}

static void parse_server(const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	size_t hl = colon ? (size_t)(colon - s) : strlen(s);
	if (hl >= sizeof(host))
		usage_fail("server '%s' too long", s);
	memcpy(host, s, hl);
	host[hl] = '\0';
	O.server.sin_family = AF_INET;
	O.server.sin_port = htons(colon ? (uint16_t)parse_uint("port", colon + 1, 1, 65535)
					: L2TP_UDP_PORT);
	if (inet_pton(AF_INET, host, &O.server.sin_addr) != 1)
		usage_fail("server '%s' is not an IPv4 address", host);
}

static void parse_src_list(const char *s)
{
	char *copy = strdup(s), *save = NULL;
	unsigned n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	O.src_list = calloc(n, sizeof(*O.src_list));
	if (copy == NULL || O.src_list == NULL)
		exit(3);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (inet_pton(AF_INET, tok, &O.src_list[O.n_src_list]) != 1)
			usage_fail("--src-list: '%s' is not an IPv4 address", tok);
		O.n_src_list++;
	}
	free(copy);
	if (O.n_src_list == 0)
		usage_fail("--src-list is empty");
}

enum {
	OPT_SRC = 256, OPT_SRC_LIST, OPT_SRC_PORT, OPT_SECRET, OPT_HIDDEN, OPT_RATE,
	OPT_MAX_PENDING, OPT_CALL_WINDOW, OPT_BUSY_RETRY, OPT_HOLD, OPT_HELLO, OPT_BURST, OPT_CHURN,
	OPT_TIMEOUT, OPT_RWS, OPT_RTO, OPT_RTO_CAP, OPT_RETRIES, OPT_SOCKBUF, OPT_HOSTNAME,
	OPT_READY, OPT_JSON, OPT_PPP, OPT_USER, OPT_PASSWORD, OPT_ADDR_FILE,
};

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "tunnels", required_argument, NULL, 't' },
		{ "sessions-per-tunnel", required_argument, NULL, 's' },
		{ "src", required_argument, NULL, OPT_SRC },
		{ "src-list", required_argument, NULL, OPT_SRC_LIST },
		{ "src-port", required_argument, NULL, OPT_SRC_PORT },
		{ "secret", required_argument, NULL, OPT_SECRET },
		{ "hidden", no_argument, NULL, OPT_HIDDEN },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "max-pending", required_argument, NULL, OPT_MAX_PENDING },
		{ "call-window", required_argument, NULL, OPT_CALL_WINDOW },
		{ "busy-retry", required_argument, NULL, OPT_BUSY_RETRY },
		{ "hold", required_argument, NULL, OPT_HOLD },
		{ "hello", required_argument, NULL, OPT_HELLO },
		{ "burst", required_argument, NULL, OPT_BURST },
		{ "churn", required_argument, NULL, OPT_CHURN },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "rws", required_argument, NULL, OPT_RWS },
		{ "rto", required_argument, NULL, OPT_RTO },
		{ "rto-cap", required_argument, NULL, OPT_RTO_CAP },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "sockbuf", required_argument, NULL, OPT_SOCKBUF },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "ready-file", required_argument, NULL, OPT_READY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "ppp", no_argument, NULL, OPT_PPP },
		{ "user", required_argument, NULL, OPT_USER },
		{ "password", required_argument, NULL, OPT_PASSWORD },
		{ "addr-file", required_argument, NULL, OPT_ADDR_FILE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	inet_pton(AF_INET, "127.1.0.1", &O.src_base);
	while ((c = getopt_long(argc, argv, "t:s:vh", lo, NULL)) != -1) {
		switch (c) {
		case 't': O.tunnels = parse_uint("--tunnels", optarg, 1, 1000000); break;
		case 's': O.sessions = parse_uint("--sessions-per-tunnel", optarg, 0, 65535); break;
		case OPT_SRC:
			if (inet_pton(AF_INET, optarg, &O.src_base) != 1)
				usage_fail("--src: '%s' is not an IPv4 address", optarg);
			if ((ntohl(O.src_base.s_addr) & 0xff) == 0 ||
			    (ntohl(O.src_base.s_addr) & 0xff) == 255)
				usage_fail("--src: start at a .1-.254 address");
			break;
		case OPT_SRC_LIST: parse_src_list(optarg); break;
		case OPT_SRC_PORT: O.src_port = (uint16_t)parse_uint("--src-port", optarg, 0, 65535); break;
		case OPT_SECRET:
			O.secret = optarg;
			O.secret_len = strlen(optarg);
			if (O.secret_len == 0)
				usage_fail("--secret is empty");
			break;
		case OPT_HIDDEN: O.hidden = true; break;
		case OPT_RATE:
			O.rate = strtod(optarg, &end);
			if (*end != '\0' || O.rate < 0)
				usage_fail("--rate: want a number >= 0, got '%s'", optarg);
			break;
		case OPT_MAX_PENDING: O.max_pending = parse_uint("--max-pending", optarg, 0, UINT_MAX); break;
		case OPT_CALL_WINDOW: O.call_window = parse_uint("--call-window", optarg, 0, 65535); break;
		case OPT_BUSY_RETRY: O.busy_retry_ms = parse_uint("--busy-retry", optarg, 0, 3600000); break;
		case OPT_HOLD: O.hold_s = parse_uint("--hold", optarg, 0, 86400 * 365); break;
		case OPT_HELLO: O.hello_s = parse_uint("--hello", optarg, 0, 86400); break;
		case OPT_BURST: O.burst = parse_uint("--burst", optarg, 0, 1000000); break;
		case OPT_CHURN: O.churn = parse_uint("--churn", optarg, 0, 1000000); break;
		case OPT_TIMEOUT: O.timeout_s = parse_uint("--timeout", optarg, 1, 86400); break;
		case OPT_RWS: O.rws = parse_uint("--rws", optarg, 1, 65535); break;
		case OPT_RTO: O.rto_ms = parse_uint("--rto", optarg, 10, 600000); break;
		case OPT_RTO_CAP: O.rto_cap_ms = parse_uint("--rto-cap", optarg, 10, 600000); break;
		case OPT_RETRIES: O.retries = parse_uint("--retries", optarg, 1, 1000); break;
		case OPT_SOCKBUF: O.sockbuf = parse_uint("--sockbuf", optarg, 0, INT_MAX); break;
		case OPT_HOSTNAME: O.hostname = optarg; break;
		case OPT_READY: O.ready_file = optarg; break;
		case OPT_JSON: O.json = true; break;
		case OPT_PPP: O.ppp = true; break;
		case OPT_USER:
			if (strlen(optarg) > 200)
				usage_fail("--user: at most 200 characters");
			O.user = optarg;
			break;
		case OPT_PASSWORD:
			if (strlen(optarg) > 255)
				usage_fail("--password: at most 255 characters");
			O.password = optarg;
			break;
		case OPT_ADDR_FILE: O.addr_file = optarg; break;
		case 'v': O.verbose = true; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		default: usage_fail("unknown option");
		}
	}
	if (optind != argc - 1)
		usage_fail("want one HOST[:PORT]");
	parse_server(argv[optind]);
	if (O.hidden && O.secret == NULL)
		usage_fail("--hidden needs --secret");
	if (O.burst > O.tunnels)
		usage_fail("--burst %u is more than --tunnels %u", O.burst, O.tunnels);
	if (O.addr_file != NULL && !O.ppp)
		usage_fail("--addr-file needs --ppp");
	if (O.rto_cap_ms < O.rto_ms)
		O.rto_cap_ms = O.rto_ms;
	if (O.n_src_list == 0) {
		uint32_t last = ntohl(src_addr(O.tunnels - 1).s_addr);
		if ((last >> 24) != (ntohl(O.src_base.s_addr) >> 24))
			usage_fail("%u tunnels do not fit after --src", O.tunnels);
	}
}

static void write_addrs(void)
{
	uint32_t *v;
	n_addrs = ppp_addrs(&v, &n_distinct);
	if (O.addr_file != NULL) {
		FILE *f = fopen(O.addr_file, "w");
		if (f == NULL) {
			fprintf(stderr, "lnsbench: %s: %s\n", O.addr_file, strerror(errno));
		} else {
			for (size_t i = 0; i < n_addrs; i++) {
				struct in_addr a = { .s_addr = htonl(v[i]) };
				fprintf(f, "%s\n", inet_ntoa(a));
			}
			fclose(f);
		}
	}
	free(v);
}

static void write_ready(void)
{
	write_addrs();
	if (O.ready_file == NULL)
		return;
	FILE *f = fopen(O.ready_file, "w");
	if (f == NULL) {
		fprintf(stderr, "lnsbench: %s: %s\n", O.ready_file, strerror(errno));
		return;
	}
	fprintf(f, "%u %u\n", phases[0].t_up, phases[0].s_up);
	fclose(f);
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);

	/* one socket per tunnel, plus stdio and epoll */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < O.tunnels + 64u) {
		rl.rlim_cur = rl.rlim_max < O.tunnels + 64u ? rl.rlim_max : O.tunnels + 64u;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < O.tunnels + 16u)
			fprintf(stderr, "lnsbench: warning: RLIMIT_NOFILE %lu is too low for %u tunnels\n",
				(unsigned long)rl.rlim_cur, O.tunnels);
	}
	if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state) || rng_state == 0)
		rng_state = (uint64_t)time(NULL) * 2654435761u + (uint64_t)getpid();

	epfd = epoll_create1(EPOLL_CLOEXEC);
	T = calloc(O.tunnels, sizeof(*T));
	heap = calloc(O.tunnels, sizeof(*heap));
	start_q = calloc(O.tunnels, sizeof(*start_q));
	uint32_t *all = calloc(O.tunnels, sizeof(*all));
	if (epfd < 0 || T == NULL || heap == NULL || start_q == NULL || all == NULL) {
		perror("lnsbench: setup");
		return 3;
	}
	for (unsigned i = 0; i < O.tunnels; i++) {
		struct tun *t = &T[i];
		t->idx = i;
		t->fd = -1;
		t->deadline = UINT64_MAX;
		t->s = calloc(O.sessions ? O.sessions : 1, sizeof(*t->s));
		if (O.ppp)
			t->pp = calloc(O.sessions ? O.sessions : 1, sizeof(*t->pp));
		if (t->s == NULL || (O.ppp && t->pp == NULL)) {
			perror("lnsbench: calloc");
			return 3;
		}
		all[i] = i;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	clock_update();
	if (O.ppp)
		ppp_setup_cfg();
	run_setup(phase_new("setup", O.tunnels, O.tunnels * O.sessions), all, O.tunnels);
	write_ready();

	if (O.burst > 0 && !got_signal) {
		/* RFC 2661 gives a LAC that reboots no way to say so: its tunnels
		 * just go silent and it dials again from the same address. */
		unsigned n = 0;
		for (unsigned i = 0; i < O.tunnels && n < O.burst; i++) {
			if (T[i].state != T_UP)
				continue;
			T[i].ph = NULL;
			t_sum_rel(&T[i]);
			heap_set(&T[i], UINT64_MAX);
			epoll_ctl(epfd, EPOLL_CTL_DEL, T[i].fd, NULL);
			close(T[i].fd);
			T[i].fd = -1;
			T[i].state = T_DONE;
			all[n++] = i;
		}
		char name[32];
		snprintf(name, sizeof(name), "burst");
		run_setup(phase_new(name, n, n * O.sessions), all, n);
		for (unsigned i = 0; i < O.tunnels; i++)
			all[i] = i;
	}
	if (O.hold_s > 0 && !got_signal)
		run_hold(O.hold_s);
	for (unsigned r = 1; r <= O.churn && !got_signal; r++) {
		run_teardown();
		char name[32];
		snprintf(name, sizeof(name), "churn-%u", r);
		run_setup(phase_new(name, O.tunnels, O.tunnels * O.sessions), all, O.tunnels);
	}
	run_teardown();
	free(all);

	int rc = 0;
	for (unsigned i = 0; i < n_phases; i++) {
		phase_finish(&phases[i]);
		if (phases[i].t_up < phases[i].want_t || phases[i].s_up < phases[i].want_s)
			rc = 1;
		if (O.ppp && phases[i].p_up < phases[i].want_s)
			rc = 1;
	}
	if (G.lost_t || G.lost_s || G.ppp_lost)
		rc = 1;
	if (O.json)
		report_json();
	else
		report_text();
	return rc;
}
