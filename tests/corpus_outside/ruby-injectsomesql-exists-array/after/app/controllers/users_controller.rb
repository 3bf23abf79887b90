class UsersController < ApplicationController
  def index
    @records = User.all
  end

  def taken
    found = User.exists? ["name = '#{params[:user]}'"] # EXPECT SQL condition string built from params
    render json: { taken: found }
  end
end
