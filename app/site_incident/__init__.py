"""Sales-office incident reports (SPEC §F4 事件报告)."""
