"""Shape: the referral format as pydantic models, and shape errors in plain words."""
