{
  "targets": [
    {
      "target_name": "bioner_blas",
      "sources": ["bioner_blas.c"],
      "cflags": ["-O3", "-std=c11", "-ffast-math"],
      "libraries": ["-lopenblas", "-lm"],
      "ldflags": ["-Wl,-z,nodelete"]
    }
  ]
}
