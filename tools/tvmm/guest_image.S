/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The default guest mini-OS, embedded: tools/tvmm/tvmm.mk builds the flat
 * image and passes its path in TVMM_GUEST_BIN.
 */
	.section .rodata
	.balign 4096
	.globl tvmm_guest_image, tvmm_guest_image_end
tvmm_guest_image:
	.incbin TVMM_GUEST_BIN
tvmm_guest_image_end:
	.section .note.GNU-stack, "", @progbits
