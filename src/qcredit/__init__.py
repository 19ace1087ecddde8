"""qcredit — 企业质量信用监管系统."""

__version__ = "0.1.0"
