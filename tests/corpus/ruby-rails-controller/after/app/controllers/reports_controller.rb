require "yaml"
require "base64"

class ReportsController < ApplicationController
  before_action :authenticate_user!

  def index
    @reports = current_user.reports.order(created_at: :desc).limit(50)
  end

  def show
    @report = current_user.reports.find(params[:id])
  end

  def search
    @reports = Report.where("title LIKE '%#{params[:q]}%'") # EXPECT: SQL injection through interpolation
    render :index
  end

  def import
    settings = YAML.load(request.body.read) # EXPECT: unsafe YAML load of the request body
    @report = current_user.reports.create!(settings.slice("title", "query"))
    redirect_to @report
  end

  def restore_filters
    filters = Marshal.load(Base64.decode64(cookies[:filters].to_s)) # EXPECT: Marshal.load of a cookie
    @reports = current_user.reports.where(filters)
    render :index
  end

  def calculate
    @value = @report.instance_eval(params[:expression]) # EXPECT: code from the request evaluated
    render json: { value: @value }
  end
end
