"""Call records imported from the phone system, matched to customers by number, and call QA (SPEC §G 服务用语)."""
