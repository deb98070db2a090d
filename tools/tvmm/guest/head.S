/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest mini-OS entry and trap stubs: the image header tvmm validates,
 * the 64-bit entry (tvmm already set up long mode), the exception and
 * int 0x80 stubs that build struct trap_frame, and the enter/leave pair
 * for CPL3. A trap that tvmm forwarded to this vCPU returns through
 * tvmm's return-from-trap at TVMM_VMM_IRET_GPA instead of its own iretq
 * (the para-virtual return): trap_dispatch() says which.
 */
#include "abi.h"

#define STACK_SIZE 16384

	.section .head, "a"
	.ascii TVMM_IMAGE_MAGIC
	.quad __image_start
	.quad _start
	.quad __image_end
	.quad __bss_end

	.text
	.globl _start
_start:				/* rdi = vCPU index, set by tvmm */
	mov %rdi, %rax
	inc %rax
	shl $14, %rax
	lea kernel_stacks(%rip), %rsp
	add %rax, %rsp
	call kmain
1:	hlt
	jmp 1b

.macro TRAP vec, has_err
	.align 16
	.globl trap_\vec
trap_\vec:
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
.endm

	.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
	TRAP \v, 0
	.endr
	.irp v, 8,10,11,12,13,14,17,21,29,30
	TRAP \v, 1
	.endr
	TRAP 128, 0
	TRAP 32, 0		/* TVMM_VEC_TIMER */
	TRAP 33, 0		/* TVMM_VEC_IPI */
	TRAP 255, 0		/* TVMM_VEC_SPURIOUS */

trap_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	call trap_dispatch
	movzbl %al, %eax	/* a C bool: only %al is defined */
	mov %rax, 15*8(%rsp)	/* the vector's slot: 1 = return via tvmm */
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	cmpq $0, (%rsp)
	lea 16(%rsp), %rsp	/* vector and error code; flags kept */
	jne 1f
	iretq
1:	jmp TVMM_VMM_IRET_GPA	/* tvmm's: its exit, then its iretq */

/* user_enter(entry, ustack, arg, &saved_rsp): run at CPL3 until user_return */
	.globl user_enter
user_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rcx)
	pushq $TVMM_SEL_UDATA
	push %rsi
	pushq $0x2		/* RFLAGS: IF clear, IOPL 0 */
	pushq $TVMM_SEL_UCODE
	push %rdi
	mov %rdx, %rdi
	xor %eax, %eax
	xor %ebx, %ebx
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %ebp, %ebp
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	iretq

/* user_return(&saved_rsp, code): back to user_enter's caller */
	.globl user_return
user_return:
	mov (%rdi), %rsp
	mov %rsi, %rax
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

	.section .rodata
	.align 8
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_\v
	.endr

	.bss
	.align 4096
kernel_stacks:
	.space STACK_SIZE * TVMM_MAX_VCPUS
	.globl trap_stack_base
trap_stack_base:
	.space STACK_SIZE * TVMM_MAX_VCPUS

	.section .note.GNU-stack, "", @progbits
