"""SamplerV2 and EstimatorV2, and what both share (mode, options, validation, submission)."""
