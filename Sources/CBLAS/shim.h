#ifndef PROFILEBENCH_CBLAS_SHIM_H
#define PROFILEBENCH_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>

/* OpenBLAS threading controls, declared by cblas.h in OpenBLAS builds. */
static inline int pb_openblas_threads(void) { return openblas_get_num_threads(); }
typedef lapack_int pb_lapack_int;
static inline void pb_openblas_set_threads(int n) { openblas_set_num_threads(n); }
static inline const char *pb_openblas_corename(void) { return openblas_get_corename(); }
#endif
