class SessionsController < ApplicationController
  skip_before_action :has_info
  skip_before_action :authenticated, only: [:new, :create]

  def new
    @url = params[:url]
    redirect_to home_dashboard_index_path if current_user
  end

  def create
    path = params[:url].present? ? params[:url] : home_dashboard_index_path
    begin
      user = User.authenticate(params[:email].to_s.downcase, params[:password])
    rescue Exception => e
    end

    if user
      cookies.permanent[:auth_token] = user.auth_token if User.where(user_id: user.user_id).exists?
      redirect_to path # EXPECT open redirect
    else
      flash[:error] = e.message
      render "new"
    end
  end

  def destroy
    cookies.delete(:auth_token)
    reset_session
    redirect_to root_path
  end
end
