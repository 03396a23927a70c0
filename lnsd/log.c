// SPDX-License-Identifier: GPL-2.0-or-later
/* Logging: stderr or syslog, and a per-reason rate limiter for notices. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static bool log_fg = true;
static enum log_level log_lvl = LOG_LVL_INFO;

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "error",   [LOG_LVL_WARNING] = "warning", [LOG_LVL_NOTICE] = "notice",
	[LOG_LVL_INFO] = "info",   [LOG_LVL_DEBUG] = "debug",
};

void log_init(bool foreground, enum log_level level)
{
	log_fg = foreground;
	log_lvl = level;
	if (!foreground)
		openlog("lnsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	log_lvl = level;
}

enum log_level log_get_level(void)
{
	return log_lvl;
}

int log_level_parse(const char *s)
{
	for (int i = LOG_LVL_ERR; i <= LOG_LVL_DEBUG; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

const char *log_level_str(enum log_level level)
{
	if (level < LOG_LVL_ERR || level > LOG_LVL_DEBUG)
		return "?";
	return level_names[level];
}

const char *log_strn(char buf[LOG_STR_SIZE], const void *p, size_t n)
{
	stresc(buf, LOG_STR_SIZE, p, n, STRESC_QUOTE);
	return buf;
}

/*
 * The longest line before the guard: a few quoted names at their longest
 * (a DAE request names three) and lnsd's own words fit.
 */
#define LOG_LINE_MAX 4096

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX], out[STRESC_SIZE(LOG_LINE_MAX)];
	int n;

	if (level > log_lvl)
		return;
	/*
	 * The guard: a byte outside printable ASCII that a call site let through
	 * unquoted still cannot end the line or reach a terminal.
	 */
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(line)) {
		stresc(out, sizeof(out), line, (size_t)n, STRESC_CTRL);
	} else {
		stresc(out, sizeof(out), line, sizeof(line) - 1, STRESC_CTRL);
		strcat(out, "...");   /* out has room: STRESC_SIZE counts quotes we did not add */
	}
	if (!log_fg) {
		syslog((int)level, "%s", out);
		return;
	}
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ld %s: %s\n", stamp, ts.tv_nsec / 1000000, level_names[level], out);
	funlockfile(stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/*
 * Rate limiter slots, keyed by the reason pointer. The set of reasons is
 * small and static (the lib's drop reasons plus ours); if the table is full
 * the oldest window is recycled, which can only let a few more lines through.
 */
#define RL_SLOTS 64
struct rl_slot {
	const char *key;
	uint64_t window_start;
	uint32_t count;
	uint32_t suppressed;
};
static struct rl_slot rl_table[RL_SLOTS];

static struct rl_slot *rl_find(const char *key)
{
	size_t h = ((uintptr_t)key >> 3) % RL_SLOTS;
	struct rl_slot *oldest = &rl_table[h];

	for (size_t i = 0; i < RL_SLOTS; i++) {
		struct rl_slot *s = &rl_table[(h + i) % RL_SLOTS];

		if (s->key == key)
			return s;
		if (!s->key) {
			s->key = key;
			return s;
		}
		if (s->window_start < oldest->window_start)
			oldest = s;
	}
	memset(oldest, 0, sizeof(*oldest));
	oldest->key = key;
	return oldest;
}

void log_ratelimited(uint64_t now_ms, const char *reason, const char *fmt, ...)
{
	struct rl_slot *s = rl_find(reason);
	va_list ap;
	char line[512];

	if (now_ms - s->window_start >= 1000) {
		if (s->suppressed)
			log_notice("%s: %u similar messages suppressed", reason, s->suppressed);
		s->window_start = now_ms;
		s->count = 0;
		s->suppressed = 0;
	}
	if (s->count >= LOG_RATELIMIT_BURST) {
		s->suppressed++;
		return;
	}
	s->count++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_notice("%s", line);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("lnsd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (!log_fg) {
		va_start(ap, fmt);
		vsyslog(LOG_ERR, fmt, ap);
		va_end(ap);
	}
	exit(1);
}
