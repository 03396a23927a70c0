/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An interface name from a template with one %d ([ppp] ifname, "l2tp%d")
 * and a unit number: the one formatter for the name lnsd gives a pppN at
 * creation (dp_kernel) and when it renames one (pw_ppp).
 */
#ifndef LNS_IFNAME_H
#define LNS_IFNAME_H

#include <stdbool.h>
#include <stddef.h>

/*
 * fmt with its %d replaced by unit, in buf (len bytes). False, buf then
 * undefined, when fmt is NULL or has no %d, or when the name does not fit
 * in len or in an interface name (15 characters).
 */
bool lns_ifname_unit(const char *fmt, int unit, char *buf, size_t len);

#endif
