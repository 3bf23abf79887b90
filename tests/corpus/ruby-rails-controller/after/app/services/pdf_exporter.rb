# Renders a report to PDF with wkhtmltopdf and returns the file's path.
class PdfExporter
  OUT_DIR = "/var/app/exports".freeze

  def initialize(report, paper_size)
    @report = report
    @paper_size = paper_size
  end

  def call
    target = File.join(OUT_DIR, "#{@report.id}.pdf")
    system("wkhtmltopdf --page-size #{@paper_size} #{@report.url} #{target}") # EXPECT: shell command from user input
    target
  end

  def page_count(path)
    `pdfinfo #{path} | grep Pages`.split.last.to_i # EXPECT: backticks with interpolation
  end
end
