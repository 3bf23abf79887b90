class UsersController < ApplicationController
  def index
    @users = User.where("name = '#{params[:name]}'") # EXPECT sqli
  end

  def extract
    system("tar xf #{params[:file]}") # EXPECT cmd
    head :ok
  end

  def back
    redirect_to params[:return_to] # EXPECT redirect
  end

  def load
    @obj = Marshal.load(Base64.decode64(params[:data])) # EXPECT deser
  end
end
