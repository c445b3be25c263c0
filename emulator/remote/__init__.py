"""The remote repositories' data path: what pip, docker, npm and mvn talk to, one module per
format (`python`, and each format added beside it), dispatched by `data_path`."""
