"""eugene.report: one self-contained HTML report of what a model learned, built from small sections.

import eugene as eu
path = eu.report.build_report(model, X, "report_dir", names=names)   # report_dir/report.html + TSV tables
path = eu.report.build_report(model, X, "report_dir", sections=["model", "filters", "gia"])  # some sections
"""

from eugene.report.builder import build_report
from eugene.report.context import ReportContext, ReportResults, Section
from eugene.report.sections import SECTIONS

__all__ = ["SECTIONS", "ReportContext", "ReportResults", "Section", "build_report"]
