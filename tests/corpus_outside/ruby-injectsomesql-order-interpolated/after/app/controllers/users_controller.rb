class UsersController < ApplicationController
  def index
    @records = User.all
  end

  def sorted
    @users = User.order("#{params[:sortby]} ASC") # EXPECT SQL ORDER BY from params
    render json: @users
  end
end
