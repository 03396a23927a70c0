// SPDX-License-Identifier: GPL-2.0-or-later
/* lnsd: L2TP Network Server. Startup, signals and the event loop. */
#include <errno.h>
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "conf.h"
#include "ctl.h"
#include "dae.h"
#include "dp.h"
#include "engine.h"
#include "log.h"
#include "metrics.h"

/* How long SIGTERM waits for peers to acknowledge StopCCN. */
#define SHUTDOWN_GRACE_MS 2000
/* How often systemd's STATUS= line (systemctl status lnsd) is refreshed. */
#define NOTIFY_STATUS_S 5.0

static struct engine *eng;
static ev_timer status_timer;   /* STATUS= refresh, only under a service manager */

/*
 * sd_notify(3) to the service manager: a no-op without $NOTIFY_SOCKET (not
 * started by systemd with Type=notify) or when built without libsystemd.
 */
static void notify(const char *state)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

static void notify_status(void)
{
	struct l2tp_lns *lns = engine_lns(eng);
	char buf[96];

	snprintf(buf, sizeof(buf), "STATUS=%u tunnels, %u sessions", l2tp_lns_n_tunnels(lns),
		 l2tp_lns_n_sessions(lns));
	notify(buf);
}

static void status_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	notify_status();
}

/*
 * systemd >= 253 wants MONOTONIC_USEC with RELOADING=1 so that it can tell
 * this reload from an earlier one; older versions ignore the field.
 */
static void notify_reloading(void)
{
	struct timespec ts;
	char buf[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	notify(buf);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lnsd [-f] [-c FILE] [-t | -p]\n"
		"  -c FILE   configuration (default " CONF_DEFAULT_PATH
		"; without it the embedded default)\n"
		"  -f        stay in the foreground and log to stderr (otherwise syslog)\n"
		"  -t        check the configuration and exit\n"
		"  -p        print the effective configuration and exit\n"
		"  -V        print the version and exit\n");
}

static void sig_term(struct ev_loop *loop, ev_signal *w, int revents)
{
	static bool again;

	if (again) {
		log_notice("second signal: exiting now");
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	again = true;
	ev_timer_stop(loop, &status_timer);   /* keep the shutdown STATUS */
	notify("STOPPING=1\nSTATUS=shutting down: StopCCN to every peer");
	log_notice("signal %d: shutting down", w->signum);
	engine_shutdown(eng, SHUTDOWN_GRACE_MS);
}

static void sig_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	char err[CONF_ERR_LEN];

	notify_reloading();
	if (engine_reload(eng, err, sizeof(err)))
		log_err("reload failed, keeping the running configuration: %s", err);
	notify_status();
	notify("READY=1");
}

/* Three fds per kernel PPP session plus one per tunnel (docs/design.md §4.3). */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("cannot raise the open file limit: %s", strerror(errno));
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_info("open file limit %llu", (unsigned long long)rl.rlim_cur);
}

/*
 * dataplane = kernel refuses to start without the kernel data plane; auto
 * falls back to control plane only, with a warning that names what is
 * missing. Configuration errors ([ppp] users-file) are fatal either way.
 */
static void setup_dataplane(struct engine *e, const struct lnsd_conf *c)
{
	char err[CONF_ERR_LEN], missing[256];
	struct dp *dp;
	int rc;

	if (c->dataplane == CONF_DP_NONE) {
		log_notice("data plane: none (control plane only): dataplane = none");
		return;
	}
	if (!dp_kernel_probe(missing, sizeof(missing))) {
		if (c->dataplane == CONF_DP_KERNEL)
			fatal("dataplane = kernel, but the kernel data plane is not usable: %s",
			      missing);
		log_warn("data plane: none (CONTROL PLANE ONLY, sessions carry no traffic): %s",
			 missing);
		return;
	}
	dp = dp_kernel_new(err, sizeof(err));
	rc = dp ? engine_set_dataplane(e, dp, err, sizeof(err)) : -ENODEV;
	if (rc == -EINVAL || (rc && c->dataplane == CONF_DP_KERNEL))
		fatal("%s", err);
	if (rc) {
		log_warn("data plane: none (CONTROL PLANE ONLY, sessions carry no traffic): %s",
			 err);
		return;
	}
	log_notice("data plane: kernel (managed L2TP tunnels, PPP negotiated in lnsd)");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool foreground = false, test = false, print = false;
	char err[CONF_ERR_LEN];
	struct lnsd_conf *conf;
	struct ev_loop *loop;
	struct ctl *ctl;
	struct metrics *metrics = NULL;
	struct dae *dae = NULL;
	ev_signal s_term, s_int, s_hup;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:ftpVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 't':
			test = true;
			break;
		case 'p':
			print = true;
			break;
		case 'V':
			printf("lnsd %s\n", LNSD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	log_init(foreground || test || print, LOG_LVL_INFO);
	if (!path && access(CONF_DEFAULT_PATH, F_OK) == 0)
		path = CONF_DEFAULT_PATH;
	if (path)
		conf = conf_load_file(path, err, sizeof(err));
	else
		conf = conf_load_string(conf_embedded_default, "(embedded default)", err,
					sizeof(err));
	if (!conf)
		fatal("%s", err);
	/* the same file checks for -t and a start, whatever the data plane */
	if (!print && conf_check_files(conf, err, sizeof(err)))
		fatal("%s", err);
	if (test) {
		printf("lnsd: %s: configuration OK\n", conf->path);
		conf_unref(conf);
		return 0;
	}
	if (print) {
		conf_dump(conf, stdout, 0);
		conf_unref(conf);
		return 0;
	}
	log_set_level((enum log_level)conf->log_level);
	log_notice("lnsd %s starting with %s", LNSD_VERSION,
		   path ? path : "the embedded default configuration (no " CONF_DEFAULT_PATH ")");
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);

	loop = ev_default_loop(EVFLAG_AUTO | EVFLAG_NOENV);
	if (!loop)
		fatal("cannot initialise the event loop");
	eng = engine_new(loop, conf, path, err, sizeof(err));
	if (!eng)
		fatal("%s", err);
	setup_dataplane(eng, conf);
	ctl = ctl_new(loop, conf->control_socket, eng, err, sizeof(err));
	if (!ctl)
		fatal("%s", err);
	log_notice("control socket %s", conf->control_socket);
	if (conf->metrics.family) {
		metrics = metrics_new(loop, eng, &conf->metrics, err, sizeof(err));
		if (!metrics)
			fatal("%s", err);
	}
	if (conf->radius.dae_listen.family) {
		dae = dae_new(loop, eng, err, sizeof(err));
		if (!dae)
			fatal("%s", err);
		metrics_set_dae(metrics, dae);
	}
	conf_unref(conf);   /* the engine holds its own reference */

	ev_signal_init(&s_term, sig_term, SIGTERM);
	ev_signal_init(&s_int, sig_term, SIGINT);
	ev_signal_init(&s_hup, sig_hup, SIGHUP);
	ev_signal_start(loop, &s_term);
	ev_signal_start(loop, &s_int);
	ev_signal_start(loop, &s_hup);
	/* Listeners, control socket and metrics are open: systemd may start what follows us. */
	notify_status();
	notify("READY=1");
	ev_timer_init(&status_timer, status_tick, NOTIFY_STATUS_S, NOTIFY_STATUS_S);
	if (getenv("NOTIFY_SOCKET"))
		ev_timer_start(loop, &status_timer);

	ev_run(loop, 0);

	metrics_free(metrics);
	dae_free(dae);
	ctl_free(ctl);
	engine_free(eng);
	log_notice("stopped");
	ev_loop_destroy(loop);
	return 0;
}
