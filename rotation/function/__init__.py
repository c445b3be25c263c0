"""The function's edge: one CloudEvent to one decision, the answer to a request that is not one,
and the wiring of the adapters and sources a rotation uses."""
