class ReportsController < ApplicationController
  before_action :authenticate_user!

  def index
    @reports = current_user.reports.order(created_at: :desc).limit(50)
  end

  def show
    @report = current_user.reports.find(params[:id])
  end
end
