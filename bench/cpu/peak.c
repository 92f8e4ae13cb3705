/* The machine's fp32 FMA peak, the yardstick for "fraction of peak" in
 * docs/benchmarks.md: every thread runs independent chains of fused
 * multiply-adds on the widest vectors the compiler targets (-march=native).
 *   cc -O2 -march=native -fopenmp bench/cpu/peak.c -o peak && ./peak [THREADS]
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define LANES 16 /* one AVX-512 register, or two AVX2 ones */
#define CHAINS 12 /* enough independent FMAs to cover latency × ports */
typedef float vec __attribute__((vector_size(LANES * sizeof(float))));

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : omp_get_max_threads();
  const long steps = 200000000L;
  float sink = 0;
  double start = omp_get_wtime();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
  {
    vec acc[CHAINS], a, b;
    for (int l = 0; l < LANES; ++l) {
      a[l] = 0.999999f;
      b[l] = 1e-7f * (float)(omp_get_thread_num() + 1);
    }
    for (int c = 0; c < CHAINS; ++c)
      acc[c] = a * (float)c;
    for (long s = 0; s < steps; ++s) {
      /* Unrolled, the chains live in registers. */
#pragma GCC unroll 16
      for (int c = 0; c < CHAINS; ++c)
        acc[c] = acc[c] * a + b;
    }
    for (int c = 0; c < CHAINS; ++c)
      for (int l = 0; l < LANES; ++l)
        sink += acc[c][l];
  }
  double seconds = omp_get_wtime() - start;
  double flops = 2.0 * LANES * CHAINS * (double)steps * threads;
  printf("fp32 FMA peak: %.1f GFLOP/s on %d threads (%.1f per thread; checksum %g)\n",
         flops / seconds / 1e9, threads, flops / seconds / 1e9 / threads, sink);
  return 0;
}
