"""The operator's command line (`ar-token-rotator`): status, plan, rotate, republish, rollback
and cleanup. Not part of the function's upload."""
