class UsersController < ApplicationController
  def index
    @records = User.all
  end

  def grouped
    @users = User.where(:admin => false).group(params[:group]) # EXPECT SQL GROUP BY from params
    render json: @users
  end
end
