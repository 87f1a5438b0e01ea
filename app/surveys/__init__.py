"""Satisfaction surveys (SPEC D4): questionnaires the 客户关系主管 designs, scheduled invitations with a personal link
the customer answers on a phone without an account, reminders, and results per question and per project."""
