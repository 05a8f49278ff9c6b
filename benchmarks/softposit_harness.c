/*
 * softposit_harness.c: SoftPosit's own C functions timed in a tight loop, one thread.
 *
 * The functions come from the compiled extension of the `softposit` wheel (_softposit*.so), which
 * exports p16_add, p16_mul, p32_add, p32_mul and pX2_add as ordinary C symbols. That .so also holds
 * SWIG glue referring to libpython's symbols, so libpython is dlopen()ed first with RTLD_GLOBAL to
 * let the dynamic loader resolve them; the interpreter is never initialised or called.
 *
 * posit16_t, posit32_t and posit_2_t are SoftPosit structs holding one uint16_t / uint32_t /
 * uint32_t (posit_2_t: the code left-aligned in 32 bits) and are passed by value; the typedefs below
 * mirror them.
 *
 * Usage:
 *   softposit_harness LIBPYTHON SOFTPOSIT_SO DIR N REPEAT [--write]
 *       reads DIR/p16_a.bin, DIR/p16_b.bin (N uint16 codes each) and DIR/p32_a.bin, DIR/p32_b.bin
 *       (N uint32), times each of p16_add, p16_mul, p32_add, p32_mul over the N pairs REPEAT times,
 *       and prints one line per op: "op N best_seconds Mops/s checksum" (checksum: the sum of the
 *       result codes, as uint64). --write also stores the results in DIR/<op>.out.bin.
 *   softposit_harness LIBPYTHON SOFTPOSIT_SO --exhaustive
 *       every pair of 16-bit codes through p16_add (posit<16,1>) and pX2_add(., ., 16)
 *       (posit<16,2>), printing "op pairs seconds Mops/s checksum" with
 *       checksum = sum over a, b of result * ((a << 16 | b) + 1), mod 2^64.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { uint16_t v; } posit16_t;
typedef struct { uint32_t v; } posit32_t;
typedef struct { uint32_t v; } posit_2_t;

typedef posit16_t (*p16_fn)(posit16_t, posit16_t);
typedef posit32_t (*p32_fn)(posit32_t, posit32_t);
typedef posit_2_t (*px2_fn)(posit_2_t, posit_2_t, int);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *must_sym(void *lib, const char *name) {
    void *f = dlsym(lib, name);
    if (!f) {
        fprintf(stderr, "error: %s not found in the SoftPosit library: %s\n", name, dlerror());
        exit(2);
    }
    return f;
}

static void *read_file(const char *dir, const char *name, size_t bytes) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    void *buf = malloc(bytes);
    if (!buf || fread(buf, 1, bytes, f) != bytes) { fprintf(stderr, "error: short read of %s\n", path); exit(2); }
    fclose(f);
    return buf;
}

static void write_file(const char *dir, const char *name, const void *buf, size_t bytes) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, bytes, f) != bytes) { perror(path); exit(2); }
    fclose(f);
}

static void bench16(const char *op, p16_fn f, const uint16_t *a, const uint16_t *b, uint16_t *out, size_t n,
                    int repeat) {
    double best = 1e300;
    for (int r = 0; r < repeat; r++) {
        double t = now();
        for (size_t i = 0; i < n; i++) {
            posit16_t x = {a[i]}, y = {b[i]};
            out[i] = f(x, y).v;
        }
        t = now() - t;
        if (t < best) best = t;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += out[i];
    printf("%s %zu %.6f %.2f %llu\n", op, n, best, n / best / 1e6, (unsigned long long)sum);
}

static void bench32(const char *op, p32_fn f, const uint32_t *a, const uint32_t *b, uint32_t *out, size_t n,
                    int repeat) {
    double best = 1e300;
    for (int r = 0; r < repeat; r++) {
        double t = now();
        for (size_t i = 0; i < n; i++) {
            posit32_t x = {a[i]}, y = {b[i]};
            out[i] = f(x, y).v;
        }
        t = now() - t;
        if (t < best) best = t;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += out[i];
    printf("%s %zu %.6f %.2f %llu\n", op, n, best, n / best / 1e6, (unsigned long long)sum);
}

static void exhaustive(p16_fn p16_add, px2_fn px2_add) {
    double t = now();
    uint64_t sum = 0;
    for (uint32_t a = 0; a < 65536; a++)
        for (uint32_t b = 0; b < 65536; b++) {
            posit16_t x = {(uint16_t)a}, y = {(uint16_t)b};
            sum += (uint64_t)p16_add(x, y).v * (((uint64_t)a << 16 | b) + 1);
        }
    t = now() - t;
    printf("p16_add_exhaustive 4294967296 %.3f %.2f %llu\n", t, 4294967296.0 / t / 1e6, (unsigned long long)sum);
    fflush(stdout);
    t = now();
    sum = 0;
    for (uint32_t a = 0; a < 65536; a++)
        for (uint32_t b = 0; b < 65536; b++) {
            posit_2_t x = {a << 16}, y = {b << 16};
            sum += (uint64_t)(px2_add(x, y, 16).v >> 16) * (((uint64_t)a << 16 | b) + 1);
        }
    t = now() - t;
    printf("pX2_16_add_exhaustive 4294967296 %.3f %.2f %llu\n", t, 4294967296.0 / t / 1e6, (unsigned long long)sum);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s LIBPYTHON SOFTPOSIT_SO DIR N REPEAT [--write] | LIBPYTHON SOFTPOSIT_SO --exhaustive\n",
                argv[0]);
        return 2;
    }
    if (!dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL)) {
        fprintf(stderr, "error: cannot load libpython (needed by the extension's SWIG glue): %s\n", dlerror());
        return 2;
    }
    void *lib = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "error: cannot load SoftPosit: %s\n", dlerror());
        return 2;
    }
    p16_fn p16_add = (p16_fn)must_sym(lib, "p16_add"), p16_mul = (p16_fn)must_sym(lib, "p16_mul");
    p32_fn p32_add = (p32_fn)must_sym(lib, "p32_add"), p32_mul = (p32_fn)must_sym(lib, "p32_mul");
    px2_fn px2_add = (px2_fn)must_sym(lib, "pX2_add");

    if (strcmp(argv[3], "--exhaustive") == 0) {
        exhaustive(p16_add, px2_add);
        return 0;
    }
    if (argc < 6) {
        fprintf(stderr, "error: DIR N REPEAT needed\n");
        return 2;
    }
    const char *dir = argv[3];
    size_t n = (size_t)strtoull(argv[4], NULL, 10);
    int repeat = atoi(argv[5]);
    int write = argc > 6 && strcmp(argv[6], "--write") == 0;

    uint16_t *a16 = read_file(dir, "p16_a.bin", n * 2), *b16 = read_file(dir, "p16_b.bin", n * 2);
    uint32_t *a32 = read_file(dir, "p32_a.bin", n * 4), *b32 = read_file(dir, "p32_b.bin", n * 4);
    uint16_t *o16 = malloc(n * 2);
    uint32_t *o32 = malloc(n * 4);
    if (!o16 || !o32) { fprintf(stderr, "error: out of memory\n"); return 2; }

    bench16("p16_add", p16_add, a16, b16, o16, n, repeat);
    if (write) write_file(dir, "p16_add.out.bin", o16, n * 2);
    bench16("p16_mul", p16_mul, a16, b16, o16, n, repeat);
    if (write) write_file(dir, "p16_mul.out.bin", o16, n * 2);
    bench32("p32_add", p32_add, a32, b32, o32, n, repeat);
    if (write) write_file(dir, "p32_add.out.bin", o32, n * 4);
    bench32("p32_mul", p32_mul, a32, b32, o32, n, repeat);
    if (write) write_file(dir, "p32_mul.out.bin", o32, n * 4);
    return 0;
}
