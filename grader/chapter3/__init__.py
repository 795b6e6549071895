"""Chapter 3, better optimisers and a wider network: one module per exercise (`reference`,
`MISTAKES`, `check_*`), on parameter dicts keyed like the parameters. Optimisers are checked
over several steps in a row, each step starting from what the learner's last one returned."""
