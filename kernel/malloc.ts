/**
 * The C allocator settings under which CPU tensors' memory is reused, as PyTorch's is, for the
 * processes torchlab starts.
 *
 * A CPU storage is a typed array whose bytes Node gets from glibc's calloc. By default glibc
 * serves blocks above 128 KiB (moving with use) straight from mmap and returns them to the system
 * when they are freed, so every large tensor a training step creates lands on fresh pages, and
 * the first write to each 4 KiB page is a page fault: about 1 µs per page, 0.3 ms for one
 * [64, 6, 28, 28] float32 activation of LeNet, more than the arithmetic on it (measured: `neg` of
 * it 685 µs into a fresh array, 340 µs into a reused one, 441 µs fresh under these settings).
 * With mmap's threshold at its maximum (32 MiB) and the heap kept rather than trimmed, freed
 * blocks are handed out again. glibc reads these settings once, at process start, from the
 * GLIBC_TUNABLES variable, so they are set where torchlab starts processes: the Jupyter
 * kernelspec, the grading sandbox and the benchmarks. Elsewhere (musl, macOS) the variable is
 * ignored. The cost is that the process keeps up to 1 GiB of freed memory for reuse instead of
 * giving it back, as PyTorch's processes keep theirs.
 */

/** The settings, as GLIBC_TUNABLES spells them. */
export const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824';

/** GLIBC_TUNABLES with the settings added to those already in `current` (its own values win). */
export function withMallocTunables(current: string | undefined): string {
  if (!current) return MALLOC_TUNABLES;
  const mine = MALLOC_TUNABLES.split(':').filter((t) => !current.split(':').some((c) => c.split('=')[0] === t.split('=')[0]));
  return [current, ...mine].join(':');
}

/**
 * V8's setting for the same processes: the old generation starts with room for 64 MiB before its
 * first full collection (V8 derives less from the kernel's small heap, about 37 MB, and counts
 * the tensors' ArrayBuffer memory allocated since the last full collection against it). With the
 * lecture's MNIST in memory as float32 (188 MB) beside a training loop, V8 ran a full collection
 * every few steps: 87 in 540 LeNet steps, against 4 with this flag (and 64 MiB was as good as
 * 256), the step 7.6-8.3 -> 6.9-7.2 ms. V8 reads it once, when the process starts.
 */
export const V8_HEAP_FLAGS: readonly string[] = ['--initial-old-space-size=64'];

/** Whether this process started with the settings (glibc cannot take them later). */
export function mallocTuned(): boolean {
  return withMallocTunables(process.env.GLIBC_TUNABLES) === process.env.GLIBC_TUNABLES;
}
