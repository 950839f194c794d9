/*
 * Deferred release of TorchSharp scalars.
 *
 * TorchSharp 0.107 turns a number passed to a tensor operation (x.mul_(0.9), x + 1e-8, the optimisers'
 * alpha/value arguments) into a Scalar object that owns a native c10::Scalar and frees it in its finaliser.
 * The operations do not keep that object alive while libtorch reads it, so a garbage collection started
 * by another thread during the call can run the finaliser and free the scalar mid-call: libtorch then
 * reads freed memory ("Unknown scalar type", "INTERNAL ASSERT FAILED at Scalar.h", a wrong value, or a
 * crash). See lib/Native/README.md.
 *
 * This library sits in front of libLibTorchSharp.so (it names it as a dependency, so every other symbol
 * resolves there) and replaces one function, THSTorch_dispose_scalar: instead of freeing the scalar at
 * once it parks it in a ring and frees the one parked RING_SIZE releases earlier. A scalar being read by
 * an operation in flight is thereby freed only after RING_SIZE more scalars were released, which cannot
 * happen while the thread that passed it is still inside that one call. Memory held: RING_SIZE scalars.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define RING_SIZE 65536

typedef void (*dispose_fn)(void *);

static void *ring[RING_SIZE];
static size_t next_slot;
static dispose_fn real_dispose;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void find_real_dispose(void)
{
    /* Already loaded as this library's dependency; the handle looks the name up there first. */
    void *lib = dlopen("libLibTorchSharp.so", RTLD_NOW | RTLD_NOLOAD);
    if (lib != NULL) real_dispose = (dispose_fn)dlsym(lib, "THSTorch_dispose_scalar");
    if (real_dispose == NULL) {
        fprintf(stderr, "torchsharp_scalar_shim: THSTorch_dispose_scalar not found in libLibTorchSharp.so: %s\n", dlerror());
        abort();
    }
}

void THSTorch_dispose_scalar(void *scalar)
{
    if (scalar == NULL) return;
    pthread_once(&once, find_real_dispose);
    pthread_mutex_lock(&lock);
    void *oldest = ring[next_slot];
    ring[next_slot] = scalar;
    next_slot = (next_slot + 1) % RING_SIZE;
    pthread_mutex_unlock(&lock);
    if (oldest != NULL) real_dispose(oldest);
}

/* For the tests: how many scalars are parked (at most RING_SIZE). */
size_t PianoJudges_parked_scalars(void)
{
    pthread_mutex_lock(&lock);
    size_t n = 0;
    for (size_t i = 0; i < RING_SIZE; i++) n += ring[i] != NULL;
    pthread_mutex_unlock(&lock);
    return n;
}
