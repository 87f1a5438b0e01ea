"""Customer care (客户服务): complaints, repairs, callbacks, surveys and KPIs (SPEC §D)."""
