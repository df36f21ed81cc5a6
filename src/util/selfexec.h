/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/*
 * Re-executes the running binary from a sealed memfd copy, once. A process that enters a
 * container (attach, execute, the monitor) is then backed by an anonymous, write-sealed file:
 * a container root that reaches /proc/PID/exe cannot overwrite the host's nook binary
 * (CVE-2019-5736, as runc and crun guard against it).
 *
 * Of an ELF file, the copies hold what running it needs (up to the end of the last segment);
 * section headers, symbols and debug info stay out, which makes them several times smaller.
 */
int nk_selfexec_sealed(char **argv);
/* An O_CLOEXEC fd of a sealed memfd copy of path (used to run nook-init inside a rootfs). */
int nk_sealed_copy(const char *path);
