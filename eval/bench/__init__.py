"""`python -m eval bench [--naive] [--backends] [--scale N] [--out FILE]`: speed and memory on this machine.

Results go to stdout as tables (`report`, and to --out as JSON); progress is logged to stderr.
`run` runs the phases: `build` (in-process builds), `queries` (ask and search latency),
`processes` (cold start, peak RSS: `python -m rag ...` children each measured in temporary index
folders; the corpus itself is only read), `backends` (ONNX against torch) and `scale` (synthetic
municipalities). `python -m eval.bench WORKER ...` runs the helper children (`workers`: naive
baseline, scale build/serve/ANN) and prints JSON.
"""
