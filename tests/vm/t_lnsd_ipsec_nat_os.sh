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
# DPD: 10 s of silence, then 20 s for the answer. With 5 and 10 on 6.1 under
# TCG a busy client charon answered an R_U_THERE 6 s late during the six
# negotiations, and charon on the LNS declared it dead.
export NAT_IPSEC="legacy-proposals = yes
dpd-delay = 10
dpd-timeout = 20"
export NAT_REKEY=0 NAT_DPD=1 NAT_PINGS=5
exec "$(dirname "$0")/t_lnsd_ipsec_nat.sh"
