/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel objects closed by a pool of threads (docs/design.md §4.4).
 * Closing a call's PPPoX socket waits for one RCU grace period in the
 * kernel (ppp_disconnect_channel() -> synchronize_net()), ~20 ms each, one
 * after the other when one thread closes them; closed from several
 * threads, the waits overlap. A job is up to KG_CLOSER_FDS fds closed in
 * their order by one thread. Progress is signalled on an eventfd.
 */
#ifndef KG_CLOSER_H
#define KG_CLOSER_H

#include <stdbool.h>
#include <stddef.h>

#define KG_CLOSER_FDS 3

struct kg_closer;

/* threads workers, a queue of at most cap jobs; NULL (errno set) on failure. */
struct kg_closer *kg_closer_new(unsigned threads, size_t cap);
/*
 * Queues fds[0..n) (entries < 0 skipped) to be closed in that order. false:
 * the queue is full or n is too large; the caller still owns the fds.
 */
bool kg_closer_put(struct kg_closer *c, const int *fds, size_t n);
/* Jobs queued or being closed. */
size_t kg_closer_pending(struct kg_closer *c);
/* Readable after a job is done (level: until kg_closer_ack()). */
int kg_closer_fd(const struct kg_closer *c);
void kg_closer_ack(struct kg_closer *c);
/* Blocks until no job is queued or being closed. */
void kg_closer_drain(struct kg_closer *c);
/* Drains, then stops and joins the workers. NULL is fine. */
void kg_closer_free(struct kg_closer *c);

#endif
