class ToolsController < ApplicationController
  def dispatch_it
    result = send(params[:method]) # EXPECT code
    render json: result
  end

  def build
    obj = params[:klass].constantize.new # EXPECT code
    render json: obj
  end

  def config
    data = YAML.load(params[:y]) # EXPECT deser
    render json: data
  end

  def read
    render plain: File.read(params[:f]) # EXPECT path
  end

  def fetch
    body = open(params[:url]).read # EXPECT cmd
    render plain: body
  end

  def calc
    render plain: eval(params[:code]).to_s # EXPECT eval
  end

  def tpl
    render inline: params[:t] # EXPECT ssti
  end

  def proxy
    render plain: Net::HTTP.get(URI(params[:u])) # EXPECT ssrf
  end
end
