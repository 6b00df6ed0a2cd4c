"""The keys committed in this repository, for development and the test suite only.

Anyone can read them here, so production refuses every one of them (production.py).
"""

DEV_SECRET_KEYS = (
    "bangfu-local-development-key-not-for-production-use",
    "bangfu-test-key-only-for-the-test-suite-0123456789",
)
DEV_FIELD_KEYS = (
    "bGmUHk3VVa3Yp9QhXf2rWkq8pFJ0l3bQ0Zt6n3T5mYc=",
    "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMDEyMzQ=",
)
DEV_BLIND_INDEX_KEYS = ("bangfu-local-blind-index-key", "bangfu-test-blind-index")
# Without BANGFU_AUDIT_KEY the audit key is derived from the secret key (core.chain).
DEV_AUDIT_KEYS = tuple(f"bangfu-audit-chain:{key}" for key in DEV_SECRET_KEYS)
