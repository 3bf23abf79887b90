class HelloController < ActionController::Base
  def hello
    redirect_to params[:url] # EXPECT open redirect
  end
end
