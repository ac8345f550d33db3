import LinearAlgebra
print(BLAS.threads)
