"""Tables and plots from run folders."""

from .markdown import summary_rows, write_report

__all__ = ["summary_rows", "write_report"]
