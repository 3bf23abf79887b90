class UsersController < ActionController::Base
  def create
    command = params[:command]
    system(command) # EXPECT command injection from a request parameter
  end
end
