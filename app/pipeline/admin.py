from app.pipeline.tables import ChecklistItem, DeedTaxBand, PipelineSetting

# Buyers are customer data: edited only through the pipeline (masked, revealed per record and audited), never here.
ADMIN_TABLES = [PipelineSetting, DeedTaxBand, ChecklistItem]
