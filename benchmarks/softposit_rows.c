/* One row of an exhaustive SoftPosit sweep: out[b] = op(a, b) for every 16-bit code b, calling the
 * C functions compiled into the softposit wheel's extension module (loaded with dlopen, so nothing
 * but that wheel is needed). posit16_t is a struct holding one uint16_t, passed by value. */
#include <dlfcn.h>
#include <stdint.h>

typedef struct { uint16_t v; } posit16_t;
typedef posit16_t (*p16_binary)(posit16_t, posit16_t);

static p16_binary ops[2];

/* Load p16_add (op 0) and p16_mul (op 1) from the extension at `path`; 0 on success. */
int rows_init(const char *path)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return 1;
    ops[0] = (p16_binary)dlsym(lib, "p16_add");
    ops[1] = (p16_binary)dlsym(lib, "p16_mul");
    return !(ops[0] && ops[1]);
}

void rows_fill(int op, uint16_t a, uint16_t *out)
{
    posit16_t x = {a};
    for (uint32_t b = 0; b < 65536; b++) {
        posit16_t y = {(uint16_t)b};
        out[b] = ops[op](x, y).v;
    }
}
