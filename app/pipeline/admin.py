from app.pipeline.tables import Buyer, DeedTaxBand, PipelineSetting

ADMIN_TABLES = [PipelineSetting, DeedTaxBand, Buyer]
