"""Every request type on the engine: importing each domain's flows.py registers its FlowDefs."""
from app.core.discovery import domain_modules

FLOW_MODULES = domain_modules("flows")
