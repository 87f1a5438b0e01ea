"""回访 (SPEC D4): the follow-up call after a case is closed — the list of calls due, the answer form (reached or not,
the 5-point scale), and what the answer does to the case (close, or reopen for the 投诉主管)."""
