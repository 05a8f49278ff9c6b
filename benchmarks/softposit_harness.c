/*
 * softposit_harness.c: SoftPosit's own C functions in tight loops, for benchmarks/bench_posit.py
 * (throughput) and benchmarks/posit16_exhaustive.py (every pair, row by row).
 *
 * Built as a shared library and loaded with ctypes into the Python process that has imported the
 * `softposit` wheel's extension (_softposit*.so). That extension exports p16_add, p16_mul, p32_add,
 * p32_mul, pX2_add and pX2_mul as ordinary C symbols; its SWIG glue needs libpython's symbols,
 * which the importing process already provides, so dlopen() on the same path finds the loaded copy.
 *
 * posit16_t, posit32_t and posit_2_t are SoftPosit structs holding one uint16_t / uint32_t /
 * uint32_t (posit_2_t: the code left-aligned in 32 bits, here posit<16,2>) passed by value; the
 * typedefs below mirror them.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

typedef struct { uint16_t v; } posit16_t;
typedef struct { uint32_t v; } posit32_t;
typedef struct { uint32_t v; } posit_2_t;

typedef posit16_t (*p16_fn)(posit16_t, posit16_t);
typedef posit32_t (*p32_fn)(posit32_t, posit32_t);
typedef posit_2_t (*px2_fn)(posit_2_t, posit_2_t, int);

/* Operation numbers of sp_run: keep in step with SP_OPS in bench_posit.py. */
enum { P16_ADD, P16_MUL, P32_ADD, P32_MUL, PX2_16_ADD, PX2_16_MUL, N_OPS };
static const char *const names[N_OPS] = {"p16_add", "p16_mul", "p32_add", "p32_mul", "pX2_add", "pX2_mul"};
static void *fns[N_OPS];

/* Find the functions in the extension at `path`: 0 on success, else the number of the missing one + 1. */
int sp_init(const char *path)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return N_OPS + 1;
    for (int op = 0; op < N_OPS; op++)
        if (!(fns[op] = dlsym(lib, names[op])))
            return op + 1;
    return 0;
}

/* One call per pair, one thread: out[i] = op(a[i], b[i]) for i < n. The codes are uint32_t for
 * P32_*, else uint16_t (posit<16,2> codes are aligned to the left of posit_2_t and back). */
void sp_run(int op, const void *a, const void *b, void *out, size_t n)
{
    const uint16_t *a16 = a, *b16 = b;
    const uint32_t *a32 = a, *b32 = b;
    uint16_t *o16 = out;
    uint32_t *o32 = out;
    switch (op) { /* outside the loops, and the function pointer in a local: each loop is one call per pair */
    case P16_ADD:
    case P16_MUL: {
        p16_fn f = (p16_fn)fns[op];
        for (size_t i = 0; i < n; i++)
            o16[i] = f((posit16_t){a16[i]}, (posit16_t){b16[i]}).v;
        break;
    }
    case P32_ADD:
    case P32_MUL: {
        p32_fn f = (p32_fn)fns[op];
        for (size_t i = 0; i < n; i++)
            o32[i] = f((posit32_t){a32[i]}, (posit32_t){b32[i]}).v;
        break;
    }
    case PX2_16_ADD:
    case PX2_16_MUL: {
        px2_fn f = (px2_fn)fns[op];
        for (size_t i = 0; i < n; i++)
            o16[i] = f((posit_2_t){(uint32_t)a16[i] << 16}, (posit_2_t){(uint32_t)b16[i] << 16}, 16).v >> 16;
        break;
    }
    }
}
