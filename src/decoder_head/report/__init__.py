"""Tables and plots from run folders."""

from .markdown import induction_table, replace_block, update_readme
from .run import summary_rows, write_report

__all__ = ["induction_table", "replace_block", "summary_rows", "update_readme", "write_report"]
