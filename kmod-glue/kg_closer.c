// SPDX-License-Identifier: GPL-2.0-or-later
#include "kg_closer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct kg_job {
	int fd[KG_CLOSER_FDS];
};

struct kg_closer {
	pthread_mutex_t mu;
	pthread_cond_t work;          /* a job queued, or stop */
	pthread_cond_t idle;          /* pending reached 0 */
	struct kg_job *q;             /* ring of cap jobs */
	size_t cap, head, n;          /* n: queued, not yet taken */
	size_t pending;               /* queued + being closed */
	bool stop;
	int efd;
	unsigned n_threads;
	pthread_t *threads;
};

static void *worker(void *arg)
{
	struct kg_closer *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->n && !c->stop)
			pthread_cond_wait(&c->work, &c->mu);
		if (!c->n)
			break;
		struct kg_job j = c->q[c->head];

		c->head = (c->head + 1) % c->cap;
		c->n--;
		pthread_mutex_unlock(&c->mu);
		for (size_t i = 0; i < KG_CLOSER_FDS; i++)
			if (j.fd[i] >= 0)
				close(j.fd[i]);
		pthread_mutex_lock(&c->mu);
		if (--c->pending == 0)
			pthread_cond_broadcast(&c->idle);
		uint64_t one = 1;
		/* a full counter is still readable: nothing is lost */
		(void)!write(c->efd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct kg_closer *kg_closer_new(unsigned threads, size_t cap)
{
	struct kg_closer *c;

	if (!threads || !cap) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->q = calloc(cap, sizeof(*c->q));
	c->threads = calloc(threads, sizeof(*c->threads));
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!c->q || !c->threads || c->efd < 0)
		goto fail;
	c->cap = cap;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->work, NULL);
	pthread_cond_init(&c->idle, NULL);
	/* the workers take no signal: the process's signals stay the loop's */
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; c->n_threads < threads; c->n_threads++) {
		int rc = pthread_create(&c->threads[c->n_threads], NULL, worker, c);

		if (rc) {
			if (c->n_threads)
				break;   /* fewer workers than asked: still a closer */
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			errno = rc;
			pthread_cond_destroy(&c->idle);
			pthread_cond_destroy(&c->work);
			pthread_mutex_destroy(&c->mu);
			goto fail;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return c;
fail:
	if (c->efd >= 0)
		close(c->efd);
	free(c->threads);
	free(c->q);
	free(c);
	return NULL;
}

bool kg_closer_put(struct kg_closer *c, const int *fds, size_t n)
{
	struct kg_job j;
	bool ok = false;

	if (!c || n > KG_CLOSER_FDS)
		return false;
	for (size_t i = 0; i < KG_CLOSER_FDS; i++)
		j.fd[i] = i < n ? fds[i] : -1;
	pthread_mutex_lock(&c->mu);
	if (c->n < c->cap && !c->stop) {
		c->q[(c->head + c->n) % c->cap] = j;
		c->n++;
		c->pending++;
		pthread_cond_signal(&c->work);
		ok = true;
	}
	pthread_mutex_unlock(&c->mu);
	return ok;
}

size_t kg_closer_pending(struct kg_closer *c)
{
	size_t n;

	if (!c)
		return 0;
	pthread_mutex_lock(&c->mu);
	n = c->pending;
	pthread_mutex_unlock(&c->mu);
	return n;
}

int kg_closer_fd(const struct kg_closer *c)
{
	return c ? c->efd : -1;
}

void kg_closer_ack(struct kg_closer *c)
{
	uint64_t v;

	if (c)
		(void)!read(c->efd, &v, sizeof(v));
}

void kg_closer_drain(struct kg_closer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	while (c->pending)
		pthread_cond_wait(&c->idle, &c->mu);
	pthread_mutex_unlock(&c->mu);
}

void kg_closer_free(struct kg_closer *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;   /* the workers finish the queue first */
	pthread_cond_broadcast(&c->work);
	pthread_mutex_unlock(&c->mu);
	for (unsigned i = 0; i < c->n_threads; i++)
		pthread_join(c->threads[i], NULL);
	pthread_cond_destroy(&c->idle);
	pthread_cond_destroy(&c->work);
	pthread_mutex_destroy(&c->mu);
	close(c->efd);
	free(c->threads);
	free(c->q);
	free(c);
}
