"""The department's 24-hour duty (SPEC §G 值班): the roster by day and night, swaps, and the duty handover log."""
