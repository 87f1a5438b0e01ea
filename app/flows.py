"""Every request type on the engine: importing a domain's flows module registers its FlowDefs.
A new domain adds one import line here and its register router to ROUTERS."""
from app.finance import flows as _finance_flows  # noqa: F401
from app.finance.routes import router as finance_router

ROUTERS = [finance_router]
