/*===- icl_cuda.h - The CUDA backend of the icl runtime -----------*- C -*-===*\
 *
 * Device memory, copies and kernel launches on an NVIDIA GPU through the CUDA
 * driver API. The driver is loaded with dlopen("libcuda.so.1") at the first
 * call, so a program linking this runs on machines without a GPU; there every
 * call fails cleanly with a message saying so.
 *
 * Two sets of functions live here, both implemented in icl_cuda.c:
 *  - icl_cuda_*: what the runtime (icl_runtime.cpp) and compiled host code use;
 *  - mgpu*: the functions MLIR's gpu-to-llvm lowering and gpu.binary
 *    translation call from compiled host code (MLIR 22's signatures).
 *
 * Errors are sticky: the first failure stores a message (icl_cuda_error) and,
 * until icl_cuda_clear_error, later calls that would copy, set memory,
 * allocate or launch do nothing. Nothing here prints or aborts.
 *
 * Streams: all work of a thread goes to one CUDA stream, the one set by
 * icl_cuda_set_stream in that thread (NULL, the legacy default stream, unless
 * set). Memory freed to the pool is reused only for work on the stream it was
 * freed on, which orders the reuse after every earlier use.
 *
\*===----------------------------------------------------------------------===*/

#ifndef ICL_CUDA_H
#define ICL_CUDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*===--- icl's functions -------------------------------------------------===*/

/* 0 if a usable GPU is there (the device of ICL_CUDA_DEVICE, default 0), else
 * 1 with icl_cuda_error() saying why. Every other function initialises the
 * backend too; calling this first is only needed to ask. */
int icl_cuda_init(void);
/* The pending error message, "" if none. */
const char *icl_cuda_error(void);
void icl_cuda_clear_error(void);

/* Writes e.g. "NVIDIA H200 (sm_90, 132 SMs)" into buf; 0 on success. */
int icl_cuda_device_name(char *buf, int size);
/* 10 * major + minor (90 for sm_90), -1 without a usable GPU. */
int icl_cuda_compute_capability(void);

/* Device memory from the caching pool, for work on the calling thread's
 * stream; NULL (and an error) on failure. Freeing returns the block to the
 * pool, it does not wait for work still using it. */
void *icl_cuda_alloc(uint64_t bytes);
void icl_cuda_free(void *ptr);
/* Copies bytes in any direction (unified addressing: host or device pointers
 * on either side), ordered after the work queued on the calling thread's
 * stream, and returns when the copy is done. 0 on success. */
int icl_cuda_copy(void *dst, const void *src, uint64_t bytes);

/* The `bytes` (1 to 8) at device address `address`, copied to the host after
 * the work queued on the stream so far, in the low bytes of the result (0 when
 * the copy fails; icl_cuda_error says why). Compiled host code reads the
 * scalars it branches on with this (icl-gpu-host-reads). */
int64_t icl_cuda_read_scalar(int64_t address, int32_t bytes);
/* Waits for all queued GPU work (cuCtxSynchronize); a kernel that failed
 * while running is reported here. 0 on success. */
int icl_cuda_synchronize(void);
/* The CUstream the calling thread's copies and launches go to (NULL: the
 * legacy default stream). */
void icl_cuda_set_stream(void *stream);
/* A device copy of a read-only host buffer (weights compiled into a model
 * library): uploaded at the first call for (host, bytes), then the same
 * device pointer for the process lifetime. NULL (and an error) on failure. */
void *icl_cuda_resident(const void *host, uint64_t bytes);

/*===--- The MLIR GPU runtime ABI -----------------------------------------===*/

/* Modules: PTX text (JIT-compiled by the driver, optLevel 0..4) or a
 * cubin/fatbin image. NULL on failure, with the JIT log in the error. */
void *mgpuModuleLoadJIT(void *ptx, int optLevel);
void *mgpuModuleLoad(void *data, size_t size);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                      intptr_t blockX, intptr_t blockY, intptr_t blockZ, int32_t smem,
                      void *stream, void **params, void **extra, size_t paramsCount);

/* The calling thread's stream (icl_cuda_set_stream); never creates one.
 * Synchronisation is a no-op unless ICL_CUDA_SYNC=1: all work is ordered on
 * one stream and the runtime synchronises before reading results. Events are
 * not needed for that order: they are NULL and their functions do nothing. */
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);

/* Pooled device memory (isHostShared is ignored: always device memory). */
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
/* Selects the device before the backend starts (overrides ICL_CUDA_DEVICE). */
void mgpuSetDefaultDevice(int32_t device);

#ifdef __cplusplus
}
#endif

#endif /* ICL_CUDA_H */
