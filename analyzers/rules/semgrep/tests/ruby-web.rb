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

class ReportsController < ApplicationController
  def sorted
    # ruleid: rb-taint-sql-injection
    @reports = Report.order(Arel.sql("#{params[:column]} DESC"))
    # ok: rb-taint-sql-injection
    @fixed = Report.order(Arel.sql("created_at DESC"))
    # ruleid: rb-taint-sql-injection
    @one = Report.find_by!("title = '#{request.GET[:title]}'")
    # ok: rb-taint-sql-injection
    @two = Report.where(Report.sanitize_sql_array(["title = ?", params[:title]]))
  end

  def run_tool
    # ruleid: rb-taint-command-injection
    system({ "LANG" => "C" }, "convert #{params[:file]} out.png")
    # ok: rb-taint-command-injection
    system({ "LANG" => "C" }, "convert", params[:file], "out.png")
  end

  def listing
    # ruleid: rb-taint-path-traversal
    @files = Dir.glob("#{params[:dir]}/*.pdf")
    # ok: rb-taint-path-traversal
    @mine = Dir.glob("/srv/reports/*.pdf")
    # ruleid: rb-taint-path-traversal
    @settings = YAML.load_file(request.cookies["layout"])
  end

  def fetch_feed
    # ruleid: rb-taint-ssrf
    conn = Faraday.new(url: params[:feed])
    # ok: rb-taint-ssrf
    fixed = Faraday.new(url: "https://feeds.example.com")
    url = params[:feed]
    if ALLOWED_HOSTS.include?(URI.parse(url).host)
      # ok: rb-taint-ssrf
      body = Net::HTTP.get(URI(url))
    end
    # ruleid: rb-taint-ssrf
    req = Net::HTTP::Get.new(URI(params[:feed]))
  end

  def back_to
    target = params[:next]
    if ALLOWED_HOSTS.include?(URI(target).host)
      # ok: rb-taint-open-redirect
      redirect_to target
    end
  end

  def profile_link
    # ruleid: rb-taint-xss
    @link = helpers.link_to("Homepage", params[:homepage])
    # ok: rb-taint-xss
    @own = helpers.link_to("Profile", user_path(params[:id]))
  end

  def dispatch_action
    # ruleid: rb-taint-code-injection
    handler = method(params[:handler])
    # ok: rb-taint-code-injection
    fixed = method(:index)
  end

  def preview
    # ruleid: rb-taint-code-injection
    html = Haml::Engine.new(params[:template]).render
    # ok: rb-taint-code-injection
    other = Haml::Engine.new(File.read("app/views/preview.haml")).render
  end

  def import
    # ruleid: rb-taint-deserialization
    data = JSON.load(request.raw_post)
    # ok: rb-taint-deserialization
    safe = JSON.parse(request.raw_post)
  end

  def create
    # ruleid: rb-mass-assignment-permit-all
    @user = User.create(params.require(:user).permit!)
    # ok: rb-mass-assignment-permit-all
    @other = User.create(params.require(:user).permit(:name, :email))
    # ruleid: rb-mass-assignment-permit-all
    @same = User.new(params[:user].to_unsafe_h)
    # ok: rb-mass-assignment-permit-all
    @fine = SearchForm.new(params.permit(:q).to_h)
  end
end

class PostsController < ApplicationController
  def search
    # ruleid: rb-taint-sql-injection
    @posts = Post.where("title LIKE '%#{search_params[:q]}%'")
    # ok: rb-taint-sql-injection
    @same = Post.where("title LIKE ?", "%#{search_params[:q]}%")
    # ok: rb-taint-sql-injection
    @default = Post.order(default_params)
  end

  private

  def search_params
    params.permit(:q)
  end

  def default_params
    "created_at DESC"
  end
end

class ArticlesController < ApplicationController
  before_action :set_filter

  def update
    @article = Article.find(params[:id])
    @article.update(article_params)
    # ok: rb-taint-open-redirect
    redirect_to @article
  end

  def index
    # ruleid: rb-taint-sql-injection
    @articles = Article.where("category = '#{@filter}'")
    # ok: rb-taint-sql-injection
    @recent = Article.where(category: @filter)
  end

  def export
    sql = "SELECT * FROM articles WHERE author = '"
    sql << params[:author] << "'"
    # ruleid: rb-taint-sql-injection
    ActiveRecord::Base.connection.execute(sql)
    params[:tags].each do |tag|
      # ruleid: rb-taint-sql-injection
      Article.where("tags LIKE '%#{tag}%'")
    end
    %w[news blog].each do |kind|
      # ok: rb-taint-sql-injection
      Article.where("kind = '#{kind}'")
    end
  end

  def sorted
    column = case params[:by]
             when "title" then "title"
             else "created_at"
             end
    # ok: rb-taint-sql-injection
    @articles = Article.order("#{column} DESC")
    custom = case params[:by]
             when "custom" then params[:column]
             else "created_at"
             end
    # ruleid: rb-taint-sql-injection
    @custom = Article.order("#{custom} DESC")
  end

  private

  def set_filter
    @filter = params[:category]
  end

  def article_params
    params.require(:article).permit(:title, :body)
  end
end

class ReturnsController < ApplicationController
  def legacy_back
    # ruleid: rb-taint-open-redirect
    redirect_to :back
  end

  def back_or_fallback
    # ruleid: rb-taint-open-redirect
    redirect_back(fallback_location: params[:return_to])
  end

  def back_or_root
    # ok: rb-taint-open-redirect
    redirect_back(fallback_location: root_path)
  end

  def back_or_to_next
    # ruleid: rb-taint-open-redirect
    redirect_back_or_to params[:next]
  end

  def to_referer
    # ruleid: rb-taint-open-redirect
    redirect_to request.referer
  end

  def to_referer_header
    # ruleid: rb-taint-open-redirect
    redirect_to request.env["HTTP_REFERER"]
  end

  def same_page_other_view
    # ruleid: rb-taint-open-redirect
    redirect_to params.merge(action: "show")
  end

  def same_page_path_only
    # ok: rb-taint-open-redirect
    redirect_to params.permit(:page).merge(only_path: true)
  end

  def share_link
    # ruleid: rb-taint-open-redirect
    @share = url_for(params.to_unsafe_h)
  end

  def record_link
    # ok: rb-taint-open-redirect
    @record = url_for(controller: "articles", action: "show", id: params[:id])
  end
end

# --- framework sink APIs from each framework's documentation ---------------------------------

class PagesController < ApplicationController
  def back_home
    target = params[:return_to]
    if target == "/dashboard"
      # ok: rb-taint-open-redirect
      redirect_to target
    end
    # ruleid: rb-taint-open-redirect
    head :found, location: target
  end

  def raw_body
    # ruleid: rb-taint-xss
    response.body = "<p>#{params[:name]}</p>"
  end

  def on_host
    # ruleid: rb-taint-open-redirect
    response.headers["Location"] = "https://#{request.host}/login"
  end
end

get "/hello/:name" do |name|
  # ruleid: rb-taint-open-redirect
  redirect to(params[:next]) if params[:next]
  # ok: rb-taint-xss
  logger.info("hello #{name}")
  # ruleid: rb-taint-xss
  "<h1>Hello #{name}</h1>"
end

get "/plain" do
  # ok: rb-taint-xss
  "<h1>Hello world</h1>"
end

get "/greet" do
  # ruleid: rb-taint-xss
  "<h1>Hello #{params[:name]}</h1>"
end

get "/page" do
  # ruleid: rb-taint-path-traversal
  erb params[:page].to_sym
end

get "/stop" do
  # ruleid: rb-taint-xss
  halt 400, "bad value #{params[:q]}"
end

get "/users" do
  # ruleid: rb-taint-sql-injection
  DB["SELECT * FROM users WHERE name = '#{params[:name]}'"].all
  # ok: rb-taint-sql-injection
  DB["SELECT * FROM users WHERE name = ?", params[:name]].all
end

class HelloApp
  def call(env)
    req = Rack::Request.new(env)
    # ruleid: rb-taint-ssrf
    Net::HTTP.get(URI(env["QUERY_STRING"]))
    # ruleid: rb-taint-open-redirect
    return [302, { "Location" => req.params["next"] }, []] if req.params["next"]
    # ok: rb-taint-xss
    return [200, { "Content-Type" => "text/plain" }, [req.params["name"]]] if req.get?
    # ruleid: rb-taint-xss
    [200, { "Content-Type" => "text/html" }, ["<p>#{req.params["name"]}</p>"]]
  end
end

class HelloController < ActionController::Base
  VALID_REDIRECT = "https://example.com/welcome"

  def hello
    if params[:url] == VALID_REDIRECT
      # ok: rb-taint-open-redirect
      redirect_to params[:url]
    else
      head :bad_request
    end
  end
end

class ExportsController < ApplicationController
  def preview
    # ruleid: rb-taint-xss
    send_data "<p>#{params[:title]}</p>", type: "text/html", disposition: "inline"
    # ok: rb-taint-xss
    send_data params[:title], type: "text/csv", disposition: "attachment"
  end
end

class PostsController < ApplicationController
  # A record looked up with request data is stored data, not the request's.
  def show
    post = Post.find(params[:id])
    # ok: rb-taint-xss
    render html: "<h1>#{post.title}</h1>".html_safe
    user = User.find_by(name: params[:name])
    # ok: rb-taint-open-redirect
    redirect_to user.homepage
    # ok: rb-taint-open-redirect
    redirect_to user_path(params[:id])
    # ok: rb-taint-open-redirect
    redirect_to edit_post_url(params[:post_id])
    # ruleid: rb-taint-open-redirect
    redirect_to url_for(params[:next])
  end

  def echo
    # ruleid: rb-taint-xss
    render html: "<h1>#{params[:title]}</h1>".html_safe
  end
end
