"""Tables and plots from run folders."""

from .markdown import induction_table, replace_block, summary_rows, update_readme, write_report

__all__ = ["induction_table", "replace_block", "summary_rows", "update_readme", "write_report"]
