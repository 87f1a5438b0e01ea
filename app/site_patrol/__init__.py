"""售楼处巡更 (SPEC §F3): checkpoints with QR codes, scans, patrol rounds and missed-checkpoint alerts."""
