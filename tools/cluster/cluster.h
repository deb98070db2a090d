/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subcommands of smpkit-cluster, one file each: sim (simcmd.c), node
 * (node/daemon.c), fence-kill, the lab's power-fence agent
 * (node/fencekill.c), and fence-qemu, the one for a QEMU VM
 * (node/fenceqemu.c). The lab itself is shell (lab/lab.sh).
 */
#ifndef CL_CLUSTER_H
#define CL_CLUSTER_H

int cmd_sim(int argc, char **argv);
int cmd_node(int argc, char **argv);
int cmd_fence_kill(int argc, char **argv);
int cmd_fence_qemu(int argc, char **argv);

#endif
