/* Runs the tiny GPT-style model compiled ahead of time into a shared library:
 *
 *   icl-compile examples/models/tiny_gpt.mlir -o libtiny_gpt.so   # also writes libtiny_gpt.h
 *   cc examples/c/run_tiny_gpt.c -I. -L. -ltiny_gpt -Wl,-rpath,. -o run_tiny_gpt
 *   ./run_tiny_gpt 1 2 3 4 5 6 7 8
 *
 * It prints the logits of every position and the most likely next token. */
#include "libtiny_gpt.h"

#include <stdio.h>
#include <stdlib.h>

enum { T = 8, VOCAB = 32 };

int main(int argc, char **argv) {
  int64_t ids[T] = {1, 5, 9, 2, 6, 3, 7, 4};
  for (int i = 1; i < argc && i <= T; ++i)
    ids[i - 1] = atoll(argv[i]);
  float logits[T * VOCAB];
  if (icl_model_tiny_gpt(ids, logits) != 0) {
    fprintf(stderr, "run_tiny_gpt: a token id is outside [0, %d)\n", VOCAB);
    return 1;
  }
  for (int t = 0; t < T; ++t) {
    int best = 0;
    printf("position %d:", t);
    for (int v = 0; v < VOCAB; ++v) {
      printf(" %.6g", logits[t * VOCAB + v]);
      if (logits[t * VOCAB + v] > logits[t * VOCAB + best])
        best = v;
    }
    printf("\nnext token %d\n", best);
  }
  return 0;
}
