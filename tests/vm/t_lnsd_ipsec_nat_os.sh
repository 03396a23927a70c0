#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two clients of each native proposal profile (Windows 10/11, macOS/iOS,
# Android 11 and older; docs/design.md §5.3, §5.5) behind one NAT, dialing at
# once: t_lnsd_ipsec_nat.sh with six clients, each offering its platform's
# proposals and checked for its platform's suite, lnsd with
# legacy-proposals = yes and short DPD; the last client vanishes and DPD
# ends its tunnel only. The rekey part is t_lnsd_ipsec_nat.sh's own.
set -eu
export NAT_PROFILES="windows windows macos macos android android"
export NAT_IPSEC="legacy-proposals = yes
dpd-delay = 5
dpd-timeout = 10"
export NAT_REKEY=0 NAT_DPD=1 NAT_PINGS=5
exec "$(dirname "$0")/t_lnsd_ipsec_nat.sh"
