class UsersController < ApplicationController
  def index
    @records = User.all
  end

  def purge
    User.delete_all("id = #{params[:id]}") # EXPECT SQL condition string built from params
    head :no_content
  end
end
