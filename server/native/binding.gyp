{
  "targets": [
    {
      "target_name": "bioner_blas",
      "sources": ["bioner_blas.c"],
      "cflags": ["-O2", "-std=c11"],
      "libraries": ["-lopenblas"]
    }
  ]
}
