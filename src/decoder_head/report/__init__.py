"""Tables and plots from run folders."""

from .markdown import summary_rows, update_readme, write_report

__all__ = ["summary_rows", "update_readme", "write_report"]
