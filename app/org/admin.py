from app.org.tables import Company, Department, Employee, EmployeeProject, Position

ADMIN_TABLES = [Company, Department, Position, Employee, EmployeeProject]
