"""`make bench`: Google API calls per rotation, cold start, latency and burst, as printed figures.

Nothing is asserted: the figures are compared with the targets in the output and the README, and
written to bench/results.json. Ratios are taken within one run, on one machine.
"""

import os

# gRPC's core logs a line when the emulator closes its clients' connections at the end; quiet.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
