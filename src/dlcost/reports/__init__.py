"""What an answer looks like to a reader: chart series, CSV/Markdown/HTML reports, comparisons, plots."""
