class UsersController < ApplicationController
  def index
    @records = User.all
  end

  def promote
    User.update_all("admin = 1 WHERE name LIKE '%#{params[:name]}%'") # EXPECT SQL update string built from params
    head :no_content
  end
end
