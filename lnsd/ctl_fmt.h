/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Human-readable rendering of control-socket results, shared by lnsctl and
 * the unit tests: aligned tables for show tunnels / sessions, indented
 * key: value lines for show stats.
 */
#ifndef LNSD_CTL_FMT_H
#define LNSD_CTL_FMT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* "45s", "12m03s", "3h04m", "2d03h". */
char *ctl_fmt_uptime(uint64_t s, char *buf, size_t len);

void ctl_fmt_tunnels(FILE *f, const json_t *arr);
void ctl_fmt_sessions(FILE *f, const json_t *arr);
void ctl_fmt_stats(FILE *f, const json_t *obj);

#endif
