"""Chapter 1, the network: one module per exercise, each with its reference implementation
(`reference`), its known mistakes (`MISTAKES`) and its checks (the `check_*` functions, run by
pytest through grader.engine)."""
