class UsersController < ApplicationController
  def ping
    host = params[:host]
    # ruleid: rb-taint-command-injection
    output = `ping -c 1 #{host}`
    # ruleid: rb-taint-command-injection
    system("nslookup #{host}")
    # ok: rb-taint-command-injection
    system("ping", "-c", "1", host)
    render plain: output
  end

  def search
    # ruleid: rb-taint-sql-injection
    @users = User.where("name = '#{params[:name]}'")
    # ok: rb-taint-sql-injection
    @same = User.where(name: params[:name])
    # ok: rb-taint-sql-injection
    @also = User.where("name = ?", params[:name])
    # ruleid: rb-taint-sql-injection
    @sorted = User.order(params[:sort])
  end

  def greet
    # ruleid: rb-taint-xss
    render html: "<p>Hello #{params[:name]}</p>".html_safe
  end

  def greet_safely
    # ok: rb-taint-xss
    render html: "<p>Hello #{ERB::Util.html_escape(params[:name])}</p>".html_safe
  end

  def download
    # ruleid: rb-taint-path-traversal
    send_file Rails.root.join("public", "files", params[:file])
  end

  def download_safely
    # ok: rb-taint-path-traversal
    send_file Rails.root.join("public", "files", File.basename(params[:file]))
  end

  def read_expanded
    full = File.expand_path(params[:file], "/srv/public")
    # ruleid: rb-taint-path-traversal
    @content = File.read(full)
  end

  def read_inside_public
    public_folder = Pathname.new("/srv/public").cleanpath.to_s
    # ok: rb-taint-path-traversal
    file_path = Pathname.new(File.join("/srv/public", params[:file])).cleanpath.to_s
    if !file_path.start_with?(public_folder + File::SEPARATOR)
      raise ArgumentError, "Invalid filename"
    else
      # ok: rb-taint-path-traversal
      @content = File.read(file_path)
    end
  end

  def proxy
    # ruleid: rb-taint-ssrf
    body = Net::HTTP.get(URI(params[:url]))
    # ok: rb-taint-ssrf
    other = HTTParty.get("https://api.example.com/items/" + params[:id].to_s)
    render plain: body.to_s + other.to_s
  end

  def back
    # ruleid: rb-taint-open-redirect
    redirect_to params[:return_to]
  end

  def home
    # ok: rb-taint-open-redirect
    redirect_to root_path
  end

  def report
    # ruleid: rb-taint-code-injection
    klass = params[:type].constantize
    # ok: rb-taint-code-injection
    other = "Report".constantize
    render json: [klass, other]
  end

  def restore
    # ruleid: rb-taint-deserialization
    prefs = Marshal.load(Base64.decode64(cookies[:prefs]))
    # ok: rb-taint-deserialization
    same = JSON.parse(cookies[:prefs])
    render json: [prefs, same]
  end

  def parse_xml
    # ruleid: rb-xxe-entity-substitution
    doc = Nokogiri::XML(request.body.read) { |config| config.noent }
    # ok: rb-xxe-entity-substitution
    safe = Nokogiri::XML(request.body.read) { |config| config.strict }
    render xml: [doc, safe]
  end

  def insecure_fetch
    http = Net::HTTP.new("example.com", 443)
    http.use_ssl = true
    # ruleid: rb-tls-verification-disabled
    http.verify_mode = OpenSSL::SSL::VERIFY_NONE
    # ok: rb-tls-verification-disabled
    http.verify_mode = OpenSSL::SSL::VERIFY_PEER
  end
end
