class UsersController < ApplicationController
  def index
    @records = User.all
  end
end
