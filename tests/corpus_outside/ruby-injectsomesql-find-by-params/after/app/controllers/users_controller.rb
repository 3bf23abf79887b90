class UsersController < ApplicationController
  def index
    @records = User.all
  end

  def lookup
    @user = User.find_by params[:id] # EXPECT request parameter as the whole condition
    render json: @user
  end
end
