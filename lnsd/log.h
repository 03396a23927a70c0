/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging for the daemon: stderr in foreground mode, syslog otherwise.
 * Every line about a tunnel or session carries its prefix
 * ("tunnel 12/34 192.0.2.1:1701", "session 12/34 5/6 192.0.2.1:1701").
 * Notices about dropped or refused packets go through a per-reason rate
 * limiter so a flood cannot flood the log.
 */
#ifndef LNSD_LOG_H
#define LNSD_LOG_H

#include <stdbool.h>
#include <stdint.h>

/* Same numbers as syslog priorities, so they pass straight through. */
enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARNING = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* Lines per second per reason before notices are suppressed. */
#define LOG_RATELIMIT_BURST 10

void log_init(bool foreground, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error" / "warning" / "notice" / "info" / "debug"; -1 if unknown. */
int log_level_parse(const char *s);
const char *log_level_str(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/*
 * A rate-limited notice, keyed by reason (a static string: the pointer is
 * the key). At most LOG_RATELIMIT_BURST lines per reason per second; the
 * first line after a suppressed period says how many were suppressed.
 */
void log_ratelimited(uint64_t now_ms, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Startup failure: print and exit(1). Only before the event loop runs. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
