class UsersController < ApplicationController
  def index
    @records = User.all
  end

  def regular
    @users = User.from(params[:from]).where(admin: false) # EXPECT SQL FROM clause from params
    render json: @users
  end
end
