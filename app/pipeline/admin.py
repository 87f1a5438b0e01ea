from app.pipeline.tables import Buyer, ChecklistItem, DeedTaxBand, PipelineSetting

ADMIN_TABLES = [PipelineSetting, DeedTaxBand, ChecklistItem, Buyer]
