# SPDX-License-Identifier: GPL-2.0
# The VM rig's own tests run on the host and boot the VM themselves.
SCRIPT_TESTS += rig/vm_run_test.sh
HOST_TESTS += rig/vm_run_test.sh
