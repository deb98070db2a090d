// SPDX-License-Identifier: GPL-2.0
/*
 * tpkeep: a helper of the VM rig, not part of wsched. Loaded once when a
 * test guest boots, it puts two empty probes on each tracepoint wsched
 * hooks, so that wsched's insmod and rmmod, which the selftests do dozens
 * of times per boot, never rewrite kernel text.
 *
 * A tracepoint's first probe flips its static key and its second moves
 * its static call to the iterator; both patch code with int3 and IPIs.
 * Under QEMU's multi-threaded TCG a vCPU can still run the old
 * translation of a patched site after the patch completed: it traps on
 * an int3 the kernel no longer knows ("int3: 0000 [#1]" in __schedule)
 * or the patching vCPU waits for ever. With two probes in place, a third
 * comes and goes without touching either. Documentation/vm-rig.rst has
 * the story.
 *
 * The same holds for wsched's kprobes (../yield.c, ../getaffinity.c):
 * tpkeep puts an empty one on each site first, so wsched's attach to it
 * instead of patching the site again. Kernels without kprobes skip this.
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

/* The tracepoints of ../hooks.c: the two lists must name the same ones. */
static const char *const tpkeep_names[] = {
	"sched_switch", "sched_process_fork", "sched_process_exit",
	"sched_waking", "signal_deliver",
};

static struct tracepoint *tpkeep_tps[ARRAY_SIZE(tpkeep_names)];

/* One function registered twice needs two distinct data pointers. */
static int tpkeep_cookies[2];

/*
 * Called with each tracepoint's own arguments after @data; it reads none,
 * and on x86-64 the caller owns the argument registers.
 */
static void tpkeep_probe(void *data)
{
}

static int tpkeep_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	return 0;
}

static int tpkeep_kretprobe_ret(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	return 0;
}

/* The sites of ../yield.c and ../getaffinity.c. */
static struct kprobe tpkeep_kp = {
	.symbol_name = "__x64_sys_sched_yield",
	.pre_handler = tpkeep_kprobe_pre,
};
static struct kretprobe tpkeep_krp = {
	.kp.symbol_name = "sched_getaffinity",
	.handler = tpkeep_kretprobe_ret,
};
static bool tpkeep_kp_on, tpkeep_krp_on;

static void tpkeep_find(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tpkeep_names); i++)
		if (!strcmp(tp->name, tpkeep_names[i]))
			tpkeep_tps[i] = tp;
}

static void tpkeep_unregister(unsigned int n)
{
	while (n--)
		tracepoint_probe_unregister(tpkeep_tps[n / 2], tpkeep_probe,
					    &tpkeep_cookies[n % 2]);
	tracepoint_synchronize_unregister();
}

static int __init tpkeep_init(void)
{
	unsigned int n;
	int ret;

	for_each_kernel_tracepoint(tpkeep_find, NULL);
	for (n = 0; n < 2 * ARRAY_SIZE(tpkeep_tps); n++) {
		if (!tpkeep_tps[n / 2]) {
			pr_err("tpkeep: tracepoint %s not found\n",
			       tpkeep_names[n / 2]);
			ret = -ENOENT;
			goto undo;
		}
		ret = tracepoint_probe_register(tpkeep_tps[n / 2], tpkeep_probe,
						&tpkeep_cookies[n % 2]);
		if (ret)
			goto undo;
	}
	tpkeep_kp_on = !register_kprobe(&tpkeep_kp);
	tpkeep_krp_on = !register_kretprobe(&tpkeep_krp);
	return 0;
undo:
	tpkeep_unregister(n);
	return ret;
}

static void __exit tpkeep_exit(void)
{
	if (tpkeep_kp_on)
		unregister_kprobe(&tpkeep_kp);
	if (tpkeep_krp_on)
		unregister_kretprobe(&tpkeep_krp);
	tpkeep_unregister(2 * ARRAY_SIZE(tpkeep_tps));
}

module_init(tpkeep_init);
module_exit(tpkeep_exit);
MODULE_DESCRIPTION("smpkit VM rig: keeps wsched's tracepoints patched");
MODULE_LICENSE("GPL");
