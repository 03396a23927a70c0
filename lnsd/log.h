/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging for the daemon: stderr in foreground mode, syslog otherwise.
 * Every line about a tunnel or session carries its prefix
 * ("tunnel 12/34 192.0.2.1:1701", "session 12/34 5/6 192.0.2.1:1701").
 * Notices about dropped or refused packets go through a per-reason rate
 * limiter so a flood cannot flood the log.
 *
 * Text that came from outside lnsd (a peer's Host Name, a PPP user name, a
 * RADIUS Reply-Message, charon's error text, a DAE client's User-Name...)
 * goes into a line only as LOG_STR(s) or LOG_STRN(p, n) for a "%s": the
 * bytes in double quotes, escaped as stresc.h says (\n, \", \x1b...), so
 * one event stays one line and the name can be read back exactly. As a last
 * guard log_msg() itself writes every byte outside printable ASCII that
 * still reaches it as \xHH (or \n, \r, \t).
 */
#ifndef LNSD_LOG_H
#define LNSD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stresc.h"

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

/*
 * LOG_STR(s): the C string s quoted and escaped, for a "%s" of a log call;
 * LOG_STRN(p, n): the same for n counted bytes (a NUL among them shows as
 * \x00). The text lives in a compound literal of the calling block. A name
 * of up to LOG_STR_MAX bytes is never cut; longer text shows at least that
 * much and ends in "...".
 */
#define LOG_STR_MAX 256
#define LOG_STR_SIZE (STRESC_SIZE(LOG_STR_MAX) + 3)
#define LOG_STRN(p, n) log_strn((char[LOG_STR_SIZE]){ 0 }, (p), (n))
#define LOG_STR(s) log_strn((char[LOG_STR_SIZE]){ 0 }, (s), strlen(s))
const char *log_strn(char buf[LOG_STR_SIZE], const void *p, size_t n);

/* Startup failure: print and exit(1). Only before the event loop runs. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
