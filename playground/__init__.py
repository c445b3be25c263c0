"""`make playground`: the emulator, a private upstream index with its token authority and the
function under the real Functions Framework, as one process tree, seeded from a declarative file
(playground/playground.toml), serving until SIGINT or SIGTERM."""
