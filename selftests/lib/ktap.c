// SPDX-License-Identifier: GPL-2.0
/* The one KTAP state every selftest binary links in. */
#include "ktap.h"

KTAP_DEFINE_STATE;
