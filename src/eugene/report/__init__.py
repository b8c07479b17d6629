"""eugene.report: one self-contained HTML report of what a model learned, built from small sections.

import eugene as eu
path = eu.report.build_report(model, X, "report_dir", names=names)   # report_dir/report.html + TSV tables
"""

from eugene.report._api import NotBuiltYet
from eugene.report.builder import ReportContext, Section, build_report

__all__ = ["NotBuiltYet", "ReportContext", "Section", "build_report"]
