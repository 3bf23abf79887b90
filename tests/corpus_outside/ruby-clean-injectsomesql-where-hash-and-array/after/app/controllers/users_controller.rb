class UsersController < ApplicationController
  def index
    @records = User.all
  end

  def login
    @user = User.where(name: params[:name], password: params[:password]).first
    render json: { ok: !@user.nil? }
  end

  def search
    @users = User.where(["name = ? AND admin = ?", params[:name], false])
    render json: @users
  end

  def taken
    render json: { taken: User.exists?(params[:user].to_s) }
  end
end
