# GitHub's HTML sanitiser as open source: html-pipeline's SanitizationFilter with its
# default allow-list (Debian's ruby-html-pipeline and ruby-sanitize). Reads HTML on
# standard input, writes what the filter keeps.
require "html/pipeline"

html = $stdin.read.force_encoding(Encoding::UTF_8)
puts HTML::Pipeline::SanitizationFilter.call(html).to_html
